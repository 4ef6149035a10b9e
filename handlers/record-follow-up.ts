import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { VendLedger } from '#adapters/vend-ledger.ts';
import { exposureMetrics } from '#core/enforcement-record.ts';
import * as decide from '#core/follow-up.ts';
import { METRIC, type MetricPoint } from '#core/metrics.ts';
import { leaseUntil, measureVend } from '#core/vend-ledger.ts';
import { fromProcessEnvironment, type HandlerDependencies } from './shared/dependencies.ts';
import { logger, metrics } from './shared/observability.ts';
import { type RecordFollowUpInput, recordFollowUpInput } from './shared/schemas.ts';

/**
 * Writes the follow-up into the ledger and emits each metric once: repairs after LZA's
 * Security_Resources with the re-exposure they ended, and each vend's gap when its covering run
 * finished Customizations. Settling is a conditional write, so a duplicate event emits nothing.
 */
export function createHandler(dependencies: () => HandlerDependencies) {
  async function recordFollowUp(
    input: RecordFollowUpInput,
    _context: Context,
  ): Promise<decide.FollowUpTally> {
    const { ledger, now } = dependencies();
    const nowIso = new Date(now()).toISOString();
    const tally = decide.emptyTally();
    // Shared-instance metrics are added at the end, with no await after them (see RecordEnforcement).
    const later: MetricPoint[] = [];
    for (const results of decide.groupByVend(input.results)) {
      const vend = { accountId: results[0]!.accountId, joinedAt: results[0]!.joinedAt };
      const record = await ledger.get(vend);
      if (!record) continue;
      const { repairs, failing, stillFailing } = decide.vendRepairs(record.repairsFailed, results);
      await ledger.recordRepairs(vend, repairs, stillFailing);
      later.push(...decide.countRepairs(tally, repairs));
      if (tally.repaired > 0 || failing.length > 0)
        logger.warn('RunAs re-verified after Security_Resources', { accountId: vend.accountId, repairs });
    }
    later.push(...decide.regressionsMetric(tally));
    if (tally.repairsFailed > 0)
      vendMetric({ name: METRIC.regionsFailed, unit: 'Count', value: tally.repairsFailed });
    for (const key of input.plan.measure) {
      const owner = { execution: input.execution, claimedAt: nowIso, leaseUntil: leaseUntil(nowIso) };
      const claimed = await ledger.claim(key, { ...owner, state: 'running' }, nowIso);
      const record = claimed ? await ledger.get(key) : undefined;
      const measurement = record && measureVend(record);
      if (!measurement) continue;
      if (!(await ledger.finishOwnership(key, input.execution, { measurement, measuredAt: nowIso })))
        continue;
      tally.measured += 1;
      exposureMetrics(measurement).forEach(vendMetric);
    }
    for (const { decision, ...key } of input.plan.settlements) {
      const settlement = decide.settlementOf(decision);
      if (!(await ledger.settle(key, settlement.update, nowIso))) continue;
      tally[settlement.counts] += 1;
      later.push(...settlement.metrics);
      const { state: _state, note: reason, ...figures } = settlement.update;
      if (settlement.counts === 'closed') logger.info('vend gap closed', { ...key, ...figures, reason });
      else logger.warn('vend expired', { ...key, reason });
    }
    for (const m of later) metrics.addMetric(m.name, m.unit, m.value);
    logger.info('follow-up recorded', { mode: input.plan.mode, ...tally });
    return tally;
  }
  return middy()
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics))
    .use(parser({ schema: recordFollowUpInput }))
    .handler(recordFollowUp);
}

/** Gap and repair metrics carry the service dimension only; the vend-level ones add Trigger, as RecordEnforcement's do. */
function vendMetric({ name, unit, value }: MetricPoint): void {
  const single = metrics.singleMetric();
  single.addDimension('Trigger', 'vend');
  single.addMetric(name, unit, value);
}

export const handler = createHandler(fromProcessEnvironment({ DynamoDBClient, VendLedger }));
