import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import {
  addSweepTotals,
  continueSweep,
  type SweepState,
  sweepBatchMetrics,
  tallySweepBatch,
} from '#core/sweep/sweep.ts';
import { addMetrics, logger, metrics } from './shared/observability.ts';
import { type RecordSweepInput, recordSweepInput } from './shared/schemas.ts';
import { coldStart, type HandlerEnvironment } from './shared/wiring/environment.ts';

/**
 * Tallies one batch of the sweep and emits its metrics (a sweep of several batches emits several
 * data points; CloudWatch sums them). Every finding is logged; the output keeps a capped list.
 */
export function createHandler(environment: () => Pick<HandlerEnvironment, 'config'>) {
  async function recordSweep(input: RecordSweepInput, _context: Context): Promise<SweepState> {
    // Read for its check of the environment at cold start; the tally needs none of it.
    environment();
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
    addMetrics(sweepBatchMetrics(batch));
    for (const finding of batch.findings) {
      const level = finding.status === 'repaired' ? 'info' : 'warn';
      logger[level]('sweep finding', { ...finding });
    }
    const totals = addSweepTotals(input.totals, batch);
    const { accountsChecked, driftDetected, driftRepaired, regionsFailed } = batch;
    const counts = { accountsChecked, driftDetected, driftRepaired, regionsFailed };
    logger.info('sweep batch recorded', { ...counts, totalAccountsChecked: totals.accountsChecked });
    return continueSweep(input.options, input.page, totals);
  }
  return middy()
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics))
    .use(parser({ schema: recordSweepInput }))
    .handler(recordSweep);
}

/** The Lambda's wiring: this handler's builders over its environment (read once per cold start). */
export function wire(environment: HandlerEnvironment): Pick<HandlerEnvironment, 'config'> {
  return environment;
}

export const handler = createHandler(coldStart(wire));
