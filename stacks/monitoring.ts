import { ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { type Partition, partitionOf } from '#core/arn.ts';
// Type-only: the names are checked against the handlers' contract without loading Powertools at synth.
import type { METRIC } from '#core/metrics.ts';
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
  AccountsAwaitingEnrollment: ['vend', 'request'],
  AccountsChecked: null,
  DriftDetected: null,
  DriftRepaired: null,
  SweepFailures: null,
  DocumentVersionsPruned: null,
  DocumentVersionLimitReached: null,
};

/** Output keys of the stack, fixed so operators and scripts can find them. */
export const FAILURE_TOPIC_ARN_OUTPUT = 'FailureTopicArn';
export const DASHBOARD_NAME_OUTPUT = 'DashboardName';
export const DASHBOARD_URL_OUTPUT = 'DashboardUrl';

/** Failure alarms look at short windows, so a notification follows the failure within minutes. */
export const FAILURE_ALARM_PERIOD = Duration.minutes(5);
/** Vends are rare: the exposure p90 is taken over an hour's vends. */
export const EXPOSURE_ALARM_PERIOD = Duration.hours(1);
/** A sweep takes minutes to hours; one alarm per day's sweep is enough. */
export const SWEEP_ALARM_PERIOD = Duration.hours(6);
const COUNT_PERIOD = Duration.hours(1);
/** A few vends a day at most: a daily percentile is the smallest that means something. */
const LATENCY_PERIOD = Duration.days(1);
const SWEEP_PERIOD = Duration.days(1);

type Statistics = readonly { statistic: string; label: string }[];

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

export interface MonitoringProps {
  /** CloudWatch namespace of the handlers' EMF metrics (config.metricsNamespace). */
  namespace: string;
  /** The Powertools service name: the `service` dimension of every metric. */
  serviceName: string;
  /** Alarm when the hourly p90 of VendToRunAsSeconds is above this (notifications.exposureP90AlarmSeconds). */
  exposureP90AlarmSeconds: number;
  /** Subscribed to the failure topic when set (notifications.email). */
  email?: string;
  /** The vend rules' dead-letter queue. */
  deadLetterQueue: sqs.IQueue;
  /** State machines whose failed executions raise an alarm, by label (letters and digits). */
  stateMachines: Readonly<Record<string, sfn.IStateMachine>>;
}

/**
 * The dashboard, the alarms and the failure topic. Alarm names start with the stack name, which is
 * what the topic and key policies allow CloudWatch to publish for.
 */
export class Monitoring extends Construct {
  readonly topic: sns.Topic;
  readonly topicKey: kms.Key;
  readonly dashboard: cw.Dashboard;
  /** Every alarm, in creation order; each notifies the topic. */
  readonly alarms: cw.Alarm[] = [];
  readonly executionFailureAlarms: Record<string, cw.Alarm> = {};
  readonly regionsFailedAlarm: cw.Alarm;
  readonly sweepFailuresAlarm: cw.Alarm;
  readonly exposureAlarm: cw.Alarm;
  readonly deadLetterAlarm: cw.Alarm;
  readonly versionLimitAlarm: cw.Alarm;

  readonly #props: MonitoringProps;
  readonly #alarmNamePrefix: string;
  readonly #topicAction: SnsAction;
  readonly #executionsCompleted: cw.GraphWidget;
  readonly #executionsFailed: cw.GraphWidget;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.#props = props;
    const stack = Stack.of(this);
    this.#alarmNamePrefix = `${stack.stackName}-`;

    const topic = this.#failureTopic(stack, props.email);
    this.topic = topic.topic;
    this.topicKey = topic.key;
    this.#topicAction = new SnsAction(this.topic);

