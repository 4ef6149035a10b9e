import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { MetricPoint } from '#core/shared/metrics.ts';

/**
 * One Logger and one Metrics for every handler; configured by the POWERTOOLS_* environment.
 *
 * No Powertools Tracer: it loads the X-Ray SDK with cls-hooked and semver, which put the document
 * handlers at 604 KB against a 500 KB bundle budget (483 KB without it, measured with the
 * stack's bundling). Tracing stays on: with active tracing, Lambda records each invocation's
 * initialization, invocation and overhead in X-Ray (AWS Lambda developer guide, X-Ray); what is
 * not recorded without the SDK is a subsegment per AWS SDK call.
 */
export const logger = new Logger({ serviceName: 'runas-bootstrapper' });
// Metrics' own warnings (an empty flush, a repeated dimension) go through the same structured
// logger, at its level, rather than to the console.
export const metrics = new Metrics({ serviceName: 'runas-bootstrapper', logger });

/** The data points core chose, on the shared instance: logMetrics flushes them when the invocation ends. */
export function addMetrics(points: readonly MetricPoint[]): void {
  for (const { name, unit, value } of points) metrics.addMetric(name, unit, value);
}

/**
 * Vend-level data points written at once, each on its own with the Trigger dimension, as
 * RecordEnforcement's vend metrics carry it; the shared instance's metrics carry the service
 * dimension only.
 */
export function emitVendMetrics(points: readonly MetricPoint[]): void {
  for (const { name, unit, value } of points) {
    const single = metrics.singleMetric();
    single.addDimension('Trigger', 'vend');
    single.addMetric(name, unit, value);
  }
}
