import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  Annotations,
  ArnFormat,
  type CfnElement,
  CfnOutput,
  Duration,
  Fn,
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
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { type BootstrapperConfig, configToEnvironment } from '#core/config.ts';
import { CONFIG_DIGEST_OUTPUT, configDigest, PRODUCT_VERSION, VERSION_OUTPUT } from '#core/deployment.ts';
import type { HistoryBound } from '#core/limits.ts';
import { type RuleId, toCdkEventPattern, vendEventRules } from '#core/vend-events.ts';
import {
  followUpEventPattern,
  LEDGER_KEYS,
  LEDGER_TABLE_ENV_VAR,
  LEDGER_TTL_ATTRIBUTE,
  OPEN_VENDS_INDEX,
} from '#core/vend-ledger.ts';
import { pascalCase } from './construct-id.ts';
import { EventDeadLetterQueue } from './event-dead-letter-queue.ts';
import { Monitoring } from './monitoring.ts';
import { checkBootstrapHistory, checkLambdaEnvironment } from './service-limits.ts';

export const PROJECT_ROOT = path.resolve(import.meta.dirname, '..');
export const STATE_MACHINE_DIR = path.join(PROJECT_ROOT, 'statemachine');

export { DEFAULT_STACK_NAME } from '#core/deployment.ts';
/** The CLI finds the state machines through these CloudFormation output keys. */
export const STATE_MACHINE_ARN_OUTPUT = 'BootstrapStateMachineArn';
export const SWEEP_STATE_MACHINE_ARN_OUTPUT = 'SweepStateMachineArn';
export const FOLLOW_UP_STATE_MACHINE_ARN_OUTPUT = 'FollowUpStateMachineArn';
/** `runas-bootstrapper status` reads the vend ledger through this output. */
export const VEND_LEDGER_TABLE_OUTPUT = 'VendLedgerTableName';
/** The sweep's schedule lives in Scheduler's default group (its metrics are per group). */
const SCHEDULE_GROUP = 'default';
export const SERVICE_NAME = 'runas-bootstrapper';

/** Handler and state-machine logs are the audit trail of which accounts were changed, and when. */
export const LOG_RETENTION = logs.RetentionDays.ONE_YEAR;

/**
 * Delivery policy of the vend rules. StartExecution rarely fails except under throttling; past six
 * hours the event is still worth acting on, but the dead-letter queue and the sweep take over.
 */
export const EVENT_RETRY_ATTEMPTS = 20;
export const EVENT_MAX_AGE = Duration.hours(6);

export type HandlerName =
  | 'resolve-request'
  | 'await-role'
  | 'apply-preferences'
  | 'verify-preferences'
  | 'record-enforcement'
  | 'plan-follow-up'
  | 'record-follow-up'
  | 'list-accounts'
  | 'record-sweep';

/** What a handler may do beyond writing its own logs and traces. */
type HandlerAccess = 'describe-account' | 'list-accounts' | 'assume-member-role' | 'read-pipeline' | 'none';

interface HandlerSpec {
  name: HandlerName;
  /** Construct id, and the `${<id>FunctionArn}` placeholder in the ASL. */
  id: string;
  access: HandlerAccess;
  /**
   * What it does with the vend ledger, if anything: `record` reads and writes items by key,
   * `claim` also creates them, `open-vends` queries the open-vends index.
   */
  ledger?: 'record' | 'claim' | 'open-vends';
  timeout: Duration;
}

