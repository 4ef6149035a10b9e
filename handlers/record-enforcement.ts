import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { z } from 'zod';
import { type EnforcementSummary, summarizeEnforcement } from '#core/enforcement.ts';
import { fromProcessEnvironment, type HandlerDependencies } from './shared/dependencies.ts';
import { logger, METRIC, metrics, tracer } from './shared/observability.ts';
import { recordEnforcementInput } from './shared/schemas.ts';

export interface RecordEnforcementOutput extends EnforcementSummary {
  /**
   * This execution wrote the first governed region, so it owns the per-vend measurements.
   * Duplicate deliveries lose that write race (optimistic concurrency) and do not measure.
   */
  measures: boolean;
  accountId: string;
  trigger: string;
  vendedAt: string;
  roleAssumableAt?: string;
}

/**
 * Emits the enforcement metrics (EMF) once per execution. Account ids go to metadata, never
 * to dimensions: the only dimensions are the service and the trigger kind.
 */
export function createHandler(dependencies: () => HandlerDependencies) {
  return middy(
    async (
      input: z.infer<typeof recordEnforcementInput>,
      _context: Context,
    ): Promise<RecordEnforcementOutput> => {
      dependencies();
      const { request, role, regions } = input;
      const summary = summarizeEnforcement(request.vendedAt, role?.assumableAt, regions);
      const first = regions.find((r) => r.region === request.regions[0]);
      const measures = request.isVend && (first?.action === 'created' || first?.action === 'updated');
      metrics.addDimension('Trigger', request.isVend ? 'vend' : 'request');
      metrics.addMetadata('accountId', request.accountId);
      metrics.addMetadata('trigger', request.trigger);
      metrics.addMetric(METRIC.regionsCompliant, MetricUnit.Count, summary.compliant);
      metrics.addMetric(METRIC.regionsFailed, MetricUnit.Count, summary.failed);
      metrics.addMetric(METRIC.regionsRefused, MetricUnit.Count, summary.refused);
      if (measures && summary.roleWaitSeconds !== undefined) {
        metrics.addMetric(METRIC.roleWaitSeconds, MetricUnit.Seconds, summary.roleWaitSeconds);
      }
      // Exposure only means something for a vend: a replay's "vend" time is just the request time.
      if (measures && summary.exposureSeconds !== undefined) {
        metrics.addMetric(METRIC.vendToRunAsSeconds, MetricUnit.Seconds, summary.exposureSeconds);
      }
      if (input.roleError)
        logger.error('member role never became assumable', {
          accountId: request.accountId,
          error: input.roleError.Error,
        });
      logger.info('enforcement recorded', { accountId: request.accountId, ...summary });
      return {
        accountId: request.accountId,
        trigger: request.trigger,
        vendedAt: request.vendedAt,
        ...(role ? { roleAssumableAt: role.assumableAt } : {}),
        ...summary,
        measures,
      };
    },
  )
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics))
    .use(parser({ schema: recordEnforcementInput }));
}

export const handler = createHandler(fromProcessEnvironment());
