import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { STSClient } from '@aws-sdk/client-sts';
import { assumedRoleCredentials } from '#adapters/assumed-role-credentials.ts';
import { createClient } from '#adapters/clients.ts';
import { PipelineHistory } from '#adapters/pipeline-history.ts';
import { externalPipelineAccount, pipelineReaderRoleArn } from '#core/deploy/pipeline-account.ts';
import { partitionOf } from '#core/shared/arn.ts';
import type { HandlerEnvironment } from './environment.ts';
import { organizationAccess } from './organization-access.ts';

/**
 * The LZA pipeline's history in the home region. With an external pipeline account, read there
 * through its reader role; otherwise where the organization is reached (a hub through its hop).
 */
export function pipelineHistory(environment: HandlerEnvironment): PipelineHistory {
  const { config, clients, region, now } = environment;
  const pipelineAccount = externalPipelineAccount(config);
  const access = pipelineAccount
    ? {
        ...clients,
        credentials: assumedRoleCredentials(
          createClient(STSClient, 'sts', clients),
          pipelineReaderRoleArn(partitionOf(region), pipelineAccount),
          'runas-bootstrapper-pipeline',
          now,
        ),
      }
    : organizationAccess(environment);
  return new PipelineHistory(
    createClient(CodePipelineClient, 'codepipeline', access),
    config.lza.pipelineName,
  );
}
