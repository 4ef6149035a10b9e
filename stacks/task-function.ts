import path from 'node:path';
import { type Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { NAG_REASONS } from './nag-reasons.ts';

export const PROJECT_ROOT = path.resolve(import.meta.dirname, '..');

/** Handler and state-machine logs are the audit trail of which accounts were changed, and when. */
export const LOG_RETENTION = logs.RetentionDays.ONE_YEAR;

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
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __runasCreateRequire } from 'node:module'; const require = __runasCreateRequire(import.meta.url);";

export interface TaskFunctionProps {
  /** The entry, `handlers/<name>.ts`, and the name in the role's and function's descriptions. */
  handlerName: string;
  timeout: Duration;
  environment: Record<string, string>;
}

/** What the function is built on, made in its scope before the function itself. */
interface Foundation {
  logGroup: logs.LogGroup;
  role: iam.Role;
  telemetry: iam.Policy;
}

/**
 * One Lambda task of a state machine: a NodejsFunction with the settings every task shares (arm64,
 * nodejs24.x, active tracing, ESM bundle with the SDK pinned from package-lock.json), its own
 * retained log group, and an explicit role that may write only to that group. Like Powertools'
 * function-with-log-group construct, the log group (and here the role) live in the function's
 * scope, beside it, so their logical ids are `<id>Logs`, `<id>Role` and `<id>Telemetry`, and the
 * function's `<id>Function`.
 *
 * The function sees an immutable view of its role; `executionRole` is the role to grant on.
 */
export class TaskFunction extends NodejsFunction {
  readonly executionRole: iam.Role;

  constructor(scope: Construct, id: string, props: TaskFunctionProps) {
    const foundation = taskFoundation(scope, id, props.handlerName);
    super(scope, `${id}Function`, {
      entry: path.join(PROJECT_ROOT, 'handlers', `${props.handlerName}.ts`),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      runtime: LAMBDA_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: props.timeout,
      tracing: lambda.Tracing.ACTIVE,
      logGroup: foundation.logGroup,
      // Immutable view: CDK must not add statements behind our back (Tracing.ACTIVE would add X-Ray here).
      role: foundation.role.withoutPolicyUpdates(),
      environment: props.environment,
      description: `runas-bootstrapper ${props.handlerName}`,
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
    this.executionRole = foundation.role;
    this.node.addDependency(foundation.role, foundation.telemetry);
    Validations.of(this).acknowledge({ id: 'AwsSolutions-L1', reason: NAG_REASONS.runtime });
  }
}

function taskFoundation(scope: Construct, id: string, handlerName: string): Foundation {
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
    retention: LOG_RETENTION,
    // Retained: the logs are the record of what was done to which account. Generated names mean a
    // redeploy never collides with a retained group.
    removalPolicy: RemovalPolicy.RETAIN,
  });
  // An explicit role with logging scoped to this function's own group, instead of the managed
  // AWSLambdaBasicExecutionRole, which allows writing to every log group in the account.
  const role = new iam.Role(scope, `${id}Role`, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: `runas-bootstrapper ${handlerName} Lambda`,
  });
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'OwnLogGroupOnly',
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [logGroup.logGroupArn],
    }),
  );
  // X-Ray in a policy of its own, so that its unavoidable `*` is acknowledged there and nowhere else.
  const telemetry = new iam.Policy(scope, `${id}Telemetry`, {
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
  return { logGroup, role, telemetry };
}
