import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type * as z from 'zod/mini';
import { VendLedger } from '#adapters/vend-ledger.ts';
import { METRIC } from '#core/metrics.ts';
import { leaseUntil, measureVend, repairRecord } from '#core/vend-ledger.ts';
import { fromProcessEnvironment, type HandlerDependencies } from './shared/dependencies.ts';
import { logger, metrics } from './shared/observability.ts';
import { recordFollowUpInput } from './shared/schemas.ts';

export interface RecordFollowUpOutput {
  repaired: number;
  reverified: number;
  repairsFailed: number;
  closed: number;
  expired: number;
  measured: number;
}

/**
 * Writes the follow-up into the ledger and emits each metric once: repairs after LZA's
 * Security_Resources with the re-exposure they ended, and each vend's gap when its covering run
 * finished Customizations. Settling is a conditional write, so a duplicate event emits nothing.
 */
export function createHandler(dependencies: () => HandlerDependencies) {
  return middy(
    async (input: z.infer<typeof recordFollowUpInput>, _context: Context): Promise<RecordFollowUpOutput> => {
      const { ledger, now } = dependencies();
      const nowIso = new Date(now()).toISOString();
      const out: RecordFollowUpOutput = {
        repaired: 0,
        reverified: 0,
        repairsFailed: 0,
        closed: 0,
        expired: 0,
        measured: 0,
      };
      // Gap and repair metrics carry the service dimension only; the vend-level ones add Trigger, as RecordEnforcement's do.
      const vendMetric = (
        name: string,
        unit: (typeof MetricUnit)[keyof typeof MetricUnit],
        value: number,
      ) => {
        const single = metrics.singleMetric();
        single.addDimension('Trigger', 'vend');
        single.addMetric(name, unit, value);
      };

      // Shared-instance metrics are added at the end, with no await after them (see RecordEnforcement).
      const later: [string, (typeof MetricUnit)[keyof typeof MetricUnit], number][] = [];

      const byVend = new Map<string, typeof input.results>();
      for (const result of input.results) {
        const id = `${result.accountId}|${result.joinedAt}`;
        byVend.set(id, [...(byVend.get(id) ?? []), result]);
      }
      for (const results of byVend.values()) {
        const vend = { accountId: results[0]!.accountId, joinedAt: results[0]!.joinedAt };
        const record = await ledger.get(vend);
        if (!record) continue;
        const repairs = results.map((r) => repairRecord(r, r));
        const fixed = repairs.filter((r) => r.action !== 'failed').map((r) => r.region);
        const failing = repairs.filter((r) => r.action === 'failed').map((r) => r.region);
        const stillFailing = [
          ...new Set([...record.repairsFailed.filter((r) => !fixed.includes(r)), ...failing]),
        ].sort();
        await ledger.recordRepairs(vend, repairs, stillFailing);
        for (const repair of repairs) {
          if (repair.reexposedSeconds !== undefined) {
            out.repaired += 1;
            later.push([METRIC.runAsReexposedSeconds, MetricUnit.Seconds, repair.reexposedSeconds]);
          } else if (repair.action === 'failed') out.repairsFailed += 1;
          else out.reverified += 1;
        }
        if (out.repaired > 0 || failing.length > 0)
          logger.warn('RunAs re-verified after Security_Resources', { accountId: vend.accountId, repairs });
      }
      // Every re-verification counts, a zero too: it says LZA ran and nothing had regressed.
      if (out.repaired + out.reverified > 0)
        later.push([METRIC.runAsRegressionsRepaired, MetricUnit.Count, out.repaired]);
      if (out.repairsFailed > 0) vendMetric(METRIC.regionsFailed, MetricUnit.Count, out.repairsFailed);

      for (const key of input.plan.measure) {
        const claimed = await ledger.claim(
          key,
          { execution: input.execution, claimedAt: nowIso, leaseUntil: leaseUntil(nowIso), state: 'running' },
          nowIso,
        );
        const record = claimed ? await ledger.get(key) : undefined;
        const measurement = record && measureVend(record);
        if (!measurement) continue;
        if (await ledger.finishOwnership(key, input.execution, { measurement, measuredAt: nowIso })) {
          out.measured += 1;
          vendMetric(METRIC.vendToRunAsSeconds, MetricUnit.Seconds, measurement.exposureSeconds);
          if (measurement.roleWaitSeconds !== undefined)
            vendMetric(METRIC.roleWaitSeconds, MetricUnit.Seconds, measurement.roleWaitSeconds);
        }
      }

      for (const { decision, ...key } of input.plan.settlements) {
        if (decision.kind === 'close') {
          const { kind: _kind, reason, ...figures } = decision;
          if (!(await ledger.settle(key, { state: 'closed', note: reason, ...figures }, nowIso))) continue;
          out.closed += 1;
          later.push([
            METRIC.prepareToCustomizationsSeconds,
            MetricUnit.Seconds,
            figures.prepareToCustomizationsSeconds,
          ]);
          if (figures.gapClosedSeconds !== undefined)
            later.push([METRIC.gapClosedSeconds, MetricUnit.Seconds, figures.gapClosedSeconds]);
          logger.info('vend gap closed', { ...key, ...figures, reason });
        } else {
          if (!(await ledger.settle(key, { state: 'expired', note: decision.reason }, nowIso))) continue;
          out.expired += 1;
          later.push([METRIC.gapMeasurementTimedOut, MetricUnit.Count, 1]);
          logger.warn('vend expired', { ...key, reason: decision.reason });
        }
      }
      for (const [name, unit, value] of later) metrics.addMetric(name, unit, value);
      logger.info('follow-up recorded', { mode: input.plan.mode, ...out });
      return out;
    },
  )
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics))
    .use(parser({ schema: recordFollowUpInput }));
}

export const handler = createHandler(fromProcessEnvironment({ DynamoDBClient, VendLedger }));
