import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import { SSMClient } from '@aws-sdk/client-ssm';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { MemberSessions } from '#adapters/member-session.ts';
import { prunedMetrics, versionLimitMetrics } from '#core/document/apply-outcome.ts';
import type { ApplyResult } from '#core/document/region-result.ts';
import { addMetrics, logger, metrics } from './shared/observability.ts';
import { openPreferencesStore } from './shared/preferences-store.ts';
import { type RegionTaskInput, regionTaskInput } from './shared/schemas.ts';
import { coldStart, type HandlerEnvironment } from './shared/wiring/environment.ts';
import { memberSessions } from './shared/wiring/member-sessions.ts';

export type ApplyPreferencesDependencies = Pick<HandlerEnvironment, 'config' | 'runAs'> & {
  sessions: Pick<MemberSessions, 'open'>;
};

/**
 * Read, merge, write, wait for Active, then promote, in one account and region. A document we may
 * not merge into is refused by the store with PreferencesDocumentInvalidError, which propagates.
 */
export function createHandler(dependencies: () => ApplyPreferencesDependencies) {
  async function applyPreferences(input: RegionTaskInput, _context: Context): Promise<ApplyResult> {
    const { sessions, runAs, config } = dependencies();
    const store = await openPreferencesStore(sessions, input, 'write', config.documentVersionPruning);
    metrics.addMetadata('accountId', input.accountId);
    metrics.addMetadata('region', input.region);
    const outcome = await store.apply(runAs).catch((error: unknown) => {
      // Pruning is off (or found nothing to delete): the alarm on this metric tells an operator.
      addMetrics(versionLimitMetrics(error));
      throw error;
    });
    const { action, versionBefore, versionAfter, repairedFrom, pruned } = outcome;
    // Deleting versions is never silent: a metric, and a log line naming every version.
    addMetrics(prunedMetrics(pruned));
    if (pruned)
      logger.warn('pruned document versions at the version limit', { ...input, deletedVersions: pruned });
    logger.info('preferences applied', { ...input, action, versionBefore, versionAfter, repairedFrom });
    return outcome;
  }
  return middy()
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics))
    .use(parser({ schema: regionTaskInput }))
    .handler(applyPreferences);
}

/** The Lambda's wiring: this handler's builders over its environment (read once per cold start). */
export function wire(environment: HandlerEnvironment): ApplyPreferencesDependencies {
  return { ...environment, sessions: memberSessions(environment, SSMClient) };
}

export const handler = createHandler(coldStart(wire));
