import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { FollowedRuns } from '#adapters/followed-runs.ts';
import type { VendLedger } from '#adapters/vend-ledger.ts';
import { measureUnownedVends } from '#adapters/vend-measurement.ts';
import { recordVendRepairs } from '#adapters/vend-repairs.ts';
import * as decide from '#core/follow-up/follow-up.ts';
import { METRIC, type MetricPoint } from '#core/shared/metrics.ts';
import { expiresAtFor } from '#core/vend/ledger.ts';
import { addMetrics, emitVendMetrics, logger, metrics } from './shared/observability.ts';
import { type RecordFollowUpInput, recordFollowUpInput } from './shared/schemas.ts';
import { coldStart, type HandlerEnvironment } from './shared/wiring/environment.ts';
import { followedRuns, vendLedger } from './shared/wiring/ledger.ts';

export type RecordFollowUpDependencies = Pick<HandlerEnvironment, 'config' | 'now'> & {
  ledger: VendLedger;
  followedRuns: Pick<FollowedRuns, 'record'>;
};

/**
 * Writes the follow-up into the ledger and emits each metric once: repairs after LZA's
 * Security_Resources with the re-exposure they ended, and each vend's gap when its covering run
 * finished Customizations. Settling is a conditional write, so a duplicate event emits nothing.
 */
export function createHandler(dependencies: () => RecordFollowUpDependencies) {
  async function recordFollowUp(
    input: RecordFollowUpInput,
    _context: Context,
  ): Promise<decide.FollowUpTally> {
    const { ledger, now, config, followedRuns: followed } = dependencies();
    const nowIso = new Date(now()).toISOString();
    const tally = decide.emptyTally();
    // Shared-instance metrics are added at the end, with no await after them (see RecordEnforcement).
    const later: MetricPoint[] = [];
    for await (const { vend, repairs, failed } of recordVendRepairs(ledger, input.results)) {
      later.push(...decide.countRepairs(tally, repairs, failed));
      // This vend's own repairs: a clean vend after one that regressed is not worth a warning.
      if (decide.regressedOrFailed(repairs))
        logger.warn('RunAs re-verified after Security_Resources', { accountId: vend.accountId, repairs });
    }
    later.push(...decide.regressionsMetric(tally));
    emitVendMetrics(decide.repairsFailedMetrics(tally));
    for await (const measured of measureUnownedVends(ledger, input.plan.measure, input.execution, nowIso))
      emitVendMetrics(decide.countMeasured(tally, measured));
    for (const { decision, ...key } of input.plan.settlements) {
      const settlement = decide.settlementOf(decision);
      if (!(await ledger.settle(key, settlement.update, nowIso))) continue;
      later.push(...decide.countSettlement(tally, settlement));
      const { state: _state, note: reason, ...figures } = settlement.update;
      if (settlement.counts === 'closed') logger.info('vend gap closed', { ...key, ...figures, reason });
      else logger.warn('vend expired', { ...key, reason });
    }
    // The repair sweep started: its Security_Resources are followed (the reconciler skips them).
    if (input.plan.followed.length > 0)
      await followed.record(input.plan.followed, nowIso, expiresAtFor(nowIso, config.ledgerRetentionDays));
    // Re-driven MAX_REDRIVES times and still unverified: an operator must look (alarmed).
    if (input.plan.exhausted.length > 0) {
      logger.warn('vend re-drives exhausted', { vends: input.plan.exhausted });
      later.push({ name: METRIC.vendRedrivesExhausted, unit: 'Count', value: input.plan.exhausted.length });
    }
    // lza.measureGap auto with LZA's pipeline under another name: a configuration error (alarmed).
    if (input.plan.misnamedPipelines.length > 0)
      later.push({
        name: METRIC.lzaPipelineMisnamed,
        unit: 'Count',
        value: input.plan.misnamedPipelines.length,
      });
    addMetrics(later);
    logger.info('follow-up recorded', { mode: input.plan.mode, ...tally });
    return tally;
  }
  return middy()
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics))
    .use(parser({ schema: recordFollowUpInput }))
    .handler(recordFollowUp);
}

/** The Lambda's wiring: this handler's builders over its environment (read once per cold start). */
export function wire(environment: HandlerEnvironment): RecordFollowUpDependencies {
  return { ...environment, ledger: vendLedger(environment), followedRuns: followedRuns(environment) };
}

export const handler = createHandler(coldStart(wire));
