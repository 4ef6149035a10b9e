import type { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import type { assumedRoleCredentials } from '#adapters/assumed-role-credentials.ts';
import { createClient } from '#adapters/clients.ts';
import type { ExecutionStatus } from '#adapters/execution-status.ts';
import type { FollowedRuns } from '#adapters/followed-runs.ts';
import type { MemberSessions } from '#adapters/member-session.ts';
import type { OrganizationDirectory } from '#adapters/organizations.ts';
import type { PipelineHistory } from '#adapters/pipeline-history.ts';
import type { VendLedger } from '#adapters/vend-ledger.ts';
import { type BootstrapperConfig, configFromEnvironment, runAsSetting } from '#core/config/config.ts';
import { hopRoleArn, hubAccount } from '#core/deploy/hub.ts';
import { externalPipelineAccount, pipelineReaderRoleArn } from '#core/deploy/pipeline-account.ts';
import { partitionOf } from '#core/shared/arn.ts';
import { ConfigurationError } from '#core/shared/errors.ts';
import { LEDGER_TABLE_ENV_VAR } from '#core/vend/ledger.ts';

/** What every handler needs, built once per cold start. */
export interface HandlerDependencies {
  config: BootstrapperConfig;
  runAs: ReturnType<typeof runAsSetting>;
  region: string;
  sessions: MemberSessions;
  organization: OrganizationDirectory;
  /** The LZA pipeline's history in the home region. */
  pipeline: PipelineHistory;
  /** The vend ledger (DynamoDB), named by VEND_LEDGER_TABLE. */
  ledger: VendLedger;
  /** The ledger table's markers of followed LZA Security_Resources (built on first call). */
  followedRuns: () => FollowedRuns;
  /** Whether an execution (a vend's owner) still runs: Step Functions DescribeExecution. */
  executions: ExecutionStatus;
  now: () => number;
  /** Waits on the same clock as `now` (the local cloud may run it faster than the wall). */
  sleep: (ms: number) => Promise<void>;
}

/**
 * The SDK clients and adapters a handler uses, passed in by the handler itself: this file imports
 * none of them, so each Lambda bundle carries only its own clients (the SSM, STS, Organizations
 * and CodePipeline clients are most of a bundle). Asking for a dependency whose modules were not
 * given is a programming error, reported by name.
 */
export interface DependencyModules {
  STSClient?: typeof STSClient;
  MemberSessions?: typeof MemberSessions;
  /** Only for handlers that read or write documents; await-role proves the role with STS alone. */
  SSMClient?: typeof SSMClient;
  OrganizationsClient?: typeof OrganizationsClient;
  OrganizationDirectory?: typeof OrganizationDirectory;
  CodePipelineClient?: typeof CodePipelineClient;
  PipelineHistory?: typeof PipelineHistory;
  DynamoDBClient?: typeof DynamoDBClient;
  VendLedger?: typeof VendLedger;
  FollowedRuns?: typeof FollowedRuns;
  SFNClient?: typeof SFNClient;
  ExecutionStatus?: typeof ExecutionStatus;
  /** Only for reading the LZA pipeline in an external pipeline account (with STSClient). */
  assumedRoleCredentials?: typeof assumedRoleCredentials;
}

export interface DependencyOptions {
  /** Explicit credentials; otherwise the standard chain. */
  credentials?: AwsCredentialIdentity;
  /** Credentials of the STS client that assumes member roles, when not `credentials` (the local runtime's role keys). */
  stsCredentials?: AwsCredentialIdentity;
  /** The clock; the local cloud runs simulated time. */
  now?: () => number;
  /** A wait of simulated milliseconds, on that clock. */
  sleep?: (ms: number) => Promise<void>;
  /** Sockets per SDK client (adapters/clients.ts); the local runtime shares clients across invocations. */
  maxSockets?: number;
  /** Idle wall ms after which a client closes a kept-alive socket (adapters/clients.ts). */
  idleSocketMs?: number;
}

/**
 * Build the dependencies from an environment map. Lambda passes `process.env`; the config is
 * validated here, so a bad value fails the cold start with a message naming the field.
 */
export function buildDependencies(
  env: Record<string, string | undefined>,
  options: DependencyOptions = {},
  modules: DependencyModules = {},
): HandlerDependencies {
  const config = configFromEnvironment(env);
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) throw new ConfigurationError('AWS_REGION: environment variable is not set');
  const endpoint = env.AWS_ENDPOINT_URL;
  const now = options.now ?? Date.now;
  const common = {
    region,
    ...(options.maxSockets ? { maxSockets: options.maxSockets } : {}),
    ...(options.idleSocketMs ? { idleSocketMs: options.idleSocketMs } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(endpoint ? { endpoint } : {}),
  };
  const missing = (what: string, needs: string): never => {
    throw new ConfigurationError(`${what}: this handler was built without ${needs}`);
  };
  // A hub account reaches the organization through the management account's hop role: hub role
  // -> hop role -> member role, each chained session at most an hour (docs/organization-shapes.md).
  let hop: ReturnType<typeof assumedRoleCredentials> | undefined;
  const organizationAccess = (what: string) => {
    const management = hubAccount(config) ? config.managementAccountId : undefined;
    if (!management) return common;
    if (!modules.STSClient || !modules.assumedRoleCredentials)
      return missing(what, 'STSClient and assumedRoleCredentials (hub account)');
    hop ??= modules.assumedRoleCredentials(
      createClient(modules.STSClient, 'sts', common),
      hopRoleArn(partitionOf(region), management),
      'runas-bootstrapper-hop',
      now,
    );
    return { ...common, credentials: hop };
  };
  // Built on first use, so a handler creates only the clients it calls.
  let sessions: MemberSessions | undefined;
  let organization: OrganizationDirectory | undefined;
  let pipeline: PipelineHistory | undefined;
  let ledger: VendLedger | undefined;
  let followedRuns: FollowedRuns | undefined;
  let executions: ExecutionStatus | undefined;
  return {
    config,
    runAs: runAsSetting(config),
    region,
    get sessions() {
      if (!modules.STSClient || !modules.MemberSessions)
        return missing('sessions', 'STSClient and MemberSessions');
      sessions ??= new modules.MemberSessions({
        sts: createClient(
          modules.STSClient,
          'sts',
          // The local runtime's own role keys for the member roles, unless a hub chains through its hop.
          hubAccount(config) || !options.stsCredentials
            ? organizationAccess('sessions')
            : { ...common, credentials: options.stsCredentials },
        ),
        region,
        roleNames: config.memberRoleNames,
        now,
        pruneVersions: config.documentVersionPruning.enabled,
        ...(endpoint ? { endpoint } : {}),
        ...(modules.SSMClient ? { SSMClient: modules.SSMClient } : {}),
      });
      return sessions;
    },
    get organization() {
      if (!modules.OrganizationsClient || !modules.OrganizationDirectory)
        return missing('organization', 'OrganizationsClient and OrganizationDirectory');
      // Organizations is global: its endpoint lives in us-east-1 (or the partition's equivalent).
      organization ??= new modules.OrganizationDirectory(
        createClient(modules.OrganizationsClient, 'organizations', organizationAccess('organization')),
      );
      return organization;
    },
    get pipeline() {
      if (!modules.CodePipelineClient || !modules.PipelineHistory)
        return missing('pipeline', 'CodePipelineClient and PipelineHistory');
      // LZA with an external pipeline account: read the history there, through its reader role.
      const pipelineAccount = externalPipelineAccount(config);
      if (pipelineAccount && (!modules.STSClient || !modules.assumedRoleCredentials))
        return missing('pipeline', 'STSClient and assumedRoleCredentials');
      const credentials =
        pipelineAccount && modules.STSClient && modules.assumedRoleCredentials
          ? modules.assumedRoleCredentials(
              createClient(modules.STSClient, 'sts', common),
              pipelineReaderRoleArn(partitionOf(region), pipelineAccount),
              'runas-bootstrapper-pipeline',
              now,
            )
          : undefined;
      pipeline ??= new modules.PipelineHistory(
        createClient(
          modules.CodePipelineClient,
          'codepipeline',
          credentials ? { ...common, credentials } : organizationAccess('pipeline'),
        ),
        config.lza.pipelineName,
      );
      return pipeline;
    },
    get ledger() {
      if (!modules.DynamoDBClient || !modules.VendLedger)
        return missing('ledger', 'DynamoDBClient and VendLedger');
      const tableName = env[LEDGER_TABLE_ENV_VAR];
      if (!tableName)
        throw new ConfigurationError(`${LEDGER_TABLE_ENV_VAR}: environment variable is not set`);
      ledger ??= new modules.VendLedger(createClient(modules.DynamoDBClient, 'dynamodb', common), tableName);
      return ledger;
    },
    followedRuns() {
      if (!modules.DynamoDBClient || !modules.FollowedRuns)
        return missing('followedRuns', 'DynamoDBClient and FollowedRuns');
      const tableName = env[LEDGER_TABLE_ENV_VAR];
      if (!tableName)
        throw new ConfigurationError(`${LEDGER_TABLE_ENV_VAR}: environment variable is not set`);
      followedRuns ??= new modules.FollowedRuns(
        createClient(modules.DynamoDBClient, 'dynamodb', common),
        tableName,
      );
      return followedRuns;
    },
    get executions() {
      if (!modules.SFNClient || !modules.ExecutionStatus)
        return missing('executions', 'SFNClient and ExecutionStatus');
      executions ??= new modules.ExecutionStatus(createClient(modules.SFNClient, 'sfn', common));
      return executions;
    },
    now,
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
  };
}

/** Lambda's cold start: built on first use from `process.env`, then reused while warm. */
export function fromProcessEnvironment(modules: DependencyModules = {}): () => HandlerDependencies {
  let dependencies: HandlerDependencies | undefined;
  return () => {
    dependencies ??= buildDependencies(process.env, {}, modules);
    return dependencies;
  };
}
