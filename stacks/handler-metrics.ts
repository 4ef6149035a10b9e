import type { Duration } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import type { METRIC } from '#core/shared/metrics.ts';
import { pascalCase as pascal } from './construct-id.ts';

export type MetricName = (typeof METRIC)[keyof typeof METRIC];
export type TriggerKind = 'vend' | 'request';

/**
 * The dimensions each metric is emitted with, as the handlers' EMF carries them. Powertools always
 * adds `service`; RecordEnforcement adds `Trigger`, and emits the latencies for vends only. `null`:
 * the `service` dimension alone. A CloudWatch metric is one exact dimension set, so a series not
 * listed here is never charted or alarmed on.
 */
export const METRIC_TRIGGERS: { readonly [name in MetricName]: readonly TriggerKind[] | null } = {
  VendToRunAsSeconds: ['vend'],
  RoleWaitSeconds: ['vend'],
  RegionsCompliant: ['vend', 'request'],
  RegionsFailed: ['vend', 'request'],
  RegionsRefused: ['vend', 'request'],
  PrepareToCustomizationsSeconds: null,
  GapClosedSeconds: null,
  RunAsReexposedSeconds: null,
  RunAsRegressionsRepaired: null,
  GapMeasurementTimedOut: null,
  VendRedrivesExhausted: null,
  LzaPipelineMisnamed: null,
  AccountsAwaitingEnrollment: ['vend', 'request'],
  AccountsChecked: null,
  DriftDetected: null,
  DriftRepaired: null,
  SweepFailures: null,
  DocumentVersionsPruned: null,
  DocumentVersionLimitReached: null,
};

/** The handlers' EMF metrics as CloudWatch metrics, each with exactly the dimensions it is emitted with. */
export class HandlerMetrics {
  /**
   * @param namespace CloudWatch namespace of the handlers' EMF metrics (config.metricsNamespace).
   * @param serviceName The Powertools service name: the `service` dimension of every metric.
   */
  constructor(
    readonly namespace: string,
    readonly serviceName: string,
  ) {}

  /** One metric with one exact dimension set. */
  emf(
    name: MetricName,
    trigger: TriggerKind | undefined,
    statistic: string,
    period: Duration,
    label: string,
  ): cw.Metric {
    const triggers = METRIC_TRIGGERS[name];
    if (triggers && (!trigger || !triggers.includes(trigger))) {
      throw new Error(`Monitoring: ${name} is emitted with Trigger ${triggers.join(' or ')}, not ${trigger}`);
    }
    if (!triggers && trigger) throw new Error(`Monitoring: ${name} has no Trigger dimension`);
    return new cw.Metric({
      namespace: this.namespace,
      metricName: name,
      dimensionsMap: { service: this.serviceName, ...(trigger ? { Trigger: trigger } : {}) },
      statistic,
      period,
      label,
    });
  }

  /** The Sum of a count over every dimension set it is emitted with. */
  sum(name: MetricName, period: Duration, label: string): cw.IMetric {
    const triggers = METRIC_TRIGGERS[name];
    if (!triggers) return this.emf(name, undefined, 'Sum', period, label);
    if (triggers.length === 1) return this.emf(name, triggers[0], 'Sum', period, label);
    // Ids are unique per graph: `regionsFailedVend`, `regionsFailedRequest`.
    const id = (trigger: TriggerKind) => `${name.charAt(0).toLowerCase()}${name.slice(1)}${pascal(trigger)}`;
    const usingMetrics = Object.fromEntries(
      triggers.map((trigger) => [
        id(trigger),
        this.emf(name, trigger, 'Sum', period, `${label} (${trigger})`),
      ]),
    );
    return new cw.MathExpression({
      // FILL: a series with no point in a period would otherwise blank out the whole sum.
      expression: triggers.map((trigger) => `FILL(${id(trigger)}, 0)`).join(' + '),
      usingMetrics,
      label,
      period,
    });
  }
}