export const HANDLERS: readonly HandlerSpec[] = [
  {
    name: 'resolve-request',
    id: 'ResolveRequest',
    access: 'describe-account',
    ledger: 'claim',
    timeout: Duration.seconds(30),
  },
  { name: 'await-role', id: 'AwaitRole', access: 'assume-member-role', timeout: Duration.seconds(30) },
  // Read, merge, write, promote and wait up to ~10 s for Active.
  {
    name: 'apply-preferences',
    id: 'ApplyPreferences',
    access: 'assume-member-role',
    timeout: Duration.seconds(60),
  },
  {
    name: 'verify-preferences',
    id: 'VerifyPreferences',
    access: 'assume-member-role',
    timeout: Duration.seconds(30),
  },
  {
    name: 'record-enforcement',
    id: 'RecordEnforcement',
    access: 'none',
    ledger: 'record',
    timeout: Duration.seconds(30),
  },
  // The open vends and the pipeline runs that may cover them (a few pages of history).
  {
    name: 'plan-follow-up',
    id: 'PlanFollowUp',
    access: 'read-pipeline',
    ledger: 'open-vends',
    timeout: Duration.seconds(60),
  },
  {
    name: 'record-follow-up',
    id: 'RecordFollowUp',
    access: 'none',
    ledger: 'record',
    timeout: Duration.seconds(60),
  },
  // Up to ten ListAccounts pages per sweep batch.
  { name: 'list-accounts', id: 'ListAccounts', access: 'list-accounts', timeout: Duration.seconds(60) },
  { name: 'record-sweep', id: 'RecordSweep', access: 'none', timeout: Duration.seconds(30) },
];

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

/** Why each cdk-nag finding is acknowledged; the README lists these. */
export const NAG_REASONS = {
  runtime:
    'nodejs24.x is the newest Node.js runtime Lambda offers and is supported until 2028-04-30 (nodejs22.x is ' +
    'deprecated on 2027-04-30, blocks new functions from 2027-06-01 and updates from 2027-07-01). The bundles ' +
    'target node24. Compensating control: every dependency is bundled from package-lock.json, and the stack ' +
    'tests pin the runtime, so the next move is a reviewed one-line change.',
  xray:
    'Resource "*" only for xray:PutTraceSegments and xray:PutTelemetryRecords (added by Tracing.ACTIVE): X-Ray ' +
    'supports no resource-level permissions. Compensating control: write-only telemetry actions; every other ' +
    'statement of this role names its resources.',
  stateMachineTelemetry:
    'Resource "*" only for the CloudWatch Logs vended-delivery actions (logs:CreateLogDelivery and friends) that ' +
    'Step Functions logging requires, and for X-Ray tracing: neither supports resource-level permissions. ' +
    'Compensating control: the role is assumable only by states.amazonaws.com and its lambda:InvokeFunction ' +
    'statement names its task functions exactly.',
  sweepChildExecutions:
    'states:DescribeExecution and states:StopExecution on execution:<sweep state machine name>/*, and ' +
    "states:RedriveExecution on execution:<name>/<map label>:*: the Distributed Map's child executions get " +
    'generated names. Compensating control: the ARNs are pinned to this state machine, and StartExecution ' +
    'names the state machine itself.',
  listAccounts:
    'organizations:ListAccounts supports no resource-level permissions, so its resource is "*". Compensating ' +
    'control: read-only, and the only Organizations action of the role.',
  memberRole:
    'sts:AssumeRole on one configured member role name in any account: vended accounts do not exist at deploy ' +
    'time, so their ids cannot be listed. Compensating controls: only the configured role names (never "*"), ' +
    'account ids validated as 12 digits (replays also as members of this organization), and an inline session policy that ' +
    'limits every session to the SSM document actions on SSM-SessionManagerRunShell.',
  describeAccount:
    'organizations:DescribeAccount on accounts of this organization (account/o-*/*): the organization id is not ' +
    'configured. Compensating control: read-only, and the ARN is pinned to the management account that owns it.',
} as const;

/** The Lambda runtime and the esbuild target that matches it (the CLI itself still runs on Node >= 20.11). */
export const LAMBDA_RUNTIME = lambda.Runtime.NODEJS_24_X;
export const BUNDLE_TARGET = 'node24';

