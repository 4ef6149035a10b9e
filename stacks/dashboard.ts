import { Duration, Token } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { type Partition, partitionOf } from '#core/shared/arn.ts';
import { type HandlerMetrics, METRIC_TRIGGERS, type MetricName } from './handler-metrics.ts';

const COUNT_PERIOD = Duration.hours(1);
/** A few vends a day at most: a daily percentile is the smallest that means something. */
const LATENCY_PERIOD = Duration.days(1);
const SWEEP_PERIOD = Duration.days(1);

type Statistics = readonly { statistic: string; label: string }[];

/**
 * The unit a latency is drawn in. LZA's window runs 30–90 minutes, so its figures would read as
 * thousands of seconds: those graphs divide by 60 in a math expression and say minutes.
 */
type LatencyUnit = 'seconds' | 'minutes';

const LATENCY_STATISTICS: Statistics = [
  { statistic: 'p50', label: 'p50' },
  { statistic: 'p90', label: 'p90' },
  { statistic: 'Maximum', label: 'max' },
];

/**
 * GapClosedSeconds is negative when LZA was faster, and CloudWatch offers no percentile for a
 * period holding a negative value: it is charted by average, minimum and maximum instead.
 */
const SIGNED_STATISTICS: Statistics = [
  { statistic: 'Average', label: 'average' },
  { statistic: 'Minimum', label: 'min' },
  { statistic: 'Maximum', label: 'max' },
];

/** The console's domain per partition; elsewhere no dashboard URL is printed. */
const CONSOLE_DOMAIN: Partial<Record<Partition, string>> = {
  aws: 'console.aws.amazon.com',
  'aws-us-gov': 'console.amazonaws-us-gov.com',
  'aws-cn': 'console.amazonaws.cn',
};

export interface MonitoringDashboardProps {
  dashboardName: string;
  metrics: HandlerMetrics;
  /** The alarms to list: the array itself, so alarms added to it later are listed too. */
  alarms: cw.Alarm[];
  /** Drawn on the exposure graph (notifications.exposureP90AlarmSeconds). */
  exposureP90AlarmSeconds: number;
  /** The vend rules' dead-letter queue. */
  deadLetterQueue: sqs.IQueue;
}

/**
 * The bootstrapper's dashboard: exposure and gap latencies, outcomes per hour, the executions of
 * each state machine (added by `chartStateMachine`), and the drift sweep.
 */
export class MonitoringDashboard extends cw.Dashboard {
  readonly #executionsCompleted: cw.GraphWidget;
  readonly #executionsFailed: cw.GraphWidget;

  constructor(scope: Construct, id: string, props: MonitoringDashboardProps) {
    // Filled in by chartStateMachine, one line per state machine and outcome.
    const executionsCompleted = countGraph(
      'Executions started and succeeded (count per hour)',
      12,
      'executions',
    );
    const executionsFailed = countGraph(
      'Executions failed, timed out or aborted (count per hour)',
      12,
      'executions',
    );
    super(scope, id, {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.days(14),
      // Keep each widget's own period: CloudWatch's "auto" would coarsen the hourly counts.
      periodOverride: cw.PeriodOverride.INHERIT,
    });
    this.#executionsCompleted = executionsCompleted;
    this.#executionsFailed = executionsFailed;
    this.#layOut(props);
  }

  /** Chart the state machine's started, succeeded, failed, timed-out and aborted executions. */
  chartStateMachine(stateMachine: sfn.IStateMachine, label: string): void {
    const hourly = { period: COUNT_PERIOD, statistic: 'Sum' };
    this.#executionsCompleted.addLeftMetric(
      stateMachine.metricStarted({ ...hourly, label: `${label} started` }),
    );
    this.#executionsCompleted.addLeftMetric(
      stateMachine.metricSucceeded({ ...hourly, label: `${label} succeeded` }),
    );
    this.#executionsFailed.addLeftMetric(stateMachine.metricFailed({ ...hourly, label: `${label} failed` }));
    this.#executionsFailed.addLeftMetric(
      stateMachine.metricTimedOut({ ...hourly, label: `${label} timed out` }),
    );
    this.#executionsFailed.addLeftMetric(
      stateMachine.metricAborted({ ...hourly, label: `${label} aborted` }),
    );
  }

  #layOut({ metrics, alarms, exposureP90AlarmSeconds, deadLetterQueue }: MonitoringDashboardProps): void {
    this.addWidgets(...headlineRow(metrics, alarms));
    // Two full rows of three (24 columns each): no graph alone on a row.
    this.addWidgets(...latencyRow(metrics, exposureP90AlarmSeconds));
    this.addWidgets(...gapRow(metrics));
    this.addWidgets(...outcomeRow(metrics, deadLetterQueue));
    this.addWidgets(this.#executionsCompleted, this.#executionsFailed);
    this.addWidgets(...sweepRow(metrics));
  }
}

