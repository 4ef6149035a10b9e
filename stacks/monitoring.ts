import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { FAILURE_TOPIC_OUTPUT } from '#core/deploy/deployment.ts';
import { FAIL_STATE_ERROR_NAMES } from '#core/shared/errors.ts';
import { dashboardUrl, MonitoringDashboard } from './dashboard.ts';
import { createFailureTopic } from './failure-topic.ts';
import { HandlerMetrics } from './handler-metrics.ts';

/** Output keys of the stack, fixed so operators and scripts can find them. */

export const DASHBOARD_NAME_OUTPUT = 'DashboardName';
export const DASHBOARD_URL_OUTPUT = 'DashboardUrl';

/** Failure alarms look at short windows, so a notification follows the failure within minutes. */
export const FAILURE_ALARM_PERIOD = Duration.minutes(5);
/** Vends are rare: the exposure p90 is taken over an hour's vends. */
export const EXPOSURE_ALARM_PERIOD = Duration.hours(1);
/** A sweep takes minutes to hours; one alarm per day's sweep is enough. */
export const SWEEP_ALARM_PERIOD = Duration.hours(6);

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

/** What names and triggers one alarm on the failure topic. */
interface AlarmOptions {
  alarmName: string;
  threshold: number;
  treatMissingData: cw.TreatMissingData;
  alarmDescription: string;
}

/**
 * The alarms, the failure topic they notify (failure-topic.ts) and the dashboard (dashboard.ts).
 * Alarm names start with the stack name, which is what the topic and key policies allow CloudWatch
 * to publish for.
 */
export class Monitoring extends Construct {
  readonly topic: sns.Topic;
  readonly topicKey: kms.Key;
  readonly dashboard: MonitoringDashboard;
  /** Every alarm, in creation order; each notifies the topic. */
  readonly alarms: cw.Alarm[] = [];
  readonly executionFailureAlarms: Record<string, cw.Alarm> = {};
  readonly regionsFailedAlarm: cw.Alarm;
  readonly sweepFailuresAlarm: cw.Alarm;
  readonly redrivesExhaustedAlarm: cw.Alarm;
  readonly lzaPipelineMisnamedAlarm: cw.Alarm;
  readonly exposureAlarm: cw.Alarm;
  readonly deadLetterAlarm: cw.Alarm;
  readonly versionLimitAlarm: cw.Alarm;

  readonly #alarmNamePrefix: string;
  readonly #topicAction: SnsAction;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.#alarmNamePrefix = `${stack.stackName}-`;
    const metrics = new HandlerMetrics(props.namespace, props.serviceName);

    const topic = createFailureTopic(this, {
      alarmNamePrefix: this.#alarmNamePrefix,
      ...(props.email ? { email: props.email } : {}),
    });
    this.topic = topic.topic;
    this.topicKey = topic.key;
    this.#topicAction = new SnsAction(this.topic);

    this.regionsFailedAlarm = this.#regionsFailedAlarm(metrics);
    this.sweepFailuresAlarm = this.#sweepFailuresAlarm(metrics);
    this.redrivesExhaustedAlarm = this.#redrivesExhaustedAlarm(metrics);
    this.lzaPipelineMisnamedAlarm = this.#lzaPipelineMisnamedAlarm(metrics);
    this.exposureAlarm = this.#exposureAlarm(metrics, props.exposureP90AlarmSeconds);
    this.versionLimitAlarm = this.#versionLimitAlarm(metrics);
    this.deadLetterAlarm = this.#deadLetterAlarm(props.deadLetterQueue);