/**
 * Modules the bundled SDK reaches only by dynamic `import()` on paths a Lambda function never
 * takes, so they stay out of the bundle (about 100 KB):
 * - credential providers the default chain tries only when the environment holds no credentials
 *   (SSO, shared config files, web identity, container and instance metadata): Lambda always
 *   sets AWS_ACCESS_KEY_ID/SECRET/SESSION_TOKEN, and the chain stops at the bundled env provider;
 * - event-stream serde, loaded only for operations with event streams (none of ours);
 * - bowser, loaded only to parse a browser's user agent.
 * The SDK clients themselves stay bundled and pinned.
 */
export const UNREACHABLE_IN_LAMBDA = [
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/credential-provider-http',
  '@aws-sdk/credential-provider-login',
  '@smithy/credential-provider-imds',
  '@aws-sdk/nested-clients',
  '@aws-sdk/token-providers',
  '@smithy/core/event-streams',
  'bowser',
];

/** Defines `require` for CommonJS-only dependencies inside the ESM bundle. */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __runasCreateRequire } from 'node:module'; const require = __runasCreateRequire(import.meta.url);";

export interface BootstrapperStackProps extends StackProps {
  config: BootstrapperConfig;
}

/**
 * The production engine in the management account's home region: vend rules → the bootstrap state
 * machine → five Lambda tasks. Nothing here is created in member accounts, so deleting this stack
 * leaves every account's preferences document exactly as it is.
 */
export class BootstrapperStack extends Stack {
  readonly functions: Record<HandlerName, NodejsFunction>;
  readonly stateMachine: sfn.StateMachine;
  readonly sweepStateMachine: sfn.StateMachine;
  /** Follows LZA for the open vends: its action events, and the reconciler's schedule. */
  readonly followUpStateMachine: sfn.StateMachine;
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

    const functions: Partial<Record<HandlerName, NodejsFunction>> = {};
    for (const spec of HANDLERS) {
      const fn = this.#handlerFunction(spec, environment);
      this.#grantHandlerAccess(spec, config);
      functions[spec.name] = fn;
    }
    this.functions = functions as Record<HandlerName, NodejsFunction>;

    const bootstrap = this.#stateMachine('Bootstrap');
    this.stateMachine = bootstrap.stateMachine;
    this.stateMachineRole = bootstrap.role;
    new CfnOutput(this, STATE_MACHINE_ARN_OUTPUT, {
      description: 'ARN of the bootstrap state machine (the CLI replays and checks through it)',
      value: this.stateMachine.stateMachineArn,
    });

