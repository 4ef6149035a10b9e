import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type * as z from 'zod/mini';
import { METRIC } from '#core/metrics.ts';
import {
  addSweepTotals,
  type SweepOptions,
  type SweepTotals,
  sweepFailures,
  sweepIncompleteCause,
  tallySweepBatch,
} from '#core/sweep.ts';
import { fromProcessEnvironment, type HandlerDependencies } from './shared/dependencies.ts';
import { logger, metrics } from './shared/observability.ts';
import { recordSweepInput, type SweepPage } from './shared/schemas.ts';

export interface RecordSweepOutput {
  options: SweepOptions;
  /** The batch's account ids are dropped: only the continuation is carried on. */
  page: Omit<SweepPage, 'accountIds'> & { accountIds: string[] };
  totals: SweepTotals;
  /** Set once any batch failed as a whole: the sweep ends failed with this cause, after the last batch. */
  incomplete?: string;
}

/**
 * Tallies one batch of the sweep and emits its metrics (a sweep of several batches emits several
 * data points; CloudWatch sums them). Every finding is logged; the output keeps a capped list.
 */
export function createHandler(dependencies: () => HandlerDependencies) {
  async function recordSweep(
    input: z.infer<typeof recordSweepInput>,
    _context: Context,
  ): Promise<RecordSweepOutput> {
    dependencies();
    const failed = input.batchError ? { accounts: input.page.accountIds.length } : undefined;
    if (input.batchError) {
      logger.error('sweep batch failed as a whole; its accounts were not (all) swept', {
        accounts: input.page.accountIds,
        error: input.batchError.Error,
        cause: input.batchError.Cause,
      });
    }
    const batch = tallySweepBatch(input.results, input.page.skipped, failed);
    metrics.addMetadata('mode', input.options.repair ? 'repair' : 'check');
    metrics.addMetadata('sweepStartedAt', input.options.startedAt);
    metrics.addMetric(METRIC.accountsChecked, MetricUnit.Count, batch.accountsChecked);
    metrics.addMetric(METRIC.driftDetected, MetricUnit.Count, batch.driftDetected);
    metrics.addMetric(METRIC.driftRepaired, MetricUnit.Count, batch.driftRepaired);
    metrics.addMetric(METRIC.sweepFailures, MetricUnit.Count, sweepFailures(batch));
    for (const finding of batch.findings) {
      const level = finding.status === 'repaired' ? 'info' : 'warn';
      logger[level]('sweep finding', { ...finding });
    }
    const totals = addSweepTotals(input.totals, batch);
    const { accountsChecked, driftDetected, driftRepaired, regionsFailed } = batch;
    const counts = { accountsChecked, driftDetected, driftRepaired, regionsFailed };
    logger.info('sweep batch recorded', { ...counts, totalAccountsChecked: totals.accountsChecked });
    const { nextToken, roleDeadline, skipped } = input.page;
    const incomplete = sweepIncompleteCause(totals);
    return {
      options: input.options,
      page: {
        accountIds: [],
        ...(nextToken ? { nextToken } : {}),
        ...(roleDeadline ? { roleDeadline } : {}),
        skipped,
      },
      totals,
      ...(incomplete ? { incomplete } : {}),
    };
  }
  return middy()
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics))
    .use(parser({ schema: recordSweepInput }))
    .handler(recordSweep);
}

export const handler = createHandler(fromProcessEnvironment());
