import path from 'node:path';
import {
  Annotations,
  ArnFormat,
  type CfnElement,
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  Token,
  Validations,
} from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import type { Construct } from 'constructs';
import { type BootstrapperConfig, configToEnvironment } from '#core/config/config.ts';
import {
  CONFIG_DIGEST_OUTPUT,
  configDigest,
  PRODUCT_VERSION,
  VERSION_OUTPUT,
} from '#core/deploy/deployment.ts';
import { hubAccount } from '#core/deploy/hub.ts';
import type { HistoryBound } from '#core/deploy/limits.ts';
import { externalPipelineAccount } from '#core/deploy/pipeline-account.ts';
import {
  BOOTSTRAP_STATE_MACHINE_OUTPUT,
  FOLLOW_UP_STATE_MACHINE_OUTPUT,
  SWEEP_STATE_MACHINE_OUTPUT,
  VEND_LEDGER_TABLE_OUTPUT,
} from '#core/shared/names.ts';
import {
  followUpEventPattern,
  LEDGER_KEYS,
  LEDGER_TABLE_ENV_VAR,
  LEDGER_TTL_ATTRIBUTE,
  OPEN_VENDS_INDEX,
} from '#core/vend/ledger.ts';
import { type RuleId, vendEventRules } from '#core/vend/rules.ts';
import { pascalCase } from './construct-id.ts';
import { EventDeadLetterQueue } from './event-dead-letter-queue.ts';
import { toCdkEventPattern } from './event-pattern.ts';
import { FileStateMachine } from './file-state-machine.ts';
import { Monitoring } from './monitoring.ts';
import { NAG_REASONS } from './nag-reasons.ts';
import { checkBootstrapHistory, checkLambdaEnvironment } from './service-limits.ts';
import { PROJECT_ROOT, TaskFunction } from './task-function.ts';
import { grantTaskAccess, HANDLERS, type HandlerName } from './tasks.ts';

export const STATE_MACHINE_DIR = path.join(PROJECT_ROOT, 'statemachine');

export { DEFAULT_STACK_NAME } from '#core/deploy/deployment.ts';

/** The sweep's schedule lives in Scheduler's default group (its metrics are per group). */
const SCHEDULE_GROUP = 'default';
export const SERVICE_NAME = 'runas-bootstrapper';

/**
 * Delivery policy of the vend rules. StartExecution rarely fails except under throttling; past six
 * hours the event is still worth acting on, but the dead-letter queue and the sweep take over.
 */
export const EVENT_RETRY_ATTEMPTS = 20;
export const EVENT_MAX_AGE = Duration.hours(6);

/** Every state machine this stack deploys, by construct id, and the ASL file it is loaded from. */
export const STATE_MACHINES = {
  Bootstrap: 'bootstrap.asl.json',
  Sweep: 'sweep.asl.json',
  FollowUp: 'follow-up.asl.json',
} as const;
type StateMachineId = keyof typeof STATE_MACHINES;

/** The handlers each state machine's Tasks invoke (its `${<id>FunctionArn}` placeholders). */
export const STATE_MACHINE_HANDLERS: Record<StateMachineId, readonly HandlerName[]> = {
  Bootstrap: [
    'resolve-request',
    'await-role',
    'apply-preferences',
    'verify-preferences',
    'record-enforcement',
  ],
  Sweep: ['list-accounts', 'await-role', 'apply-preferences', 'verify-preferences', 'record-sweep'],
  FollowUp: ['plan-follow-up', 'apply-preferences', 'verify-preferences', 'record-follow-up'],
};

export interface BootstrapperStackProps extends StackProps {
  config: BootstrapperConfig;
}

/**
 * The production engine in the management account's home region: vend rules → the bootstrap state
 * machine → five Lambda tasks. Nothing here is created in member accounts, so deleting this stack
 * leaves every account's preferences document exactly as it is.
 */
export class BootstrapperStack extends Stack {
  readonly functions: Record<HandlerName, TaskFunction>;
  readonly stateMachine: FileStateMachine;
  readonly sweepStateMachine: FileStateMachine;
  /** Follows LZA for the open vends: its action events, and the reconciler's schedule. */
  readonly followUpStateMachine: FileStateMachine;
  /** The vend ledger: one item per vend (account + join time). */
  readonly ledger: dynamodb.Table;
  /** Runs the sweep from `config.sweep.schedule`. */
  readonly sweepSchedule: scheduler.Schedule;
  readonly rules: Partial<Record<RuleId, events.Rule>> = {};
  readonly deadLetterQueue: EventDeadLetterQueue;
  /** The mutable roles behind the functions (each function sees an immutable view). */
  readonly handlerRoles = {} as Record<HandlerName, iam.Role>;
  readonly stateMachineRole: iam.Role;
  readonly sweepRole: iam.Role;
  /** Dashboard, alarms and failure topic; `monitorStateMachine` adds further state machines. */
  readonly monitoring: Monitoring;
  /** The worst-case history of one bootstrap execution for this config (checked at synth). */
  readonly historyBound: HistoryBound;

