import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { assumedRoleCredentials } from '#adapters/assumed-role-credentials.ts';
import { ExecutionStatus } from '#adapters/execution-status.ts';
import { FollowedRuns } from '#adapters/followed-runs.ts';
import { MemberSessions } from '#adapters/member-session.ts';
import { OrganizationDirectory } from '#adapters/organizations.ts';
import { PipelineHistory } from '#adapters/pipeline-history.ts';
import { VendLedger } from '#adapters/vend-ledger.ts';
import type { DependencyModules } from './dependencies.ts';

/** Every module any handler uses: for one process that runs all the handlers (the local runtime). */
export const ALL_DEPENDENCY_MODULES: Required<DependencyModules> = {
  STSClient,
  MemberSessions,
  SSMClient,
  OrganizationsClient,
  OrganizationDirectory,
  CodePipelineClient,
  PipelineHistory,
  DynamoDBClient,
  VendLedger,
  FollowedRuns,
  SFNClient,
  ExecutionStatus,
  assumedRoleCredentials,
};
