import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SSMClient, UpdateDocumentCommand } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import {
  currentVirtualTime,
  type LocalCloud,
  type ScenarioInput,
  startLocalCloud,
  VirtualTime,
} from '@runas-bootstrapper/local-cloud';
import { parseConfig } from '#core/config/config.ts';
import { BOOTSTRAP_STATE_MACHINE } from '#core/shared/names.ts';
import { pipelineDefaultsFor } from '#local/runtime/deployment.ts';
import { LocalRuntime } from '#local/runtime/runtime.ts';
import { documentWith } from '#test/fixtures/session-document.ts';

export const MANAGEMENT_ACCOUNT = '999999999999';
export const GOVERNED_REGIONS = ['us-east-1', 'eu-west-1'];
export const RUN_AS_USER = 'ec2-user';

/** What LZA writes: logging set up, RunAs off. */
export function lzaDocument(region: string, accountId: string) {
  return documentWith({
    s3BucketName: `aws-accelerator-central-logs-${MANAGEMENT_ACCOUNT}-${region}`,
    s3KeyPrefix: `session/${accountId}`,
    s3EncryptionEnabled: true,
    cloudWatchLogGroupName: 'aws-accelerator-sessionmanager-logs',
    cloudWatchEncryptionEnabled: true,
    cloudWatchStreamingEnabled: true,
    kmsKeyId: '',
    runAsEnabled: false,
    runAsDefaultUser: '',
    idleSessionTimeout: '30',
  });
}

export function compliantDocument(region: string, accountId: string) {
  const document = lzaDocument(region, accountId);
  return { ...document, inputs: { ...document.inputs, runAsEnabled: true, runAsDefaultUser: RUN_AS_USER } };
}

export const FOREIGN_DOCUMENT = {
  schemaVersion: '1.0',
  description: 'Port forwarding stored under the RunShell name',
  sessionType: 'Port',
  inputs: { portNumber: '22' },
};

export type ScenarioAccounts = NonNullable<ScenarioInput['accounts']>;
type ScenarioAccount = ScenarioAccounts[number];
type DocumentMaker = (region: string, accountId: string) => Record<string, unknown>;

/** The same kind of document in every governed region. */
export function inEveryRegion(
  make: DocumentMaker,
  accountId: string,
): Record<string, Record<string, unknown>> {
  return Object.fromEntries(GOVERNED_REGIONS.map((region) => [region, make(region, accountId)]));
}

/**
 * A member that exists from the start (no vend event), with its documents: a maker for every
 * governed region, or documents per region.
 */
export function existingMember(
  accountId: string,
  name: string,
  documents?: DocumentMaker | ScenarioAccount['documents'],
  extra: Partial<ScenarioAccount> = {},
): ScenarioAccount {
  return {
    accountId,
    name,
    vend: { atSeconds: 0, via: 'none' },
    ...(documents
      ? { documents: typeof documents === 'function' ? inEveryRegion(documents, accountId) : documents }
      : {}),
    ...extra,
  };
}

export interface OperatorCloud {
  cloud: LocalCloud;
  runtime: LocalRuntime;
  configFile: string;
  stateMachineArn: string;
  /** Global options that point the CLI at this cloud, followed by the command's arguments. */
  args(...command: string[]): string[];
  /** Write a new $LATEST in a member account without making it the default, as a hand edit would. */
  addUnpromotedVersion(accountId: string, region: string, content: unknown): Promise<void>;
  /** SSM write calls made in an account (any region). */
  writeCalls(accountId?: string): number;
  close(): Promise<void>;
}

/**
 * A local cloud with the bootstrapper deployed on it, and a config file governing two regions.
 * Accounts exist from the start (`vend: none`), so only replays start executions. It runs on
 * virtual time (installed here unless the test file already did, and given back by `close()`), so
 * the executions the CLI starts and follows take simulated time that a busy machine cannot stretch.
 */
export async function startOperatorCloud(
  accounts: ScenarioAccounts,
  configOverride: Record<string, unknown> = {},
  runtimeOptions: { sweepBatchSize?: number; modelledLatency?: boolean; homeRegion?: string } = {},
): Promise<OperatorCloud> {
  const { modelledLatency, homeRegion = 'us-east-1', ...runtimeStart } = runtimeOptions;
  const ownTime = currentVirtualTime() ? undefined : VirtualTime.install({ seed: 1 });
  const configInput = { runAsDefaultUser: RUN_AS_USER, governedRegions: GOVERNED_REGIONS, ...configOverride };
  const dir = mkdtempSync(join(tmpdir(), 'runas-operator-'));
  const configFile = join(dir, 'bootstrapper.config.json');
  writeFileSync(configFile, JSON.stringify(configInput));
  const config = parseConfig({
    ...configInput,
    managementAccountId: MANAGEMENT_ACCOUNT,
    homeRegion,
  });
  const scenario: ScenarioInput = {
    managementAccountId: MANAGEMENT_ACCOUNT,
    homeRegion,
    ...(modelledLatency ? { latency: { model: 'aws', seed: 1 } } : {}),
    accounts,
  };
  let cloud: LocalCloud | undefined;
  let runtime: LocalRuntime;
  try {
    cloud = await startLocalCloud({ port: 0, scenario, pipelineDefaults: pipelineDefaultsFor(config) });
    runtime = await LocalRuntime.start({
      host: cloud,
      config,
      managementAccountId: MANAGEMENT_ACCOUNT,
      homeRegion,
      ...runtimeStart,
    });
  } catch (error) {
    await cloud?.close();
    await ownTime?.uninstall();
    throw error;
  }
  cloud.startTimeline();
  return {
    cloud,
    runtime,
    configFile,
    stateMachineArn: runtime.stateMachineArn(BOOTSTRAP_STATE_MACHINE),
    args: (...command) => ['--config', configFile, '--endpoint-url', cloud.url, ...command],
    async addUnpromotedVersion(accountId, region, content) {
      const sts = new STSClient(cloud.clientConfig(region));
      const { Credentials } = await sts.send(
        new AssumeRoleCommand({
          RoleArn: `arn:aws:iam::${accountId}:role/OrganizationAccountAccessRole`,
          RoleSessionName: 'hand-edit',
        }),
      );
      const ssm = new SSMClient({
        ...cloud.clientConfig(region),
        credentials: {
          accessKeyId: Credentials?.AccessKeyId ?? '',
          secretAccessKey: Credentials?.SecretAccessKey ?? '',
          sessionToken: Credentials?.SessionToken ?? '',
        },
      });
      await ssm.send(
        new UpdateDocumentCommand({
          Name: 'SSM-SessionManagerRunShell',
          Content: JSON.stringify(content),
          DocumentVersion: '$LATEST',
        }),
      );
    },
    writeCalls: (accountId) =>
      ['ssm:CreateDocument', 'ssm:UpdateDocument', 'ssm:UpdateDocumentDefaultVersion'].reduce(
        (sum, operation) => sum + cloud.state.callCount({ operation, ...(accountId ? { accountId } : {}) }),
        0,
      ),
    async close() {
      runtime.stop();
      await runtime.whenIdle();
      await cloud.close();
      await ownTime?.uninstall();
    },
  };
}