    this.regionsFailedAlarm = this.#addAlarm(
      'RegionsFailedAlarm',
      this.#sum('RegionsFailed', FAILURE_ALARM_PERIOD, 'Regions failed'),
      {
        alarmName: 'RegionsFailed',
        threshold: 0,
        // No data means no enforcement was recorded in the window: nothing can have failed.
        treatMissingData: cw.TreatMissingData.NOT_BREACHING,
        alarmDescription:
          'At least one governed region could not be given the RunAs preferences in the last 5 minutes ' +
          '(vend or replay). Find the account in the RecordEnforcement log ("enforcement recorded", failed > 0) ' +
          'or in the failed execution, run `runas-bootstrapper check --account-id <id>` to see each region, fix ' +
          'the cause (member role, region opt-in, throttling), then `runas-bootstrapper replay --account-id <id> --wait`.',
      },
    );

    this.sweepFailuresAlarm = this.#addAlarm(
      'SweepFailuresAlarm',
      this.#sum('SweepFailures', SWEEP_ALARM_PERIOD, 'Sweep failures'),
      {
        alarmName: 'SweepFailures',
        threshold: 0,
        // No data means no sweep batch was recorded in the window: nothing can have failed.
        treatMissingData: cw.TreatMissingData.NOT_BREACHING,
        alarmDescription:
          'The sweep could not check or repair at least one account × region, could not assume the member role ' +
          'of an account, or left a batch of accounts unswept (it catches per-account failures, so its execution ' +
          'may still succeed). The RecordSweep log lists each "sweep finding" with its account and regions; run ' +
          '`runas-bootstrapper check --account-id <id>` to see why, fix the cause (member role, region opt-in, ' +
          'throttling), then `runas-bootstrapper sweep --repair` or `replay --account-id <id> --wait`.',
      },
    );

    this.exposureAlarm = this.#addAlarm(
      'ExposureP90Alarm',
      this.#emf('VendToRunAsSeconds', 'vend', 'p90', EXPOSURE_ALARM_PERIOD, 'Vend to RunAs p90'),
      {
        alarmName: 'VendToRunAsP90',
        threshold: props.exposureP90AlarmSeconds,
        // No data means no vend was measured in the hour: there is no exposure to judge.
        treatMissingData: cw.TreatMissingData.NOT_BREACHING,
        alarmDescription:
          `The p90 of VendToRunAsSeconds (vend to RunAs verified in every governed region) over the last hour ` +
          `is above ${props.exposureP90AlarmSeconds} s: new accounts accepted ssm-user sessions for longer. ` +
          'On the dashboard, compare RoleWaitSeconds: if the role wait dominates, the vend itself was slow. ' +
          'Otherwise look in the Bootstrap executions for ApplyPreferences retries (DocumentBusyError, ' +
          'throttling). If the threshold is too tight, raise notifications.exposureP90AlarmSeconds.',
      },
    );

    this.versionLimitAlarm = this.#addAlarm(
      'DocumentVersionLimitAlarm',
      this.#sum('DocumentVersionLimitReached', FAILURE_ALARM_PERIOD, 'Version limit reached'),
      {
        alarmName: 'DocumentVersionLimitReached',
        threshold: 0,
        // No data means no write hit the limit in the window.
        treatMissingData: cw.TreatMissingData.NOT_BREACHING,
        alarmDescription:
          "A write of SSM-SessionManagerRunShell hit SSM's 1,000-version limit and no version was pruned " +
          '(documentVersionPruning.enabled is false, or every old version is the default or among the newest ' +
          'keepNewest). The ApplyPreferences log names the account and region (DocumentVersionLimitError). ' +
          'Delete old versions there by hand (aws ssm delete-document --name SSM-SessionManagerRunShell ' +
          '--document-version <n>), or turn pruning on, then `runas-bootstrapper replay --account-id <id> --wait`.',
      },
    );

    this.deadLetterAlarm = this.#addAlarm(
      'DeadLetterAlarm',
      props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        statistic: 'Maximum',
        period: FAILURE_ALARM_PERIOD,
        label: 'Vend events in the dead-letter queue',
      }),
      {
        alarmName: 'VendEventDeadLetters',
        threshold: 0,
        // SQS stops reporting a queue that is empty and untouched: no data means no dead letters.
        treatMissingData: cw.TreatMissingData.NOT_BREACHING,
        // A queue stays non-empty until someone acts, so OK is news: the dead letters were handled.
        notifyOnOk: true,
        alarmDescription:
          'A vend event could not start the Bootstrap state machine after every EventBridge retry and is in the ' +
          `dead-letter queue ${props.deadLetterQueue.queueName}. Read the message: its ERROR_CODE and ` +
          'ERROR_MESSAGE attributes say why, and the event names the account. Fix the cause, run ' +
          '`runas-bootstrapper replay --account-id <id> --wait`, then delete the message.',
      },
    );

    // Filled in by monitorStateMachine, one line per state machine and outcome.
    this.#executionsCompleted = countGraph(
      'Executions started and succeeded (count per hour)',
      12,
      'executions',
    );
    this.#executionsFailed = countGraph(
      'Executions failed, timed out or aborted (count per hour)',
      12,
      'executions',
    );

    const dashboardName = stack.stackName;
    this.dashboard = new cw.Dashboard(this, 'Dashboard', {
      dashboardName,
      defaultInterval: Duration.days(14),
      // Keep each widget's own period: CloudWatch's "auto" would coarsen the hourly counts.
      periodOverride: cw.PeriodOverride.INHERIT,
    });
    this.#layOutDashboard();

    for (const [label, stateMachine] of Object.entries(props.stateMachines)) {
      this.monitorStateMachine(stateMachine, label);
    }
    this.node.addValidation({
      validate: () =>
        Object.keys(this.executionFailureAlarms).length === 0
          ? ['Monitoring needs at least one state machine (an execution graph with no metric is invalid)']
          : [],
    });

    this.#outputs(stack, dashboardName);
  }

  /**
   * Alarm on the state machine's failed, timed-out and aborted executions, and chart its executions.
   * `label` names the alarm and the dashboard lines: letters and digits, unique per construct.
   */
  monitorStateMachine(stateMachine: sfn.IStateMachine, label: string): cw.Alarm {
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(label)) {
      throw new Error(`Monitoring: state machine label "${label}" must be letters and digits`);
    }
    if (this.executionFailureAlarms[label]) {
      throw new Error(`Monitoring: state machine label "${label}" is already monitored`);
    }
    const period = FAILURE_ALARM_PERIOD;
    const failures = new cw.MathExpression({
      // FILL: Step Functions publishes only the outcomes that happened, and a sum with a missing
      // term is missing, so one failure alone would never reach the alarm.
      expression: 'FILL(failed, 0) + FILL(timedOut, 0) + FILL(aborted, 0)',
      usingMetrics: {
        failed: stateMachine.metricFailed({ period }),
        timedOut: stateMachine.metricTimedOut({ period }),
        aborted: stateMachine.metricAborted({ period }),
      },
      label: `${label} executions failed, timed out or aborted`,
      period,
    });
    const alarm = this.#addAlarm(`${label}ExecutionsFailedAlarm`, failures, {
      alarmName: `${label}ExecutionsFailed`,
      threshold: 0,
      // Step Functions publishes nothing while no execution ends: nothing can have failed.
      treatMissingData: cw.TreatMissingData.NOT_BREACHING,
      alarmDescription:
        `An execution of the ${label} state machine failed, timed out or was aborted in the last 5 minutes. ` +
        `In the Step Functions console, filter the ${label} executions by status and read the failed ` +
        "state's error and cause (the execution log group has the full input). A RegionsFailedError names " +
        'failed or refused regions: see `runas-bootstrapper check --account-id <id>`. After fixing the ' +
        'cause, `runas-bootstrapper replay --account-id <id> --wait`.',
    });
    this.executionFailureAlarms[label] = alarm;

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
    return alarm;
  }

  #failureTopic(stack: Stack, email: string | undefined): { topic: sns.Topic; key: kms.Key } {
    const topicName = `${stack.stackName}-failures`;
    // Computed, not `topic.topicArn`: the key policy cannot refer to the topic that refers to the key.
    const topicArn = stack.formatArn({ service: 'sns', resource: topicName });
    const alarmArns = stack.formatArn({
      service: 'cloudwatch',
      resource: 'alarm',
      resourceName: `${this.#alarmNamePrefix}*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const fromOurAlarms = {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: { 'aws:SourceArn': alarmArns },
    };

    const key = new kms.Key(this, 'TopicKey', {
      description: `${stack.stackName}: encrypts the failure notification topic`,
      enableKeyRotation: true,
      // It protects only notifications in flight; a retained key would outlive its topic for nothing.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    // CloudWatch itself needs the key to publish to an encrypted topic (the account's kms:* does not
    // extend to service principals); without it alarm notifications are dropped silently.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublishToFailureTopic',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: {
          ...fromOurAlarms,
          StringEquals: {
            ...fromOurAlarms.StringEquals,
            'kms:EncryptionContext:aws:sns:topicArn': topicArn,
          },
        },
      }),
    );

    const topic = new sns.Topic(this, 'FailureTopic', {
      topicName,
      displayName: 'runas-bootstrapper failures',
      masterKey: key,
      enforceSSL: true,
    });
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: fromOurAlarms,
      }),
    );
    if (email) topic.addSubscription(new EmailSubscription(email));
    return { topic, key };
  }

  /** A further alarm on the failure topic, named after the stack like the others. */
  addFailureAlarm(
    id: string,
    metric: cw.IMetric,
    options: {
      alarmName: string;
      threshold: number;
      treatMissingData: cw.TreatMissingData;
      alarmDescription: string;
    },
  ): cw.Alarm {
    return this.#addAlarm(id, metric, options);
  }

  #addAlarm(
    id: string,
    metric: cw.IMetric,
    options: {
      alarmName: string;
      threshold: number;
      treatMissingData: cw.TreatMissingData;
      alarmDescription: string;
      notifyOnOk?: boolean;
    },
  ): cw.Alarm {
    const alarm = new cw.Alarm(this, id, {
      metric,
      alarmName: `${this.#alarmNamePrefix}${options.alarmName}`,
      alarmDescription: options.alarmDescription,
      threshold: options.threshold,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: options.treatMissingData,
    });
    alarm.addAlarmAction(this.#topicAction);
    // Failures are events: the next quiet period turns the alarm OK, which is no news.
    if (options.notifyOnOk) alarm.addOkAction(this.#topicAction);
    this.alarms.push(alarm);
    return alarm;
  }

  /** One handler metric with the exact dimensions its EMF carries. */
  #emf(
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
      namespace: this.#props.namespace,
      metricName: name,
      dimensionsMap: { service: this.#props.serviceName, ...(trigger ? { Trigger: trigger } : {}) },
      statistic,
      period,
      label,
    });
  }

  /** The Sum of a count over every dimension set it is emitted with. */
  #sum(name: MetricName, period: Duration, label: string): cw.IMetric {
    const triggers = METRIC_TRIGGERS[name];
    if (!triggers) return this.#emf(name, undefined, 'Sum', period, label);
    if (triggers.length === 1) return this.#emf(name, triggers[0], 'Sum', period, label);
    // Ids are unique per graph: `regionsFailedVend`, `regionsFailedRequest`.
    const id = (trigger: TriggerKind) => `${name.charAt(0).toLowerCase()}${name.slice(1)}${pascal(trigger)}`;
    const usingMetrics = Object.fromEntries(
      triggers.map((trigger) => [
        id(trigger),
        this.#emf(name, trigger, 'Sum', period, `${label} (${trigger})`),
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

  /** p50, p90 and max of a latency; percentiles cannot be added up, so one dimension set only. */
  #latencyGraph(
    name: MetricName,
    title: string,
    annotations: cw.HorizontalAnnotation[] = [],
    statistics: Statistics = LATENCY_STATISTICS,
  ): cw.GraphWidget {
    const triggers = METRIC_TRIGGERS[name];
    if (triggers && triggers.length !== 1) throw new Error(`Monitoring: ${name} has several dimension sets`);
    const trigger = triggers?.[0];
    return new cw.GraphWidget({
      title,
      width: 6,
      height: 6,
      left: statistics.map(({ statistic, label }) =>
        this.#emf(name, trigger, statistic, LATENCY_PERIOD, label),
      ),
      leftYAxis: { label: 'seconds', showUnits: false },
      leftAnnotations: annotations,
    });
  }

  #layOutDashboard(): void {
    const { exposureP90AlarmSeconds } = this.#props;
    this.dashboard.addWidgets(
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
        alarms: this.alarms,
        width: 10,
        height: 5,
        sortBy: cw.AlarmStatusWidgetSortBy.STATE_UPDATED_TIMESTAMP,
      }),
      new cw.SingleValueWidget({
        title: 'Exposure p90, latest day (seconds)',
        width: 4,
        height: 5,
        metrics: [this.#emf('VendToRunAsSeconds', 'vend', 'p90', LATENCY_PERIOD, 'Vend to RunAs p90')],
        sparkline: true,
      }),
      new cw.SingleValueWidget({
        title: 'Gap closed, average of the latest day (seconds)',
        width: 4,
        height: 5,
        metrics: [this.#emf('GapClosedSeconds', undefined, 'Average', LATENCY_PERIOD, 'Gap closed, average')],
        sparkline: true,
      }),
    );
    this.dashboard.addWidgets(
      this.#latencyGraph('VendToRunAsSeconds', 'Exposure: vend to RunAs verified (seconds)', [
        {
          value: exposureP90AlarmSeconds,
          label: `p90 alarm (${exposureP90AlarmSeconds} s)`,
          color: '#d62728',
        },
      ]),
      this.#latencyGraph('RoleWaitSeconds', 'Vend to member role assumable (seconds)'),
      this.#latencyGraph('PrepareToCustomizationsSeconds', 'LZA: vend to Customizations done (seconds)'),
      this.#latencyGraph(
        'GapClosedSeconds',
        'Gap closed: Customizations done minus RunAs verified (seconds)',
        [],
        SIGNED_STATISTICS,
      ),
      this.#latencyGraph(
        'RunAsReexposedSeconds',
        'RunAs off again after LZA reset it, until repaired, at least (seconds)',
      ),
    );
    this.dashboard.addWidgets(
      countGraph('Regions enforced, by outcome (count per hour)', 8, 'regions', [
        this.#sum('RegionsCompliant', COUNT_PERIOD, 'Compliant'),
        this.#sum('RegionsFailed', COUNT_PERIOD, 'Failed'),
        this.#sum('RegionsRefused', COUNT_PERIOD, 'Refused'),
      ]),
      countGraph('LZA follow-up (count per hour)', 8, 'count', [
        this.#sum('RunAsRegressionsRepaired', COUNT_PERIOD, 'RunAs regressions repaired'),
        this.#sum('GapMeasurementTimedOut', COUNT_PERIOD, 'Gap measurements timed out'),
      ]),
      countGraph('Vend events in the dead-letter queue (messages)', 8, 'messages', [
        this.#props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          statistic: 'Maximum',
          period: COUNT_PERIOD,
          label: 'Messages visible (max)',
        }),
      ]),
    );
    this.dashboard.addWidgets(this.#executionsCompleted, this.#executionsFailed);
    this.dashboard.addWidgets(
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
        this.#sum('AccountsChecked', SWEEP_PERIOD, 'Accounts checked'),
        this.#sum('DriftDetected', SWEEP_PERIOD, 'Drift detected'),
        this.#sum('DriftRepaired', SWEEP_PERIOD, 'Drift repaired'),
        this.#sum('SweepFailures', SWEEP_PERIOD, 'Failures (regions, accounts)'),
      ]),
    );
  }

  #outputs(stack: Stack, dashboardName: string): void {
    new CfnOutput(this, 'TopicArnOutput', {
      description: 'SNS topic that receives every alarm of the bootstrapper (subscribe on-call here)',
      value: this.topic.topicArn,
    }).overrideLogicalId(FAILURE_TOPIC_ARN_OUTPUT);
    new CfnOutput(this, 'DashboardNameOutput', {
      description: 'CloudWatch dashboard of the bootstrapper',
      value: dashboardName,
    }).overrideLogicalId(DASHBOARD_NAME_OUTPUT);
    const url = dashboardUrl(stack.region, dashboardName);
    if (url) {
      new CfnOutput(this, 'DashboardUrlOutput', {
        description: 'CloudWatch dashboard of the bootstrapper, in the console',
        value: url,
      }).overrideLogicalId(DASHBOARD_URL_OUTPUT);
    }
  }
}

/** The console URL of a dashboard, when the region and name are known at synth and the partition has a public console. */
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

export function dashboardUrl(region: string, dashboardName: string): string | undefined {
  if (Token.isUnresolved(region) || Token.isUnresolved(dashboardName)) return undefined;
  const domain = CONSOLE_DOMAIN[partitionOf(region)];
  if (!domain) return undefined;
  return `https://${domain}/cloudwatch/home?region=${region}#dashboards/dashboard/${encodeURIComponent(dashboardName)}`;
}