    const sweep = this.#stateMachine('Sweep');
    this.sweepStateMachine = sweep.stateMachine;
    this.sweepRole = sweep.role;
    const childExecutions = this.#grantDistributedMap(
      sweep.stateMachine,
      sweep.role,
      distributedMapLabel(STATE_MACHINES.Sweep),
    );
    new CfnOutput(this, VERSION_OUTPUT, {
      description: 'runas-bootstrapper version (doctor compares it with the forwarder stack and the CLI)',
      value: PRODUCT_VERSION,
    });
    new CfnOutput(this, CONFIG_DIGEST_OUTPUT, {
      description: 'SHA-256 of the config this stack was synthesized from (doctor compares it with --config)',
      value: configDigest(config),
    });
    new CfnOutput(this, SWEEP_STATE_MACHINE_ARN_OUTPUT, {
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

    const followUp = this.#stateMachine('FollowUp', {
      SweepStateMachineArn: this.sweepStateMachine.stateMachineArn,
    });
    this.followUpStateMachine = followUp.stateMachine;
    // LZA below 1.14 resets RunAs in every account its Security_Resources touches: the follow-up starts a repair sweep.
    followUp.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'StartRepairSweep',
        actions: ['states:StartExecution'],
        resources: [this.sweepStateMachine.stateMachineArn],
      }),
    );
    // A plan cut to one execution's limits continues in a new execution of the same machine. In a
    // policy of its own: the role's default policy is a dependency of the machine, so naming the
    // machine there would be circular.
    new iam.Policy(this, 'FollowUpContinuation', {
      roles: [followUp.role],
      statements: [
        new iam.PolicyStatement({
          sid: 'ContinueFollowUp',
          actions: ['states:StartExecution'],
          resources: [this.followUpStateMachine.stateMachineArn],
        }),
      ],
    });
    new CfnOutput(this, FOLLOW_UP_STATE_MACHINE_ARN_OUTPUT, {
      description: 'ARN of the follow-up state machine (LZA action events and the vend reconciler start it)',
      value: this.followUpStateMachine.stateMachineArn,
    });
    new scheduler.Schedule(this, 'ReconcileSchedule', {
      description: 'runas-bootstrapper vend reconciler: settles vends whose LZA pipeline events were missed',
      schedule: scheduler.ScheduleExpression.expression(config.lza.reconcileSchedule),
      enabled: config.lza.measureGap,
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

    if (config.lza.measureGap) {
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

  #handlerFunction(spec: HandlerSpec, environment: Record<string, string>): NodejsFunction {
    const logGroup = new logs.LogGroup(this, `${spec.id}Logs`, {
      retention: LOG_RETENTION,
      // Retained: the logs are the record of what was done to which account. Generated names mean a
      // redeploy never collides with a retained group.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // An explicit role with logging scoped to this function's own group, instead of the managed
    // AWSLambdaBasicExecutionRole, which allows writing to every log group in the account.
    const role = new iam.Role(this, `${spec.id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `runas-bootstrapper ${spec.name} Lambda`,
    });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'OwnLogGroupOnly',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    // X-Ray in a policy of its own, so that its unavoidable `*` is acknowledged there and nowhere else.
    const telemetry = new iam.Policy(this, `${spec.id}Telemetry`, {
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          sid: 'XRayWriteOnly',
          actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
          resources: ['*'],
        }),
      ],
    });
    Validations.of(telemetry).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: NAG_REASONS.xray });
    this.handlerRoles[spec.name] = role;

    const fn = new NodejsFunction(this, `${spec.id}Function`, {
      entry: path.join(PROJECT_ROOT, 'handlers', `${spec.name}.ts`),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      runtime: LAMBDA_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: spec.timeout,
      tracing: lambda.Tracing.ACTIVE,
      logGroup,
      // Immutable view: CDK must not add statements behind our back (Tracing.ACTIVE would add X-Ray here).
      role: role.withoutPolicyUpdates(),
      environment,
      description: `runas-bootstrapper ${spec.name}`,
      bundling: {
        format: OutputFormat.ESM,
        target: BUNDLE_TARGET,
        mainFields: ['module', 'main'],
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        banner: ESM_REQUIRE_BANNER,
        // Bundle the AWS SDK too: the versions in package-lock.json are the versions that run.
        externalModules: [...UNREACHABLE_IN_LAMBDA],
      },
    });
    fn.node.addDependency(role, telemetry);
    Validations.of(fn).acknowledge({ id: 'AwsSolutions-L1', reason: NAG_REASONS.runtime });
    return fn;
  }

  #grantHandlerAccess(spec: HandlerSpec, config: BootstrapperConfig): void {
    const role = this.handlerRoles[spec.name];
    if (spec.access === 'describe-account') {
      const accounts = this.formatArn({
        service: 'organizations',
        region: '',
        resource: 'account',
        resourceName: 'o-*/*',
      });
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'DescribeMemberAccount',
          actions: ['organizations:DescribeAccount'],
          resources: [accounts],
        }),
      );
      const account = Token.isUnresolved(this.account) ? '<AWS::AccountId>' : this.account;
      Validations.of(role.node.findChild('DefaultPolicy')).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:organizations::${account}:account/o-*/*]`,
        reason: NAG_REASONS.describeAccount,
      });
    }
    if (spec.access === 'list-accounts') {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'ListOrganizationAccounts',
          actions: ['organizations:ListAccounts'],
          resources: ['*'],
        }),
      );
      Validations.of(role.node.findChild('DefaultPolicy')).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: NAG_REASONS.listAccounts,
      });
    }
    if (spec.access === 'read-pipeline') {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'ReadLzaPipelineHistory',
          actions: ['codepipeline:ListPipelineExecutions', 'codepipeline:ListActionExecutions'],
          resources: [this.formatArn({ service: 'codepipeline', resource: config.lza.pipelineName })],
        }),
      );
    }
    if (spec.ledger) {
      // Exactly the item actions each step uses (no Scan, no Delete, no wildcard index).
      const actions = {
        record: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        claim: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        'open-vends': ['dynamodb:Query'],
      }[spec.ledger];
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'VendLedger',
          actions,
          resources: [
            spec.ledger === 'open-vends'
              ? `${this.ledger.tableArn}/index/${OPEN_VENDS_INDEX}`
              : this.ledger.tableArn,
          ],
        }),
      );
    }
    if (spec.access === 'assume-member-role') {
      const roleArns = config.memberRoleNames.map((name) => memberRoleArn(this, name));
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'AssumeMemberRoles',
          actions: ['sts:AssumeRole'],
          resources: roleArns,
        }),
      );
      for (const name of config.memberRoleNames) {
        Validations.of(role.node.findChild('DefaultPolicy')).acknowledge({
          id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/${name}]`,
          reason: NAG_REASONS.memberRole,
        });
      }
    }
  }

  #stateMachine(
    id: StateMachineId,
    substitutions: Record<string, string> = {},
  ): { stateMachine: sfn.StateMachine; role: iam.Role } {
    const handlers = HANDLERS.filter((spec) => STATE_MACHINE_HANDLERS[id].includes(spec.name));
    const logGroup = new logs.LogGroup(this, `${id}ExecutionLogs`, {
      logGroupName: stateMachineLogGroupName(this, id),
      retention: LOG_RETENTION,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const role = new iam.Role(this, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('states.amazonaws.com'),
      description: `runas-bootstrapper ${id.toLowerCase()} state machine`,
    });
    // fromFile gives CDK nothing to infer from: grant exactly the unqualified ARNs the ASL names.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'InvokeTaskFunctions',
        actions: ['lambda:InvokeFunction'],
        resources: handlers.map((spec) => this.functions[spec.name].functionArn),
      }),
    );
    // What CDK would add for logging and tracing, in a policy of its own so only it carries the `*`.
    const telemetry = new iam.Policy(this, `${id}Telemetry`, {
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          sid: 'VendedLogDelivery',
          actions: [
            'logs:CreateLogDelivery',
            'logs:GetLogDelivery',
            'logs:UpdateLogDelivery',
            'logs:DeleteLogDelivery',
            'logs:ListLogDeliveries',
            'logs:PutResourcePolicy',
            'logs:DescribeResourcePolicies',
            'logs:DescribeLogGroups',
          ],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'XRayWriteOnly',
          actions: [
            'xray:PutTraceSegments',
            'xray:PutTelemetryRecords',
            'xray:GetSamplingRules',
            'xray:GetSamplingTargets',
          ],
          resources: ['*'],
        }),
      ],
    });
    Validations.of(telemetry).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: NAG_REASONS.stateMachineTelemetry,
    });
    const stateMachine = new sfn.StateMachine(this, id, {
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromFile(path.join(STATE_MACHINE_DIR, STATE_MACHINES[id])),
      definitionSubstitutions: {
        ...Object.fromEntries(
          handlers.map((spec) => [`${spec.id}FunctionArn`, this.functions[spec.name].functionArn]),
        ),
        ...substitutions,
      },
      role: role.withoutPolicyUpdates(),
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });
    // Step Functions checks log delivery permissions when it creates the state machine.
    stateMachine.node.addDependency(role, telemetry);
    return { stateMachine, role };
  }

  /**
   * What a Distributed Map needs: start child executions of its own state machine, and describe
   * or stop them. In a policy of its own, attached after the state machine exists (the ARN would
   * otherwise be circular); returned so that whatever starts the machine can depend on it.
   */
  #grantDistributedMap(stateMachine: sfn.StateMachine, role: iam.Role, label: string): iam.Policy {
    const childExecutions = this.formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${stateMachine.stateMachineName}/*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const childRuns = this.formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${stateMachine.stateMachineName}/${label}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const policy = new iam.Policy(this, `${stateMachine.node.id}DistributedMap`, {
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          sid: 'StartChildExecutions',
          actions: ['states:StartExecution'],
          resources: [stateMachine.stateMachineArn],
        }),
        new iam.PolicyStatement({
          sid: 'FollowChildExecutions',
          actions: ['states:DescribeExecution', 'states:StopExecution'],
          resources: [childExecutions],
        }),
        // Redriving a failed sweep redrives its map runs' failed children.
        new iam.PolicyStatement({
          sid: 'RedriveChildExecutions',
          actions: ['states:RedriveExecution'],
          resources: [childRuns],
        }),
      ],
    });
    const region = Token.isUnresolved(this.region) ? '<AWS::Region>' : this.region;
    const account = Token.isUnresolved(this.account) ? '<AWS::AccountId>' : this.account;
    const name = `<${this.getLogicalId(stateMachine.node.defaultChild as CfnElement)}.Name>`;
    for (const suffix of ['*', `${label}:*`]) {
      Validations.of(policy).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:${region}:${account}:execution:${name}/${suffix}]`,
        reason: NAG_REASONS.sweepChildExecutions,
      });
    }
    return policy;
  }
}

