import { readFileSync } from 'node:fs';
import { ArnFormat, Aws, type CfnElement, Fn, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { NAG_REASONS } from './nag-reasons.ts';
import { LOG_RETENTION } from './task-function.ts';

/** The placeholder an ASL file uses for the partition of its service-integration ARNs. */
const PARTITION_PLACEHOLDER = '$' + '{Partition}';

/** Every Step Functions log group lives under this prefix (see stateMachineLogGroupName). */
export const VENDED_LOGS_PREFIX = '/aws/vendedlogs/states/';

export interface FileStateMachineProps {
  /** The ASL file (JSONPath), deployed as it is run locally. */
  definitionFile: string;
  /** The Lambda tasks it invokes, by their `${<key>FunctionArn}` placeholder. */
  tasks: Readonly<Record<string, lambda.IFunction>>;
  /** Further `${…}` placeholders of the ASL file. */
  substitutions?: Record<string, string>;
}

/**
 * A standard state machine loaded from an ASL file, with definition substitutions for its task
 * functions, logging level ALL to a retained log group under /aws/vendedlogs/states/, X-Ray
 * tracing, and an explicit role: `fromFile` gives CDK nothing to infer from, so the role may invoke
 * exactly the task functions the file names. The log group and role live in the state machine's
 * scope, beside it (logical ids `<id>ExecutionLogs`, `<id>Role`, `<id>Telemetry`).
 *
 * The state machine sees an immutable view of its role; `executionRole` is the role to grant on.
 */
export class FileStateMachine extends sfn.StateMachine {
  readonly executionRole: iam.Role;
  readonly #definitionFile: string;

  constructor(scope: Construct, id: string, props: FileStateMachineProps) {
    const stack = Stack.of(scope);
    const logGroup = new logs.LogGroup(scope, `${id}ExecutionLogs`, {
      logGroupName: stateMachineLogGroupName(stack, id),
      retention: LOG_RETENTION,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('states.amazonaws.com'),
      description: `runas-bootstrapper ${id.toLowerCase()} state machine`,
    });
    // Exactly the unqualified ARNs the ASL names.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'InvokeTaskFunctions',
        actions: ['lambda:InvokeFunction'],
        resources: Object.values(props.tasks).map((fn) => fn.functionArn),
      }),
    );
    const telemetry = stateMachineTelemetry(scope, id, role);
    super(scope, id, {
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromFile(props.definitionFile),
      definitionSubstitutions: {
        ...Object.fromEntries(
          Object.entries(props.tasks).map(([key, fn]) => [`${key}FunctionArn`, fn.functionArn]),
        ),
        // Service integrations (`arn:${Partition}:states:::…`) are named in the stack's partition.
        ...(readFileSync(props.definitionFile, 'utf8').includes(PARTITION_PLACEHOLDER)
          ? { Partition: Aws.PARTITION }
          : {}),
        ...props.substitutions,
      },
      role: role.withoutPolicyUpdates(),
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });
    this.executionRole = role;
    this.#definitionFile = props.definitionFile;
    // Step Functions checks log delivery permissions when it creates the state machine.
    this.node.addDependency(role, telemetry);
  }

  /**
   * What a Distributed Map needs: start child executions of this state machine, and describe, stop
   * or redrive them. In a policy of its own, attached after the state machine exists (the ARN would
   * otherwise be circular); returned so that whatever starts the machine can depend on it.
   */
  allowDistributedMap(): iam.Policy {
    const stack = Stack.of(this);
    const label = distributedMapLabel(this.#definitionFile);
    const childExecutions = stack.formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${this.stateMachineName}/*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const childRuns = stack.formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${this.stateMachineName}/${label}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const policy = new iam.Policy(this.node.scope as Construct, `${this.node.id}DistributedMap`, {
      roles: [this.executionRole],
      statements: [
        new iam.PolicyStatement({
          sid: 'StartChildExecutions',
          actions: ['states:StartExecution'],
          resources: [this.stateMachineArn],
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
    const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
    const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
    const name = `<${stack.getLogicalId(this.node.defaultChild as CfnElement)}.Name>`;
    for (const suffix of ['*', `${label}:*`]) {
      Validations.of(policy).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:${region}:${account}:execution:${name}/${suffix}]`,
        reason: NAG_REASONS.sweepChildExecutions,
      });
    }
    return policy;
  }
}

/** What CDK would add for logging and tracing, in a policy of its own so only it carries the `*`. */
function stateMachineTelemetry(scope: Construct, id: string, role: iam.Role): iam.Policy {
  const telemetry = new iam.Policy(scope, `${id}Telemetry`, {
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
  return telemetry;
}

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
  const definition = JSON.parse(readFileSync(file, 'utf8')) as { States: Record<string, State> };
  const labels = Object.entries(definition.States)
    .filter(
      ([, state]) => state.Type === 'Map' && state.ItemProcessor?.ProcessorConfig?.Mode === 'DISTRIBUTED',
    )
    .map(([name, state]) => state.Label ?? name);
  const [label, ...others] = labels;
  if (label === undefined || others.length > 0)
    throw new Error(`${file}: expected one top-level distributed Map, found ${labels.length}`);
  return label;
}
