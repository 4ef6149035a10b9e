import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type BootstrapperConfig, configToEnvironment } from '#core/config/config.ts';
import {
  assertEnvironmentFits,
  type HistoryBound,
  MAX_HISTORY_EVENTS,
  worstCaseHistory,
} from '#core/deploy/limits.ts';
import { FOLLOW_UP_CAPS } from '#core/follow-up/plan.ts';
import { ConfigurationError } from '#core/shared/errors.ts';
import { maxAttempts } from '#core/vend/role-wait.ts';

/**
 * Synth-time checks of the AWS limits a config can break, each naming the fields to change:
 * Lambda's 4 KB environment and the 25,000-event history of a Standard execution. A config that
 * synthesizes then also deploys and runs.
 */

/** The config fields that take the most room in the environment, with their JSON sizes. */
function environmentContributors(config: BootstrapperConfig): Record<string, number> {
  const sizes: Record<string, number> = {};
  for (const [field, value] of Object.entries(config)) {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [inner, innerValue] of Object.entries(value as Record<string, unknown>)) {
        sizes[`${field}.${inner}`] = JSON.stringify(innerValue ?? null).length;
      }
    } else sizes[field] = JSON.stringify(value ?? null).length;
  }
  return sizes;
}

/**
 * `environment` is what each function gets; an unresolved account id (environment-agnostic
 * synth) is measured as the 12 digits it will be.
 */
export function checkLambdaEnvironment(
  config: BootstrapperConfig,
  environment: Record<string, string>,
  measuredConfig: BootstrapperConfig,
): void {
  assertEnvironmentFits(
    { ...environment, ...configToEnvironment(measuredConfig) },
    environmentContributors(config),
  );
}

/** Which config fields drive each term of the history bound. */
const HISTORY_TERM_FIELDS: Record<string, string> = {
  loop: 'roleWaitTimeoutMinutes or roleWaitSchedule (AwaitRole attempts until the deadline)',
  mapItems: 'governedRegions (per-region work)',
};

export function bootstrapHistoryBound(config: BootstrapperConfig, definitionFile: string): HistoryBound {
  const definition = JSON.parse(readFileSync(definitionFile, 'utf8')) as Record<string, unknown>;
  // The one loop is the role wait (AwaitRole → WaitForRole): its attempts are bounded by the
  // schedule up to the deadline. No execution follows LZA any more (the follow-up does).
  return worstCaseHistory(definition, {
    mapItems: config.governedRegions.length,
    deadlineBound: {},
    loopIterations: maxAttempts(config.roleWaitTimeoutMinutes * 60, config.roleWaitSchedule),
    loopMapRuns: 0,
    loopMapItems: 1,
  });
}

/**
 * The follow-up's worst case: each of its Maps runs at most FOLLOW_UP_CAPS.repairs items (a larger
 * plan continues in a new execution), and it has no deadline-bound retrier. Its loop (PlanAgain)
 * runs at most twice: the second plan marks `$.replan`, which the ASL never loops on again.
 */
export const FOLLOW_UP_PLAN_PASSES = 2;

export function followUpHistoryBound(definitionFile: string): HistoryBound {
  const definition = JSON.parse(readFileSync(definitionFile, 'utf8')) as Record<string, unknown>;
  return worstCaseHistory(definition, {
    mapItems: FOLLOW_UP_CAPS.repairs,
    deadlineBound: {},
    loopIterations: FOLLOW_UP_PLAN_PASSES,
    loopMapRuns: FOLLOW_UP_PLAN_PASSES,
    loopMapItems: FOLLOW_UP_CAPS.repairs,
    loopMapItemsByState: { RedriveVends: FOLLOW_UP_CAPS.redrives },
  });
}

/** Refuse a config whose worst-case execution would outgrow the 25,000-event history. */
export function checkBootstrapHistory(config: BootstrapperConfig, definitionFile: string): HistoryBound {
  const bound = bootstrapHistoryBound(config, definitionFile);
  if (bound.total <= MAX_HISTORY_EVENTS) return bound;
  const causes = Object.entries(bound.terms)
    .filter(([term]) => HISTORY_TERM_FIELDS[term])
    .sort(([, a], [, b]) => b - a)
    .map(([term, events]) => `${HISTORY_TERM_FIELDS[term]}: ${events}`)
    .join('; ');
  throw new ConfigurationError(
    `${path.basename(definitionFile)}: one execution could record ${bound.total} history events, over the ${MAX_HISTORY_EVENTS} Step Functions keeps; lower the largest of ${causes}`,
  );
}
