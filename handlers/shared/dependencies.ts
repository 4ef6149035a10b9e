import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import { createClient } from '#adapters/clients.ts';
import { MemberSessions } from '#adapters/member-session.ts';
import { OrganizationDirectory } from '#adapters/organizations.ts';
import { PipelineHistory } from '#adapters/pipeline-history.ts';
import { VendLedger } from '#adapters/vend-ledger.ts';
import { type BootstrapperConfig, configFromEnvironment, runAsSetting } from '#core/config.ts';
import { ConfigurationError } from '#core/errors.ts';
import { LEDGER_TABLE_ENV_VAR } from '#core/vend-ledger.ts';
import { tracer } from './observability.ts';

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
  now: () => number;
}

export interface DependencyOptions {
  /** Explicit credentials; otherwise the standard chain. */
  credentials?: AwsCredentialIdentity;
  /** The clock; the local cloud runs simulated time. */
  now?: () => number;
}

/**
 * Build the dependencies from an environment map. Lambda passes `process.env`; the config is
 * validated here, so a bad value fails the cold start with a message naming the field.
 */
export function buildDependencies(
  env: Record<string, string | undefined>,
  options: DependencyOptions = {},
): HandlerDependencies {
  const config = configFromEnvironment(env);
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) throw new ConfigurationError('AWS_REGION: environment variable is not set');
  const tableName = env[LEDGER_TABLE_ENV_VAR];
  if (!tableName) throw new ConfigurationError(`${LEDGER_TABLE_ENV_VAR}: environment variable is not set`);
  const endpoint = env.AWS_ENDPOINT_URL;
  const now = options.now ?? Date.now;
  const common = {
    region,
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(endpoint ? { endpoint } : {}),
  };
  const sts = tracer.captureAWSv3Client(createClient(STSClient, 'sts', common));
  const organizations = tracer.captureAWSv3Client(
    // Organizations is global: its endpoint lives in us-east-1 (or the partition's equivalent).
    createClient(OrganizationsClient, 'organizations', common),
  );
  return {
    config,
    runAs: runAsSetting(config),
    region,
    sessions: new MemberSessions({
      sts,
      region,
      roleNames: config.memberRoleNames,
      now,
      pruneVersions: config.documentVersionPruning.enabled,
      ...(endpoint ? { endpoint } : {}),
    }),
    organization: new OrganizationDirectory(organizations),
    pipeline: new PipelineHistory(
      tracer.captureAWSv3Client(createClient(CodePipelineClient, 'codepipeline', common)),
      config.lza.pipelineName,
    ),
    ledger: new VendLedger(
      tracer.captureAWSv3Client(createClient(DynamoDBClient, 'dynamodb', common)),
      tableName,
    ),
    now,
  };
}

/** Lambda's cold start: built on first use from `process.env`, then reused while warm. */
export function fromProcessEnvironment(): () => HandlerDependencies {
  let dependencies: HandlerDependencies | undefined;
  return () => {
    dependencies ??= buildDependencies(process.env);
    return dependencies;
  };
}