    const dashboardName = stack.stackName;
    this.dashboard = new MonitoringDashboard(this, 'Dashboard', {
      dashboardName,
      metrics,
      alarms: this.alarms,
      exposureP90AlarmSeconds: props.exposureP90AlarmSeconds,
      deadLetterQueue: props.deadLetterQueue,
    });

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
        "state's error and cause (the execution log group has the full input). " +
        `A ${FAIL_STATE_ERROR_NAMES.regionsFailed} names ` +
        'failed or refused regions: see `runas-bootstrapper check --account-id <id>`. After fixing the ' +
        'cause, `runas-bootstrapper replay --account-id <id> --wait`.',
    });
    this.executionFailureAlarms[label] = alarm;

    this.dashboard.chartStateMachine(stateMachine, label);
    return alarm;
  }

  /** A further alarm on the failure topic, named after the stack like the others. */
  addFailureAlarm(id: string, metric: cw.IMetric, options: AlarmOptions): cw.Alarm {
    return this.#addAlarm(id, metric, options);
  }

  /** Some governed region of a vend or replay could not be given the preferences. */
  #regionsFailedAlarm(metrics: HandlerMetrics): cw.Alarm {
    return this.#addAlarm(
      'RegionsFailedAlarm',
      metrics.sum('RegionsFailed', FAILURE_ALARM_PERIOD, 'Regions failed'),
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
  }

  /** The sweep could not check or repair some account × region. */
  #sweepFailuresAlarm(metrics: HandlerMetrics): cw.Alarm {
    return this.#addAlarm(
      'SweepFailuresAlarm',
      metrics.sum('SweepFailures', SWEEP_ALARM_PERIOD, 'Sweep failures'),
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
  }

  /** The reconciler gave up re-driving a vend. */
  #redrivesExhaustedAlarm(metrics: HandlerMetrics): cw.Alarm {
    return this.#addAlarm(
      'VendRedrivesExhaustedAlarm',
      metrics.sum('VendRedrivesExhausted', Duration.hours(1), 'Vends past their re-drives'),
      {
        alarmName: 'VendRedrivesExhausted',
        threshold: 0,
        // No data: no reconcile found a vend past its re-drives.
        treatMissingData: cw.TreatMissingData.NOT_BREACHING,
        alarmDescription:
          'The reconciler re-drove a vend whose owner ended with a governed region unverified three times, and ' +
          'the region is still unverified. The RecordFollowUp log ("vend re-drives exhausted") names the vends; ' +
          'run `runas-bootstrapper check --account-id <id>` to see why, fix the cause, then ' +
          '`runas-bootstrapper replay --account-id <id> --wait`.',
      },
    );
  }

  /** LZA is installed under a pipeline name the config does not give. */
  #lzaPipelineMisnamedAlarm(metrics: HandlerMetrics): cw.Alarm {
    return this.#addAlarm(
      'LzaPipelineMisnamedAlarm',
      metrics.sum('LzaPipelineMisnamed', Duration.hours(1), 'Misnamed LZA pipelines'),
      {
        alarmName: 'LzaPipelineMisnamed',
        threshold: 0,
        // No data: no reconcile found LZA's pipeline under another name.
        treatMissingData: cw.TreatMissingData.NOT_BREACHING,
        alarmDescription:
          "lza.measureGap is auto and the configured LZA pipeline does not exist, but a pipeline with LZA's stages " +
          'does (LZA installed with a qualifier: <qualifier>-pipeline). That is a configuration error, not an ' +
          'organization without LZA: vends stay open and no gap is measured. The PlanFollowUp log ("LZA pipeline ' +
          'misnamed") and `runas-bootstrapper doctor` name the pipeline found; set lza.pipelineName to it and deploy.',
      },
    );
  }

  /** New accounts accepted ssm-user sessions for longer than the config allows. */
  #exposureAlarm(metrics: HandlerMetrics, exposureP90AlarmSeconds: number): cw.Alarm {
    return this.#addAlarm(
      'ExposureP90Alarm',
      metrics.emf('VendToRunAsSeconds', 'vend', 'p90', EXPOSURE_ALARM_PERIOD, 'Vend to RunAs p90'),
      {
        alarmName: 'VendToRunAsP90',
        threshold: exposureP90AlarmSeconds,
        // No data means no vend was measured in the hour: there is no exposure to judge.
        treatMissingData: cw.TreatMissingData.NOT_BREACHING,
        alarmDescription:
          `The p90 of VendToRunAsSeconds (vend to RunAs verified in every governed region) over the last hour ` +
          `is above ${exposureP90AlarmSeconds} s: new accounts accepted ssm-user sessions for longer. ` +
          'On the dashboard, compare RoleWaitSeconds: if the role wait dominates, the vend itself was slow. ' +
          'Otherwise look in the Bootstrap executions for ApplyPreferences retries (DocumentBusyError, ' +
          'throttling). If the threshold is too tight, raise notifications.exposureP90AlarmSeconds.',
      },
    );
  }

  /** A document write hit SSM's version limit with nothing to prune. */
  #versionLimitAlarm(metrics: HandlerMetrics): cw.Alarm {
    return this.#addAlarm(
      'DocumentVersionLimitAlarm',
      metrics.sum('DocumentVersionLimitReached', FAILURE_ALARM_PERIOD, 'Version limit reached'),
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
  }

  /** A vend event could not start the bootstrap and waits in the dead-letter queue. */
  #deadLetterAlarm(deadLetterQueue: sqs.IQueue): cw.Alarm {
    return this.#addAlarm(
      'DeadLetterAlarm',
      deadLetterQueue.metricApproximateNumberOfMessagesVisible({
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
          `dead-letter queue ${deadLetterQueue.queueName}. Read the message: its ERROR_CODE and ` +
          'ERROR_MESSAGE attributes say why, and the event names the account. Fix the cause, run ' +
          '`runas-bootstrapper replay --account-id <id> --wait`, then delete the message.',
      },
    );
  }

  #addAlarm(id: string, metric: cw.IMetric, options: AlarmOptions & { notifyOnOk?: boolean }): cw.Alarm {
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

  #outputs(stack: Stack, dashboardName: string): void {
    new CfnOutput(this, 'TopicArnOutput', {
      description: 'SNS topic that receives every alarm of the bootstrapper (subscribe on-call here)',
      value: this.topic.topicArn,
    }).overrideLogicalId(FAILURE_TOPIC_OUTPUT);
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
