import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterEach } from 'vitest';
import type { EventEnvelope } from './bus.ts';
import type { ScenarioInput } from './scenario.ts';
import { type LocalCloud, type LocalCloudOptions, startLocalCloud } from './server.ts';

/** Credentials as SDK clients take them. */
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/**
 * Test scaffolding for vitest suites (`@runas-bootstrapper/local-cloud/testing`): a cloud per
 * test, closed after it, and real SDK clients pointed at it.
 */

export const MANAGEMENT = '111111111111';
export const MEMBER = '222222222222';
export const OTHER_MEMBER = '333333333333';
export const DOC = 'SSM-SessionManagerRunShell';
/** 1 simulated second = 1 wall ms. */
export const FAST = 0.001;

const open: LocalCloud[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((cloud) => cloud.close()));
});

export function baseScenario(overrides: Partial<ScenarioInput> = {}): ScenarioInput {
  return {
    managementAccountId: MANAGEMENT,
    homeRegion: 'us-east-1',
    timeScale: FAST,
    accounts: [
      { accountId: MEMBER, name: 'member', roles: { OrganizationAccountAccessRole: 0 } },
      { accountId: OTHER_MEMBER, name: 'other', roles: { OrganizationAccountAccessRole: 0 } },
    ],
    ...overrides,
  };
}

/** `baseScenario` with one member account, assumable at once, and `account`'s fields laid over it. */
export function memberScenario(
  account: Partial<NonNullable<ScenarioInput['accounts']>[number]> = {},
  overrides: Partial<ScenarioInput> = {},
): ScenarioInput {
  return baseScenario({
    ...overrides,
    accounts: [
      { accountId: MEMBER, name: 'member', roles: { OrganizationAccountAccessRole: 0 }, ...account },
    ],
  });
}

export async function startCloud(
  scenario: ScenarioInput = baseScenario(),
  options: Omit<LocalCloudOptions, 'scenario' | 'port'> = {},
): Promise<LocalCloud> {
  const cloud = await startLocalCloud({ ...options, port: 0, scenario });
  open.push(cloud);
  return cloud;
}

export function clientConfig(
  cloud: LocalCloud,
  region = 'us-east-1',
  credentials: Credentials = cloud.credentials,
  maxAttempts = 1,
) {
  return { endpoint: cloud.url, region, credentials, maxAttempts };
}

export async function assumeRole(
  cloud: LocalCloud,
  accountId: string,
  options: { roleName?: string; policy?: object; region?: string; durationSeconds?: number } = {},
): Promise<Credentials> {
  const sts = new STSClient(clientConfig(cloud, options.region));
  const out = await sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${accountId}:role/${options.roleName ?? 'OrganizationAccountAccessRole'}`,
      RoleSessionName: 'test-session',
      ...(options.policy ? { Policy: JSON.stringify(options.policy) } : {}),
      ...(options.durationSeconds ? { DurationSeconds: options.durationSeconds } : {}),
    }),
  );
  const c = out.Credentials!;
  return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function errorOf(
  promise: Promise<unknown>,
): Promise<Error & { $metadata: { httpStatusCode?: number; attempts?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { $metadata: { httpStatusCode?: number; attempts?: number } };
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/** The inputs the Session Manager console writes when preferences are first saved (RunAs off). */
const CONSOLE_DEFAULT_INPUTS: Readonly<Record<string, unknown>> = {
  s3BucketName: '',
  s3KeyPrefix: '',
  s3EncryptionEnabled: true,
  cloudWatchLogGroupName: '',
  cloudWatchEncryptionEnabled: true,
  cloudWatchStreamingEnabled: false,
  kmsKeyId: '',
  runAsEnabled: false,
  runAsDefaultUser: '',
  idleSessionTimeout: '20',
  maxSessionDuration: '',
  shellProfile: { windows: '', linux: '' },
};

/** A Session document in the console's shape: its default inputs with `inputs` laid over them. */
export function sessionDocumentWith(inputs: Record<string, unknown> = {}) {
  return {
    schemaVersion: '1.0',
    description: 'Document to hold regional settings for Session Manager',
    sessionType: 'Standard_Stream',
    inputs: { ...CONSOLE_DEFAULT_INPUTS, ...inputs },
  };
}

/** `sessionDocumentWith(inputs)` as content for CreateDocument. */
export function sessionDocument(inputs: Record<string, unknown> = {}): string {
  return JSON.stringify(sessionDocumentWith(inputs));
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Poll until `check` returns a value (not undefined), or fail after `timeoutMs`. */
export async function eventually<T>(
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(5);
  }
}

/** A nested status object of a CloudTrail service event, e.g. `createAccountStatus`. */
export interface ServiceEventStatus {
  [key: string]: unknown;
  id?: string;
  state?: string;
  accountId?: string;
  failureReason?: string;
  requestedTimestamp?: string;
  completedTimestamp?: string;
  account?: { accountName: string; accountId: string };
  organizationalUnit?: { organizationalUnitName: string; organizationalUnitId: string };
}

export function serviceEventStatus(event: EventEnvelope, key: string): ServiceEventStatus | undefined {
  const details = event.detail.serviceEventDetails as Record<string, ServiceEventStatus> | undefined;
  return details?.[key];
}
