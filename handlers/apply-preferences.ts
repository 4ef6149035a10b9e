import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { MemberSessions } from '#adapters/member-session.ts';
import { type ApplyAction, PreferencesStore } from '#adapters/preferences-store.ts';
import { DocumentVersionLimitError, PreferencesDocumentInvalidError } from '#core/errors.ts';
import { METRIC } from '#core/metrics.ts';
import { fromProcessEnvironment, type HandlerDependencies } from './shared/dependencies.ts';
import { logger, metrics } from './shared/observability.ts';
import { type RegionTaskInput, regionTaskInput } from './shared/schemas.ts';

export interface ApplyPreferencesOutput {
  region: string;
  action: Exclude<ApplyAction, 'refused'>;
  versionBefore?: string;
  versionAfter?: string;
  promoted: boolean;
  /** A Failed `$LATEST` was replaced by a new version built from this (default) version. */
  repairedFrom?: string;
  /** Old versions deleted under the pruning policy at SSM's version limit. */
  pruned?: string[];
}

/** Read, merge, write, wait for Active, then promote, in one account and region. */
export function createHandler(dependencies: () => HandlerDependencies) {
  return middy(async (input: RegionTaskInput, _context: Context): Promise<ApplyPreferencesOutput> => {
    const { sessions, runAs, config } = dependencies();
    const session = await sessions.open(input.accountId, 'write');
    const store = new PreferencesStore(session.ssm(input.region), input.region, {
      logger,
      pruning: config.documentVersionPruning,
    });
    metrics.addMetadata('accountId', input.accountId);
    metrics.addMetadata('region', input.region);
    let outcome: Awaited<ReturnType<PreferencesStore['apply']>>;
    try {
      outcome = await store.apply(runAs);
    } catch (error) {
      // Pruning is off (or found nothing to delete): the alarm on this metric tells an operator.
      if (error instanceof DocumentVersionLimitError) {
        metrics.addMetric(METRIC.documentVersionLimitReached, MetricUnit.Count, 1);
      }
      throw error;
    }
    const { region, action, versionBefore, versionAfter, promoted, reason, repairedFrom, pruned } = outcome;
    if (action === 'refused') {
      throw new PreferencesDocumentInvalidError(
        `refused to change SSM-SessionManagerRunShell in ${input.accountId}/${region}: ${reason}`,
      );
    }
    if (pruned) {
      // Deleting versions is never silent: a metric, and a log line naming every version.
      metrics.addMetric(METRIC.documentVersionsPruned, MetricUnit.Count, pruned.length);
      logger.warn('pruned document versions at the version limit', {
        accountId: input.accountId,
        region,
        deletedVersions: pruned,
      });
    }
    logger.info('preferences applied', {
      accountId: input.accountId,
      region,
      action,
      versionBefore,
      versionAfter,
      ...(repairedFrom ? { repairedFrom } : {}),
    });
    return {
      region,
      action,
      ...(versionBefore ? { versionBefore } : {}),
      ...(versionAfter ? { versionAfter } : {}),
      promoted,
      ...(repairedFrom ? { repairedFrom } : {}),
      ...(pruned ? { pruned } : {}),
    };
  })
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics))
    .use(parser({ schema: regionTaskInput }));
}

export const handler = createHandler(fromProcessEnvironment({ STSClient, MemberSessions, SSMClient }));
