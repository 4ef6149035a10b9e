import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type * as z from 'zod/mini';
import { VendLedger } from '#adapters/vend-ledger.ts';
import { type EnforcementSummary, summarizeEnforcement } from '#core/enforcement.ts';
import { METRIC } from '#core/metrics.ts';
import { measureVend, type RegionVerification, type VendMeasurement } from '#core/vend-ledger.ts';
import { fromProcessEnvironment, type HandlerDependencies } from './shared/dependencies.ts';
import { logger, metrics } from './shared/observability.ts';
import { recordEnforcementInput } from './shared/schemas.ts';

export interface RecordEnforcementOutput extends EnforcementSummary {
  /** This execution stored the vend's exposure measurement (once per vend). */
  measures: boolean;
  /** `awaiting-enrollment`: an invited account without a member role; not a failure. */
  outcome: 'enforced' | 'role-unavailable' | 'awaiting-enrollment';
  accountId: string;
  trigger: string;
  vendedAt: string;
  roleAssumableAt?: string;
}

/**
 * Emits the enforcement metrics (EMF) and records the verification in the vend ledger. The
 * owner of a vend stores its exposure once, from the earliest verification of each region by
 * any execution; an owner that could not verify gives its claim up for a later execution.
 * Account ids go to metadata, never to dimensions.
 */
export function createHandler(dependencies: () => HandlerDependencies) {
  return middy(
    async (
      input: z.infer<typeof recordEnforcementInput>,
      _context: Context,
    ): Promise<RecordEnforcementOutput> => {
      const { config, ledger, now } = dependencies();
      const { request, role, regions, execution } = input;
      const summary = summarizeEnforcement(request.vendedAt, role?.assumableAt, regions);
      const awaitingEnrollment = input.roleError !== undefined && request.invited;
      const outcome = awaitingEnrollment
        ? 'awaiting-enrollment'
        : input.roleError
          ? 'role-unavailable'
          : 'enforced';
      let measures = false;
      let measured: VendMeasurement | undefined;
      if (request.isVend) {
        const vend = { accountId: request.accountId, joinedAt: request.vendedAt };
        const verified: Record<string, RegionVerification> = {};
        for (const r of regions) {
          if (r.status !== 'compliant' || !r.verifiedAt) continue;
          verified[r.region] = {
            verifiedAt: r.verifiedAt,
            ...(r.action ? { action: r.action } : {}),
            ...(r.latestVersion ? { latestVersion: r.latestVersion } : {}),
            ...(r.defaultVersion ? { defaultVersion: r.defaultVersion } : {}),
            ...(r.apply?.pruned?.length ? { pruned: r.apply.pruned } : {}),
          };
        }
        const record = await ledger.recordVerification(vend, verified, role?.assumableAt);
        const measurement = measureVend(record);
        if (request.owner) {
          const nowIso = new Date(now()).toISOString();
          if (measurement && summary.failed === 0 && summary.refused === 0) {
            measures = await ledger.finishOwnership(vend, execution, { measurement, measuredAt: nowIso });
            if (measures) {
              measured = measurement;
              // Nothing follows LZA for this vend: settle it now rather than at the reconciler's expiry.
              if (!config.lza.measureGap)
                await ledger.settle(
                  vend,
                  { state: 'closed', note: 'gap measurement is off (lza.measureGap is false)' },
                  nowIso,
                );
            }
          } else {
            await ledger.finishOwnership(
              vend,
              execution,
              awaitingEnrollment ? { awaitingEnrollment: true } : { failed: true },
            );
          }
        }
        logger.info('vend recorded', {
          accountId: request.accountId,
          joinedAt: request.vendedAt,
          owner: request.owner,
          measures,
          ...(measurement ?? {}),
        });
      }
      if (input.roleError && !awaitingEnrollment)
        logger.error('member role never became assumable', {
          accountId: request.accountId,
          error: input.roleError.Error,
        });
      if (awaitingEnrollment)
        logger.info('invited account has no member role yet; Control Tower enrollment will bootstrap it', {
          accountId: request.accountId,
        });
      // Metrics last, with no await after them: the local runtime runs invocations side by side in
      // one process, where an await would let another invocation's flush take these.
      metrics.addDimension('Trigger', request.isVend ? 'vend' : 'request');
      metrics.addMetadata('accountId', request.accountId);
      metrics.addMetadata('trigger', request.trigger);
      metrics.addMetric(METRIC.regionsCompliant, MetricUnit.Count, summary.compliant);
      metrics.addMetric(METRIC.regionsFailed, MetricUnit.Count, summary.failed);
      metrics.addMetric(METRIC.regionsRefused, MetricUnit.Count, summary.refused);
      if (awaitingEnrollment) metrics.addMetric(METRIC.accountsAwaitingEnrollment, MetricUnit.Count, 1);
      if (measured) {
        metrics.addMetric(METRIC.vendToRunAsSeconds, MetricUnit.Seconds, measured.exposureSeconds);
        if (measured.roleWaitSeconds !== undefined)
          metrics.addMetric(METRIC.roleWaitSeconds, MetricUnit.Seconds, measured.roleWaitSeconds);
      }
      logger.info('enforcement recorded', { accountId: request.accountId, outcome, ...summary });
      return {
        accountId: request.accountId,
        trigger: request.trigger,
        vendedAt: request.vendedAt,
        ...(role ? { roleAssumableAt: role.assumableAt } : {}),
        ...summary,
        measures,
        outcome,
      };
    },
  )
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics))
    .use(parser({ schema: recordEnforcementInput }));
}

export const handler = createHandler(fromProcessEnvironment({ DynamoDBClient, VendLedger }));