/** What the dashboard shows, the alarms, and the two headline figures. */
function headlineRow(metrics: HandlerMetrics, alarms: cw.Alarm[]): cw.IWidget[] {
  return [
    new cw.TextWidget({
      width: 6,
      height: 5,
      markdown: [
        '## runas-bootstrapper',
        'How long new accounts accept `ssm-user` sessions, and how much of the LZA',
        'PREPARE-to-CUSTOMIZATIONS gap the bootstrapper closes.',
        '',
        'Latencies: daily p50 / p90 / max (gap closed, which can be negative: average / min / max).',
        'Counts: per hour. Alarms notify the failure topic.',
      ].join('\n'),
    }),
    // The live list: alarms added later by monitorStateMachine appear here too.
    new cw.AlarmStatusWidget({
      title: 'Alarms',
      alarms,
      width: 10,
      height: 5,
      sortBy: cw.AlarmStatusWidgetSortBy.STATE_UPDATED_TIMESTAMP,
    }),
    new cw.SingleValueWidget({
      title: 'Exposure p90, latest day (seconds)',
      width: 4,
      height: 5,
      metrics: [metrics.emf('VendToRunAsSeconds', 'vend', 'p90', LATENCY_PERIOD, 'Vend to RunAs p90')],
      sparkline: true,
    }),
    new cw.SingleValueWidget({
      title: 'Gap closed, average of the latest day (minutes)',
      width: 4,
      height: 5,
      metrics: [
        inMinutes(
          metrics.emf('GapClosedSeconds', undefined, 'Average', LATENCY_PERIOD, 'Gap closed, average'),
          'average',
          'Gap closed, average',
        ),
      ],
      sparkline: true,
    }),
  ];
}

/** Exposure, the member role wait and LZA's own window. */
function latencyRow(metrics: HandlerMetrics, exposureP90AlarmSeconds: number): cw.IWidget[] {
  return [
    latencyGraph(
      metrics,
      'VendToRunAsSeconds',
      'Exposure: vend to RunAs verified (seconds)',
      [
        {
          value: exposureP90AlarmSeconds,
          label: `p90 alarm (${exposureP90AlarmSeconds} s)`,
          color: '#d62728',
        },
      ],
      LATENCY_STATISTICS,
      8,
    ),
    latencyGraph(
      metrics,
      'RoleWaitSeconds',
      'Vend to member role assumable (seconds)',
      [],
      LATENCY_STATISTICS,
      8,
    ),
    latencyGraph(
      metrics,
      'PrepareToCustomizationsSeconds',
      'LZA: vend to Customizations done (minutes)',
      [],
      LATENCY_STATISTICS,
      8,
      'minutes',
    ),
  ];
}

/** The gap closed, RunAs re-exposed after LZA, and the share of LZA's window closed. */
function gapRow(metrics: HandlerMetrics): cw.IWidget[] {
  return [
    latencyGraph(
      metrics,
      'GapClosedSeconds',
      'Gap closed: Customizations done minus RunAs verified (minutes)',
      [],
      SIGNED_STATISTICS,
      8,
      'minutes',
    ),
    latencyGraph(
      metrics,
      'RunAsReexposedSeconds',
      'RunAs off again after LZA reset it, until repaired, at least (seconds)',
      [],
      LATENCY_STATISTICS,
      8,
    ),
    new cw.SingleValueWidget({
      title: 'LZA window closed, latest day (%)',
      width: 8,
      height: 6,
      // The demo's headline share: the gap closed over the window LZA alone leaves open (vend to
      // Customizations), summed over the day's vends.
      metrics: [
        new cw.MathExpression({
          expression: '100 * closed / window',
          usingMetrics: {
            closed: metrics.emf('GapClosedSeconds', undefined, 'Sum', LATENCY_PERIOD, 'Gap closed, sum'),
            window: metrics.emf(
              'PrepareToCustomizationsSeconds',
              METRIC_TRIGGERS.PrepareToCustomizationsSeconds?.[0],
              'Sum',
              LATENCY_PERIOD,
              'LZA window, sum',
            ),
          },
          label: '% of the LZA window closed',
          period: LATENCY_PERIOD,
        }),
      ],
      sparkline: true,
    }),
  ];
}