/** Every Step Functions log group lives under this prefix (see stateMachineLogGroupName). */
export const VENDED_LOGS_PREFIX = '/aws/vendedlogs/states/';

/**
 * `/aws/vendedlogs/states/<stack>-<id>-<stack uuid>`. Under `/aws/vendedlogs/` CloudWatch Logs needs no
 * resource-policy entry per group for Step Functions' log delivery, so the account-wide resource
 * policy (5,120 characters) cannot fill up. The stack id's UUID keeps the name unique per stack
 * instance, so a redeploy after a destroy never collides with the retained group.
 */
export function stateMachineLogGroupName(stack: Stack, id: string): string {
  const stackUuid = Fn.select(2, Fn.split('/', stack.stackId));
  return `${VENDED_LOGS_PREFIX}${stack.stackName}-${id}-${stackUuid}`;
}

/** The Label of the one distributed Map in an ASL file: it names the map runs' child executions. */
export function distributedMapLabel(file: string): string {
  type State = {
    Type?: string;
    Label?: string;
    ItemProcessor?: { ProcessorConfig?: { Mode?: string }; States?: Record<string, State> };
  };
  const definition = JSON.parse(readFileSync(path.join(STATE_MACHINE_DIR, file), 'utf8')) as {
    States: Record<string, State>;
  };
  const labels = Object.entries(definition.States)
    .filter(
      ([, state]) => state.Type === 'Map' && state.ItemProcessor?.ProcessorConfig?.Mode === 'DISTRIBUTED',
    )
    .map(([name, state]) => state.Label ?? name);
  if (labels.length !== 1)
    throw new Error(`${file}: expected one top-level distributed Map, found ${labels.length}`);
  return labels[0]!;
}

/** `arn:${Partition}:iam::*:role/<name>`: the role in any member account, never `*`. */
export function memberRoleArn(stack: Stack, roleName: string): string {
  return stack.formatArn({
    service: 'iam',
    region: '',
    account: '*',
    resource: 'role',
    resourceName: roleName,
  });
}
