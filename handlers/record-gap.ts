import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { z } from 'zod';
import { fromProcessEnvironment, type HandlerDependencies } from './shared/dependencies.ts';
import { logger, METRIC, metrics, tracer } from './shared/observability.ts';
import { recordGapInput } from './shared/schemas.ts';

export interface RecordGapOutput {
  accountId: string;
  timedOut: boolean;
  regressionsRepaired: number;
  /** At least how long RunAs was off again after LZA reset it (repaired regions, longest). */
  reexposedSeconds?: number;
  /** Regions LZA reset whose repair failed: the execution fails on them, as on a failed region. */
  repairsFailed: number;
  customizationsCompletedAt?: string;
  prepareToCustomizationsSeconds?: number;
  gapClosedSeconds?: number;
}

/** Emits the gap metrics once per measured vend. Account ids go to metadata only. */
export function createHandler(dependencies: () => HandlerDependencies) {
  return middy(async (input: z.infer<typeof recordGapInput>, _context: Context): Promise<RecordGapOutput> => {
    dependencies();
    const { request, gap } = input;
    const timedOut = gap.phase === 'timed-out';
    metrics.addMetadata('accountId', request.accountId);
    if (gap.pipelineExecutionId) metrics.addMetadata('pipelineExecutionId', gap.pipelineExecutionId);
    metrics.addMetric(METRIC.gapMeasurementTimedOut, MetricUnit.Count, timedOut ? 1 : 0);
    metrics.addMetric(METRIC.runAsRegressionsRepaired, MetricUnit.Count, gap.regressionsRepaired);
    if (gap.prepareToCustomizationsSeconds !== undefined) {
      metrics.addMetric(
        METRIC.prepareToCustomizationsSeconds,
        MetricUnit.Seconds,
        gap.prepareToCustomizationsSeconds,
      );
    }
    if (gap.reexposedSeconds !== undefined) {
      metrics.addMetric(METRIC.runAsReexposedSeconds, MetricUnit.Seconds, gap.reexposedSeconds);
    }
    if (gap.repairsFailed.length > 0) {
      // Counted with the enforcement outcomes, so that the RegionsFailed alarm sees them.
      const failed = metrics.singleMetric();
      failed.addDimension('Trigger', 'vend');
      failed.addMetadata('accountId', request.accountId);
      failed.addMetric(METRIC.regionsFailed, MetricUnit.Count, gap.repairsFailed.length);
      logger.error('RunAs stays reset after LZA Security_Resources', {
        accountId: request.accountId,
        regions: gap.repairsFailed,
      });
    }
    if (gap.gapClosedSeconds !== undefined) {
      // Negative when LZA was faster; CloudWatch accepts negative values.
      metrics.addMetric(METRIC.gapClosedSeconds, MetricUnit.Seconds, gap.gapClosedSeconds);
    }
    logger.info('gap recorded', {
      accountId: request.accountId,
      phase: gap.phase,
      gapClosedSeconds: gap.gapClosedSeconds,
    });
    return {
      accountId: request.accountId,
      timedOut,
      regressionsRepaired: gap.regressionsRepaired,
      repairsFailed: gap.repairsFailed.length,
      ...(gap.reexposedSeconds !== undefined ? { reexposedSeconds: gap.reexposedSeconds } : {}),
      ...(gap.customizationsCompletedAt ? { customizationsCompletedAt: gap.customizationsCompletedAt } : {}),
      ...(gap.prepareToCustomizationsSeconds !== undefined
        ? { prepareToCustomizationsSeconds: gap.prepareToCustomizationsSeconds }
        : {}),
      ...(gap.gapClosedSeconds !== undefined ? { gapClosedSeconds: gap.gapClosedSeconds } : {}),
    };
  })
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics))
    .use(parser({ schema: recordGapInput }));
}

export const handler = createHandler(fromProcessEnvironment());