/** Regions by outcome, the LZA follow-up, and the dead letters. */
function outcomeRow(metrics: HandlerMetrics, deadLetterQueue: sqs.IQueue): cw.IWidget[] {
  return [
    countGraph('Regions enforced, by outcome (count per hour)', 8, 'regions', [
      metrics.sum('RegionsCompliant', COUNT_PERIOD, 'Compliant'),
      metrics.sum('RegionsFailed', COUNT_PERIOD, 'Failed'),
      metrics.sum('RegionsRefused', COUNT_PERIOD, 'Refused'),
    ]),
    countGraph('LZA follow-up (count per hour)', 8, 'count', [
      metrics.sum('RunAsRegressionsRepaired', COUNT_PERIOD, 'RunAs regressions repaired'),
      metrics.sum('GapMeasurementTimedOut', COUNT_PERIOD, 'Gap measurements timed out'),
    ]),
    countGraph('Vend events in the dead-letter queue (messages)', 8, 'messages', [
      deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        statistic: 'Maximum',
        period: COUNT_PERIOD,
        label: 'Messages visible (max)',
      }),
    ]),
  ];
}

/** The drift sweep, per day. */
function sweepRow(metrics: HandlerMetrics): cw.IWidget[] {
  return [
    new cw.TextWidget({
      width: 6,
      height: 6,
      markdown: [
        '### Drift sweep',
        'Per day, summed over the batches of every sweep (scheduled or on demand).',
        'Drift detected but not repaired: the sweep ran in check mode, or the region was refused.',
      ].join('\n'),
    }),
    countGraph('Sweep: accounts checked, drift detected and repaired (count per day)', 18, 'count', [
      metrics.sum('AccountsChecked', SWEEP_PERIOD, 'Accounts checked'),
      metrics.sum('DriftDetected', SWEEP_PERIOD, 'Drift detected'),
      metrics.sum('DriftRepaired', SWEEP_PERIOD, 'Drift repaired'),
      metrics.sum('SweepFailures', SWEEP_PERIOD, 'Failures (regions, accounts)'),
    ]),
  ];
}

/**
 * One series per statistic of a latency (p50, p90 and max by default); percentiles cannot be added
 * up, so one dimension set only. In minutes, each series is its metric divided by 60, the metric
 * itself a hidden input of that expression.
 */
function latencyGraph(
  metrics: HandlerMetrics,
  name: MetricName,
  title: string,
  annotations: cw.HorizontalAnnotation[] = [],
  statistics: Statistics = LATENCY_STATISTICS,
  width = 6,
  unit: LatencyUnit = 'seconds',
): cw.GraphWidget {
  const triggers = METRIC_TRIGGERS[name];
  if (triggers && triggers.length !== 1) throw new Error(`Monitoring: ${name} has several dimension sets`);
  const trigger = triggers?.[0];
  return new cw.GraphWidget({
    title,
    width,
    height: 6,
    left: statistics.map(({ statistic, label }) => {
      const metric = metrics.emf(name, trigger, statistic, LATENCY_PERIOD, label);
      return unit === 'minutes' ? inMinutes(metric, label, label) : metric;
    }),
    leftYAxis: { label: unit, showUnits: false },
    leftAnnotations: annotations,
  });
}

/** A metric in seconds, drawn in minutes. `id` names the hidden input: unique within a widget. */
function inMinutes(seconds: cw.IMetric, id: string, label: string): cw.IMetric {
  return new cw.MathExpression({
    expression: `${id} / 60`,
    usingMetrics: { [id]: seconds },
    label,
    period: LATENCY_PERIOD,
  });
}

/** A graph of counts: its axis starts at zero and names what is counted. */
function countGraph(title: string, width: number, unit: string, left: cw.IMetric[] = []): cw.GraphWidget {
  return new cw.GraphWidget({
    title,
    width,
    height: 6,
    left,
    leftYAxis: { min: 0, label: unit, showUnits: false },
  });
}

/** The console URL of a dashboard, when the region and name are known at synth and the partition has a public console. */
export function dashboardUrl(region: string, dashboardName: string): string | undefined {
  if (Token.isUnresolved(region) || Token.isUnresolved(dashboardName)) return undefined;
  const domain = CONSOLE_DOMAIN[partitionOf(region)];
  if (!domain) return undefined;
  return `https://${domain}/cloudwatch/home?region=${region}#dashboards/dashboard/${encodeURIComponent(dashboardName)}`;
}
