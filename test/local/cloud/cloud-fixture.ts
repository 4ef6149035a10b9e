import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import { afterEach } from 'vitest';
import type { EventEnvelope, LocalCloud, ScenarioInput } from '#local/cloud/index.ts';
import { startLocalCloud } from '#local/cloud/index.ts';
import { documentWith } from '#test/fixtures/session-document.ts';

/** Test scaffolding: a cloud per test, real SDK clients pointed at it. */

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

export async function startCloud(scenario: ScenarioInput = baseScenario()): Promise<LocalCloud> {
  const cloud = await startLocalCloud({ port: 0, scenario });
  open.push(cloud);
  return cloud;
}

export function clientConfig(
  cloud: LocalCloud,
  region = 'us-east-1',
  credentials: AwsCredentialIdentity = cloud.credentials,
  maxAttempts = 1,
) {
  return { endpoint: cloud.url, region, credentials, maxAttempts };
}

export async function assumeRole(
  cloud: LocalCloud,
  accountId: string,
  options: { roleName?: string; policy?: object; region?: string; durationSeconds?: number } = {},
): Promise<AwsCredentialIdentity> {
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

/** The tests' Session document (test/fixtures/session-document.ts) as content for CreateDocument. */
export function sessionDocument(inputs: Record<string, unknown> = {}): string {
  return JSON.stringify(documentWith(inputs));
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
