import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { FollowedRuns } from '#adapters/followed-runs.ts';
import type { PipelineHistory } from '#adapters/pipeline-history.ts';
import { reconcileFindings } from '#adapters/reconcile-findings.ts';
import type { VendLedger } from '#adapters/vend-ledger.ts';
import * as decide from '#core/follow-up/follow-up.ts';
import { capPlan } from '#core/follow-up/plan.ts';
import { planRedrives } from '#core/vend/redrive.ts';
import { logger } from './shared/observability.ts';
import { type FollowUpPlanOutput, type PlanFollowUpInput, planFollowUpInput } from './shared/schemas.ts';
import { coldStart, type HandlerEnvironment } from './shared/wiring/environment.ts';
import { followedRuns, vendLedger } from './shared/wiring/ledger.ts';
import { pipelineHistory } from './shared/wiring/pipeline-history.ts';

export type PlanFollowUpDependencies = Pick<HandlerEnvironment, 'config' | 'now' | 'region'> & {
  ledger: Pick<VendLedger, 'openVends'>;
  pipeline: Pick<PipelineHistory, 'runHistory' | 'exists' | 'misnamed'>;
  followedRuns: Pick<FollowedRuns, 'unfollowed'>;
};

/**
 * What LZA's progress means for the open vends. Started by a Deploy-stage Security_Resources or
 * Customizations action event ("look now") or by the reconciler's schedule (catch what events
 * missed). Reads only: the ledger's open vends and the pipeline's history.
 */
export function createHandler(dependencies: () => PlanFollowUpDependencies) {
  async function planFollowUp(input: PlanFollowUpInput, _context: Context): Promise<FollowUpPlanOutput> {
    const { config, ledger, now } = dependencies();
    const trigger = decide.followUpTrigger(input.input, config.lza.pipelineName);
    if ('ignored' in trigger) {
      logger.info('pipeline event ignored', { reason: trigger.ignored });
      return decide.ignoredPlan(trigger.ignored);
    }
    const event = trigger.mode === 'event' ? trigger.event : undefined;
    const { pipeline } = dependencies();
    const vends = await ledger.openVends();
    const oldest = decide.oldestJoin(vends);
    // The runs that may cover any open vend, with the event's own action if the history lags.
    const runs = oldest === undefined ? [] : await pipeline.runHistory(oldest);
    // The reconciler's own reads (not its second plan): a misnamed pipeline, a lost Security_Resources.
    const reconciling = trigger.mode === 'reconcile' && !trigger.replan;
    const { misnamedPipelines, unfollowed } = reconciling
      ? await reconcileFindings(dependencies(), config, now(), { oldest, runs })
      : { misnamedPipelines: [], unfollowed: [] };
    const options = { ...decide.followUpPlanOptions(config, now()), misnamedPipelines, unfollowed };
    const plan = decide.withoutRepeatedSweep(
      decide.planOpenVends(vends, decide.withEventActions(runs, event), event, options),
      trigger.replan,
    );
    // The reconciler (not its second plan) re-drives vends whose owner ended with a region unverified.
    const redrives = reconciling
      ? planRedrives(vends, now(), {
          managementAccountId: config.managementAccountId,
          vendWindowHours: config.vendWindowHours,
          region: dependencies().region,
        })
      : { redrive: [], exhausted: [] };
    const { mode, repairs, settlements, measure, sweep } = plan;
    const [openVends, sweepRegions] = [vends.length, sweep?.regions ?? []];
    const counts = { repairs: repairs.length, settlements: settlements.length, measure: measure.length };
    const redriving = { redrive: redrives.redrive.length, exhausted: redrives.exhausted.length };
    if (misnamedPipelines.length > 0)
      logger.error('LZA pipeline misnamed', { configured: config.lza.pipelineName, misnamedPipelines });
    logger.info('follow-up planned', {
      mode,
      replan: trigger.replan,
      openVends,
      ...counts,
      ...redriving,
      sweepRegions,
    });
    // Bounded so the plan fits the state payload and the history; the rest continues at once.
    return { ...capPlan(plan), ...redrives, misnamedPipelines };
  }
  return middy()
    .use(injectLambdaContext(logger))
    .use(parser({ schema: planFollowUpInput }))
    .handler(planFollowUp);
}

/** The Lambda's wiring: this handler's builders over its environment (read once per cold start). */
export function wire(environment: HandlerEnvironment): PlanFollowUpDependencies {
  return {
    ...environment,
    ledger: vendLedger(environment),
    pipeline: pipelineHistory(environment),
    followedRuns: followedRuns(environment),
  };
}

export const handler = createHandler(coldStart(wire));
