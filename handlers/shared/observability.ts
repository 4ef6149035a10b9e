import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { MetricPoint } from '#core/metrics.ts';

/**
 * One Logger and one Metrics for every handler; configured by the POWERTOOLS_* environment.
 *
 * No Powertools Tracer: it loads the X-Ray SDK (with cls-hooked and semver, about 115 KB), which
 * would put the document handlers over their 500 KB bundle budget. Tracing stays on: Lambda's
 * active tracing records each invocation (its initialization, invocation and overhead) under the
 * Step Functions trace that started it; what is not recorded is a subsegment per AWS SDK call.
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