  constructor(scope: Construct, id: string, props: BootstrapperStackProps) {
    super(scope, id, props);
    const { config } = props;
    if (config.runAsEnabled && config.runAsDefaultUser === 'root') {
      // Allowed only with allowRootDefaultUser: true; still worth a line in every synth.
      Annotations.of(this).addWarningV2(
        'runas-bootstrapper:RootDefaultUser',
        'runAsDefaultUser is "root": every Session Manager shell in every governed account will be a root shell',
      );
    }

    // The ledger is the audit record of every vend: kept when the stack is deleted, recoverable to any second.
    this.ledger = new dynamodb.Table(this, 'VendLedger', {
      partitionKey: { name: LEDGER_KEYS.partition, type: dynamodb.AttributeType.STRING },
      sortKey: { name: LEDGER_KEYS.sort, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: LEDGER_TTL_ATTRIBUTE,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.ledger.addGlobalSecondaryIndex({
      indexName: OPEN_VENDS_INDEX,
      partitionKey: { name: 'open', type: dynamodb.AttributeType.STRING },
      sortKey: { name: LEDGER_KEYS.sort, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });
    new CfnOutput(this, VEND_LEDGER_TABLE_OUTPUT, {
      description: 'The vend ledger (runas-bootstrapper status reads it)',
      value: this.ledger.tableName,
    });

    // The Lambdas never read the guardrail: leaving its exemption list out keeps it from
    // competing with excludeAccountIds for Lambda's 4 KB of environment.
    const lambdaConfig: BootstrapperConfig = {
      ...config,
      guardrail: { scp: { enabled: config.guardrail.scp.enabled, targetIds: [], exemptRoleArns: [] } },
    };
    const environment = {
      [LEDGER_TABLE_ENV_VAR]: this.ledger.tableName,
      ...configToEnvironment({
        ...lambdaConfig,
        // Resolved here so the handlers refuse replays put by any other account, as the rule does.
        managementAccountId: config.managementAccountId ?? this.account,
        homeRegion: config.homeRegion ?? this.region,
      }),
      POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
      POWERTOOLS_METRICS_NAMESPACE: config.metricsNamespace,
      POWERTOOLS_LOG_LEVEL: 'INFO',
      NODE_OPTIONS: '--enable-source-maps',
    };

    // Fail at synth, naming the fields, rather than at deploy or after hours of a running execution.
    checkLambdaEnvironment(lambdaConfig, environment, {
      ...lambdaConfig,
      managementAccountId:
        config.managementAccountId ?? (Token.isUnresolved(this.account) ? '000000000000' : this.account),
      homeRegion: config.homeRegion ?? this.region,
    });
    this.historyBound = checkBootstrapHistory(config, path.join(STATE_MACHINE_DIR, STATE_MACHINES.Bootstrap));

    const functions: Partial<Record<HandlerName, TaskFunction>> = {};
    for (const spec of HANDLERS) {
      const fn = new TaskFunction(this, spec.id, {
        handlerName: spec.name,
        timeout: spec.timeout,
        environment,
      });
      this.handlerRoles[spec.name] = fn.executionRole;
      grantTaskAccess(this, fn.executionRole, spec, { config, ledger: this.ledger });
      functions[spec.name] = fn;
    }
    this.functions = functions as Record<HandlerName, TaskFunction>;

    this.stateMachine = this.#stateMachine('Bootstrap');
    this.stateMachineRole = this.stateMachine.executionRole;
    // ResolveRequest asks whether a vend's owner execution still runs (DescribeExecution), to take
    // over a dead one at once. A separate policy: the function must not wait for the machine.
    const ownerStatus = new iam.Policy(this, 'ResolveRequestOwnerStatus', {
      roles: [this.handlerRoles['resolve-request']],
      statements: [
        new iam.PolicyStatement({
          sid: 'DescribeVendOwnerExecution',
          actions: ['states:DescribeExecution'],
          resources: [
            this.formatArn({
              service: 'states',
              resource: 'execution',
              resourceName: `${this.stateMachine.stateMachineName}:*`,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          ],
        }),
      ],
    });
    const [region, account] = [this.region, this.account].map((v, i) =>
      Token.isUnresolved(v) ? ['<AWS::Region>', '<AWS::AccountId>'][i] : v,
    );
    const machine = `<${this.getLogicalId(this.stateMachine.node.defaultChild as CfnElement)}.Name>`;
    Validations.of(ownerStatus).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:${region}:${account}:execution:${machine}:*]`,
      reason: NAG_REASONS.vendOwnerExecutions,
    });
    new CfnOutput(this, BOOTSTRAP_STATE_MACHINE_OUTPUT, {
      description: 'ARN of the bootstrap state machine (the CLI replays and checks through it)',
      value: this.stateMachine.stateMachineArn,
    });

    this.sweepStateMachine = this.#stateMachine('Sweep');
    this.sweepRole = this.sweepStateMachine.executionRole;
    const childExecutions = this.sweepStateMachine.allowDistributedMap();
    new CfnOutput(this, VERSION_OUTPUT, {
      description: 'runas-bootstrapper version (doctor compares it with the forwarder stack and the CLI)',
      value: PRODUCT_VERSION,
    });
    new CfnOutput(this, CONFIG_DIGEST_OUTPUT, {
      description: 'SHA-256 of the config this stack was synthesized from (doctor compares it with --config)',
      value: configDigest(config),
    });
    new CfnOutput(this, SWEEP_STATE_MACHINE_OUTPUT, {
      description: 'ARN of the sweep state machine (runas-bootstrapper sweep starts it)',
      value: this.sweepStateMachine.stateMachineArn,
    });
    this.sweepSchedule = new scheduler.Schedule(this, 'SweepSchedule', {
      description: `runas-bootstrapper sweep (${config.sweep.repair ? 'repair' : 'check only'})`,
      schedule: scheduler.ScheduleExpression.expression(config.sweep.schedule),
      enabled: config.sweep.enabled,
      target: new schedulerTargets.StepFunctionsStartExecution(this.sweepStateMachine, {
        input: scheduler.ScheduleTargetInput.fromObject({ repair: config.sweep.repair }),
        retryAttempts: 3,
        maxEventAge: Duration.hours(1),
      }),
    });
    // The first scheduled run must find the Distributed Map's permissions in place.
    this.sweepSchedule.node.addDependency(childExecutions);

    this.followUpStateMachine = this.#stateMachine('FollowUp', {
      SweepStateMachineArn: this.sweepStateMachine.stateMachineArn,
      BootstrapStateMachineArn: this.stateMachine.stateMachineArn,
    });
    const followUpRole = this.followUpStateMachine.executionRole;
    // LZA below 1.14 resets RunAs in every account its Security_Resources touches: the follow-up starts a repair sweep.
    followUpRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'StartRepairSweep',
        actions: ['states:StartExecution'],
        resources: [this.sweepStateMachine.stateMachineArn],
      }),
    );
    // The reconciler re-drives a vend whose owner ended with a region unverified.
    followUpRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'RedriveVends',
        actions: ['states:StartExecution'],
        resources: [this.stateMachine.stateMachineArn],
      }),
    );
    // A plan cut to one execution's limits continues in a new execution of the same machine. In a
    // policy of its own: the role's default policy is a dependency of the machine, so naming the
    // machine there would be circular.
    new iam.Policy(this, 'FollowUpContinuation', {
      roles: [followUpRole],
      statements: [
        new iam.PolicyStatement({
          sid: 'ContinueFollowUp',
          actions: ['states:StartExecution'],
          resources: [this.followUpStateMachine.stateMachineArn],
        }),
      ],
    });
    new CfnOutput(this, FOLLOW_UP_STATE_MACHINE_OUTPUT, {
      description: 'ARN of the follow-up state machine (LZA action events and the vend reconciler start it)',
      value: this.followUpStateMachine.stateMachineArn,
    });
    new scheduler.Schedule(this, 'ReconcileSchedule', {
      description: 'runas-bootstrapper vend reconciler: settles vends whose LZA pipeline events were missed',
      schedule: scheduler.ScheduleExpression.expression(config.lza.reconcileSchedule),
      enabled: config.lza.measureGap !== false,
      target: new schedulerTargets.StepFunctionsStartExecution(this.followUpStateMachine, {
        input: scheduler.ScheduleTargetInput.fromObject({ reconcile: true }),
        retryAttempts: 3,
        maxEventAge: Duration.hours(1),
      }),
    });

    this.deadLetterQueue = new EventDeadLetterQueue(this, 'VendEventDeadLetters');
    const managementAccountId = Token.isUnresolved(this.account) ? undefined : this.account;
    for (const rule of vendEventRules(managementAccountId ? { managementAccountId } : {})) {
      let pattern = toCdkEventPattern(rule.pattern);
      // Environment-agnostic synth: core cannot validate a token, so restrict replays here instead.
      if (rule.trigger === 'replay' && !pattern.account) pattern = { ...pattern, account: [this.account] };
      this.rules[rule.id] = new events.Rule(this, `${pascalCase(rule.id)}Rule`, {
        description: rule.description.slice(0, 512),
        eventPattern: pattern,
        targets: [
          // No `input`: the state machine gets the whole event, and ResolveRequest normalizes it.
          new targets.SfnStateMachine(this.stateMachine, {
            deadLetterQueue: this.deadLetterQueue.queue,
            retryAttempts: EVENT_RETRY_ATTEMPTS,
            maxEventAge: EVENT_MAX_AGE,
          }),
        ],
      });
    }

    // In a hub account the management account forwards the vend and pipeline events here.
    if (hubAccount(config) && config.managementAccountId)
      new events.CfnEventBusPolicy(this, 'ManagementAccountEvents', {
        eventBusName: 'default',
        statementId: 'runas-bootstrapper-management-account',
        action: 'events:PutEvents',
        principal: config.managementAccountId,
      });
    if (config.lza.measureGap !== false) {
      // LZA's external pipeline account forwards its action events here: the bus must allow it.
      const pipelineAccount = externalPipelineAccount({
        managementAccountId: config.managementAccountId ?? this.account,
        lza: config.lza,
      });
      if (pipelineAccount)
        new events.CfnEventBusPolicy(this, 'PipelineAccountEvents', {
          eventBusName: 'default',
          statementId: 'runas-bootstrapper-lza-pipeline-account',
          action: 'events:PutEvents',
          principal: pipelineAccount,
        });
      new events.Rule(this, 'LzaFollowUpRule', {
        description: `LZA pipeline ${config.lza.pipelineName}: Deploy-stage Security_Resources and Customizations succeeded`,
        eventPattern: toCdkEventPattern(followUpEventPattern(config.lza.pipelineName)),
        targets: [
          new targets.SfnStateMachine(this.followUpStateMachine, {
            deadLetterQueue: this.deadLetterQueue.queue,
            retryAttempts: EVENT_RETRY_ATTEMPTS,
            maxEventAge: EVENT_MAX_AGE,
          }),
        ],
      });
    }

    this.monitoring = new Monitoring(this, 'Monitoring', {
      namespace: config.metricsNamespace,
      serviceName: SERVICE_NAME,
      exposureP90AlarmSeconds: config.notifications.exposureP90AlarmSeconds,
      email: config.notifications.email,
      deadLetterQueue: this.deadLetterQueue.queue,
      stateMachines: {
        Bootstrap: this.stateMachine,
        Sweep: this.sweepStateMachine,
        FollowUp: this.followUpStateMachine,
      },
    });
    this.monitoring.addFailureAlarm(
      'SweepScheduleDroppedAlarm',
      new cw.Metric({
        namespace: 'AWS/Scheduler',
        metricName: 'InvocationDroppedCount',
        dimensionsMap: { ScheduleGroup: SCHEDULE_GROUP },
        statistic: 'Sum',
        period: Duration.hours(1),
        label: 'Scheduled sweeps dropped',
      }),
      {
        alarmName: 'SweepScheduleDropped',
        threshold: 0,
        // No data means Scheduler dropped nothing.
        treatMissingData: cw.TreatMissingData.NOT_BREACHING,
        alarmDescription:
          'EventBridge Scheduler could not start the scheduled sweep after every retry, so the daily sweep did not ' +
          'run. Check the schedule role and the Scheduler console for the target error, then run ' +
          '`runas-bootstrapper sweep --repair` by hand.',
      },
    );
  }

  #stateMachine(id: StateMachineId, substitutions: Record<string, string> = {}): FileStateMachine {
    const tasks = HANDLERS.filter((spec) => STATE_MACHINE_HANDLERS[id].includes(spec.name));
    return new FileStateMachine(this, id, {
      definitionFile: path.join(STATE_MACHINE_DIR, STATE_MACHINES[id]),
      tasks: Object.fromEntries(tasks.map((spec) => [spec.id, this.functions[spec.name]])),
      substitutions,
    });
  }
}
