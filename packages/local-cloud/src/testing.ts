import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterEach } from 'vitest';
import type { EventEnvelope } from './bus.ts';
import type { ScenarioInput } from './scenario.ts';
import { type LocalCloud, type LocalCloudOptions, startLocalCloud } from './server.ts';
import { currentVirtualTime, realTimers, VirtualTime } from './virtual-time.ts';

/** Credentials as SDK clients take them. */
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/**
 * Test scaffolding for vitest suites (`@runas-bootstrapper/local-cloud/testing`): a cloud per
 * test, closed after it, and real SDK clients pointed at it.
 *
 * Scenarios play on virtual time (`VirtualTime`): `startCloud` installs it for a scenario at
 * timeScale 1 (the default, and `baseScenario`'s) unless the process has one already, and
 * gives it back after the test. Simulated time then moves only by what the scenario models
 * (creation delays, role propagation, pipeline durations, the SDK's retry backoff), and jumps
 * when the process is quiet, so a busy machine stretches no timeline and changes no outcome.
 * Waits in a test are simulated too: `elapse(seconds)`, `eventually(check, timeoutMs)` and
 * `cloud.bus.waitFor(predicate, timeoutMs)` count simulated time.
 */

export const MANAGEMENT = '111111111111';
export const MEMBER = '222222222222';
export const OTHER_MEMBER = '333333333333';
export const DOC = 'SSM-SessionManagerRunShell';

const open: LocalCloud[] = [];
/** The virtual time `startCloud` installed for the current test (it alone gives it back). */
let installedHere: VirtualTime | undefined;

afterEach(async () => {
  // The clouds first: their scheduled tasks are timers of the virtual clock, cleared on close.
  await Promise.all(open.splice(0).map((cloud) => cloud.close()));
  const time = installedHere;
  installedHere = undefined;
  await time?.uninstall();
});

export function baseScenario(overrides: Partial<ScenarioInput> = {}): ScenarioInput {
  return {
    managementAccountId: MANAGEMENT,
    homeRegion: 'us-east-1',
    timeScale: 1,
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

/**
 * Start a cloud for this test, closed after it. At timeScale 1 it plays on virtual time: installed
 * here (seeded with the scenario's latency seed, starting at the next whole wall second, since
 * events carry whole seconds) unless one is installed already, and uninstalled after the test's
 * clouds are closed. Another timeScale plays on scaled wall time.
 */
export async function startCloud(
  scenario: ScenarioInput = baseScenario(),
  options: Omit<LocalCloudOptions, 'scenario' | 'port'> = {},
): Promise<LocalCloud> {
  // Before the cloud starts: its simulated clock reads `Date` when it is created.
  if ((scenario.timeScale ?? 1) === 1 && !currentVirtualTime()) {
    installedHere = VirtualTime.install({
      seed: scenario.latency?.seed ?? 1,
      startMs: Math.ceil(realTimers.now() / 1000) * 1000,
    });
  }
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
  const { AccessKeyId, SecretAccessKey, SessionToken } = out.Credentials ?? {};
  if (!AccessKeyId || !SecretAccessKey || !SessionToken)
    throw new Error(`AssumeRole into ${accountId} answered without complete credentials`);
  return { accessKeyId: AccessKeyId, secretAccessKey: SecretAccessKey, sessionToken: SessionToken };
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function errorOf(
  promise: Promise<unknown>,
): Promise<Error & { $metadata: { httpStatusCode?: number; attempts?: number } }> {
  try {
    await promise;
  } catch (error) {
    if (!(error instanceof Error)) throw new Error(`expected an Error, but the call threw ${String(error)}`);
    // An SDK exception carries its $metadata; another Error (a refused scenario) gets an empty one.
    const metadata =
      '$metadata' in error && typeof error.$metadata === 'object' && error.$metadata !== null
        ? error.$metadata
        : {};
    return Object.assign(error, { $metadata: metadata });
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

function virtualTime(helper: string): VirtualTime {
  const time = currentVirtualTime();
  if (!time) {
    throw new Error(`${helper} counts simulated time: start the cloud on virtual time first (timeScale 1)`);
  }
  return time;
}

/**
 * Let `seconds` of simulated time pass (the clock jumps there once the process is quiet).
 * `elapse(0)` lets the current instant finish: timers due now fire only once the process is
 * quiet, so work another component scheduled for "now" (dynalite's table activation) has run.
 */
export function elapse(seconds: number): Promise<void> {
  virtualTime('elapse');
  return new Promise((resolve) => setTimeout(resolve, seconds * 1000));
}

/**
 * Check at every simulated instant something happens until `check` returns a value (not
 * undefined); fail once `timeoutMs` of SIMULATED time have passed without one.
 */
export async function eventually<T>(
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 5000,
): Promise<T> {
  const time = virtualTime('eventually');
  const deadline = Date.now() + timeoutMs;
  // A timer at the deadline, so that the clock can reach it when nothing else is scheduled.
  const alarm = setTimeout(() => {}, timeoutMs);
  try {
    for (;;) {
      // Quiet: what was in flight at this instant (a delivery, a response) has landed.
      await time.until(() => true);
      const value = await check();
      if (value !== undefined) return value;
      if (Date.now() >= deadline) throw new Error(`condition not met within ${timeoutMs} simulated ms`);
      // Nothing changes until the next timer fires (a scheduled task, a modelled delay, a retry).
      const fired = time.timersFired;
      await time.until(() => time.timersFired > fired);
    }
  } finally {
    clearTimeout(alarm);
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
