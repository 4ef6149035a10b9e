import { readFileSync } from 'node:fs';
import { parseScenario, type ScenarioInput } from '@runas-bootstrapper/local-cloud';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '#core/config/config.ts';
import { parseDocument } from '#core/document/preferences.ts';
import { BOOTSTRAP_STATE_MACHINE } from '#core/shared/names.ts';
import { type DemoRun, runScenario } from '#local/demo.ts';
import type { ExecutionRecord } from '#local/runtime/execution-record.ts';
import { documentWith } from '#test/fixtures/session-document.ts';
import { onVirtualTime } from '#test/virtual-clock.ts';

const MANAGEMENT = '999999999999';
const ACCOUNT = '111111111111';
const REGIONS = ['us-east-1', 'eu-west-1'];
let run: DemoRun | undefined;

onVirtualTime();

afterEach(async () => {
  run?.runtime.stop();
  await run?.cloud.close();
  run = undefined;
});

async function play(
  input: Partial<ScenarioInput> & { accounts: ScenarioInput['accounts'] },
  configOverride: object = {},
) {
  const scenario = parseScenario({
    managementAccountId: MANAGEMENT,
    homeRegion: 'us-east-1',
    ...input,
  });
  const config = parseConfig({ runAsDefaultUser: 'ec2-user', governedRegions: REGIONS, ...configOverride });
  run = await runScenario({ scenario, config, timeoutSeconds: 120 });
  return run;
}

function states(execution: ExecutionRecord, type: string): string[] {
  return execution.events.filter((e) => e.type === type).map((e) => e.state?.name ?? '');
}

/**
 * The execution CreateAccountResult started. Every CreateAccount also logs AccountJoinedOrganization
 * (docs/aws-behaviour.md#accountjoinedorganization-event), which starts a second execution for the same vend; both are checked to be exactly that.
 */
function vendExecution(runtime: DemoRun['runtime']): ExecutionRecord {
  const executions = runtime.executions();
  expect(executions.map((e) => e.startedBy).sort()).toEqual([
    'rule/organizations-account-joined',
    'rule/organizations-create-account-succeeded',
  ]);
  return executions.find(
    (e) => e.startedBy === 'rule/organizations-create-account-succeeded',
  ) as ExecutionRecord;
}

const lzaLogging = documentWith({
  s3BucketName: 'central-logs',
  s3EncryptionEnabled: true,
  cloudWatchLogGroupName: 'session-logs',
  cloudWatchEncryptionEnabled: true,
  cloudWatchStreamingEnabled: true,
  runAsEnabled: false,
  runAsDefaultUser: '',
  unknownFutureKey: { keep: [1, 2, 3] },
});

describe('bootstrap state machine', () => {
  it('creates or merges the document in every region and verifies it (happy path)', async () => {
    // Prepare + Act
    const { runtime, cloud, report } = await play({
      accounts: [
        {
          accountId: ACCOUNT,
          name: 'happy',
          roles: { OrganizationAccountAccessRole: 5 },
          documents: { 'eu-west-1': lzaLogging },
          vend: { atSeconds: 1, via: 'organizations', createSeconds: 10 },
        },
      ],
    });
    // Assess
    const execution = vendExecution(runtime);
    expect(execution.status).toBe('SUCCEEDED');
    expect(states(execution, 'StateEntered')).toEqual(
      expect.arrayContaining([
        'ResolveRequest',
        'AwaitRole',
        'ApplyRegions',
        'ApplyPreferences',
        'VerifyPreferences',
        'RecordEnforcement',
        'Enforced',
      ]),
    );
    const created = cloud.state.document(ACCOUNT, 'us-east-1');
    const merged = cloud.state.document(ACCOUNT, 'eu-west-1');
    expect(created?.latestVersion).toBe('1');
    expect(merged).toMatchObject({ latestVersion: '2', defaultVersion: '2' });
    const mergedContent = parseDocument(merged!.versions.find((v) => v.version === '2')!.content);
    expect(mergedContent).toEqual({
      ...lzaLogging,
      inputs: { ...lzaLogging.inputs, runAsEnabled: true, runAsDefaultUser: 'ec2-user' },
    });
    expect(report.accounts[0]).toMatchObject({
      trigger: 'organizations-create-account',
      regions: {
        'us-east-1': { status: 'compliant', action: 'created' },
        'eu-west-1': { status: 'compliant', action: 'updated' },
      },
      meetsExpectation: true,
    });
    expect(report.accounts[0]!.exposureSeconds).toBeGreaterThanOrEqual(5);
  });

  it('keeps coming back to AwaitRole until the role is assumable, then proceeds', async () => {
    // Prepare + Act: the role needs two simulated minutes after the vend.
    const { runtime, report } = await play({
      accounts: [
        {
          accountId: ACCOUNT,
          name: 'slow-role',
          roles: { OrganizationAccountAccessRole: 120 },
          vend: { atSeconds: 1, via: 'organizations', createSeconds: 10 },
        },
      ],
    });
    // Assess
    const execution = vendExecution(runtime);
    expect(execution.status).toBe('SUCCEEDED');
    // On virtual time the fast schedule (every 2.75 s for the first 90 s) runs as AWS would.
    const attempts = states(execution, 'StateEntered').filter((name) => name === 'AwaitRole');
    expect(attempts.length).toBeGreaterThan(10);
    expect(states(execution, 'StateEntered')).toContain('WaitForRole');
    expect(report.accounts[0]!.roleWaitSeconds).toBeGreaterThanOrEqual(120);
  });

  it('fails with RoleWaitTimeoutError after the deadline, having recorded the failure and written nothing', async () => {
    // Prepare + Act: the role never exists; the deadline is one simulated minute.
    const { runtime, cloud } = await play(
      {
        accounts: [
          {
            accountId: ACCOUNT,
            name: 'no-role',
            roles: {},
            vend: { atSeconds: 1, via: 'organizations', createSeconds: 10 },
          },
        ],
      },
      { roleWaitTimeoutMinutes: 1 },
    );
    // Assess
    const execution = vendExecution(runtime);
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('RoleWaitTimeoutError');
    expect(states(execution, 'StateEntered')).toContain('RecordRoleFailure');
    expect(states(execution, 'StateEntered')).not.toContain('ApplyRegions');
    expect(cloud.state.documents({ accountId: ACCOUNT })).toEqual([]);
  });

  it('refuses a foreign document, leaves it untouched, finishes the other regions and fails the execution', async () => {
    // Prepare
    const foreign = { schemaVersion: '1.0', sessionType: 'Port', inputs: { portNumber: '22' } };
    // Act
    const { runtime, cloud, report } = await play({
      accounts: [
        {
          accountId: ACCOUNT,
          name: 'foreign',
          roles: { OrganizationAccountAccessRole: 2 },
          documents: { 'eu-west-1': foreign },
          vend: { atSeconds: 1, via: 'organizations', createSeconds: 10 },
        },
      ],
    });
    // Assess
    const execution = vendExecution(runtime);
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('RegionsFailedError');
    expect(states(execution, 'StateEntered')).toContain('RegionRefused');
    const untouched = cloud.state.document(ACCOUNT, 'eu-west-1');
    expect(untouched?.versions).toHaveLength(1);
    expect(JSON.parse(untouched!.versions[0]!.content)).toEqual(foreign);
    expect(report.accounts[0]!.regions['us-east-1']).toMatchObject({
      status: 'compliant',
      action: 'created',
    });
    expect(report.accounts[0]!.regions['eu-west-1']).toMatchObject({
      status: 'refused',
      error: expect.stringMatching(/sessionType is "Port"/),
    });
  });

  it('records a failing region and lets the other regions finish', async () => {
    // Prepare + Act: eu-west-1 is an opt-in region this account has not enabled.
    const { runtime, cloud, report } = await play({
      accounts: [
        {
          accountId: ACCOUNT,
          name: 'opt-in',
          roles: { OrganizationAccountAccessRole: 2 },
          disabledRegions: ['eu-west-1'],
          vend: { atSeconds: 1, via: 'organizations', createSeconds: 5 },
        },
      ],
    });
    // Assess
    const execution = vendExecution(runtime);
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('RegionsFailedError');
    expect(states(execution, 'StateEntered')).toContain('RegionFailed');
    expect(states(execution, 'StateEntered')).toContain('RecordEnforcement');
    expect(report.accounts[0]!.regions['us-east-1']).toMatchObject({
      status: 'compliant',
      action: 'created',
    });
    expect(report.accounts[0]!.regions['eu-west-1']).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/security token/),
    });
    expect(cloud.state.document(ACCOUNT, 'us-east-1')?.latestVersion).toBe('1');
    expect(cloud.state.document(ACCOUNT, 'eu-west-1')).toBeUndefined();
  });

  it('ignores a FAILED vend event: Succeed with the reason, no AWS write', async () => {
    // Prepare
    const { runtime, cloud } = await play({ accounts: [] });
    const failed = JSON.parse(
      readFileSync('test/fixtures/events/organizations-create-account-failed.json', 'utf8'),
    );
    // Act
    const execution = runtime.startExecution(BOOTSTRAP_STATE_MACHINE, failed);
    await execution.done;
    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(states(execution, 'StateEntered')).toEqual(['ResolveRequest', 'ShouldBootstrap', 'Ignored']);
    expect(execution.output).toMatchObject({ action: 'ignore', code: 'not-succeeded' });
    expect(cloud.state.callCount({ operation: 'sts:AssumeRole' })).toBe(0);
  });

  it('fails fast with InvalidRequestError for a replay of an account outside the organization', async () => {
    // Prepare
    const { runtime } = await play({ accounts: [] });
    const replay = {
      version: '0',
      id: 'r-1',
      'detail-type': 'Bootstrap Account Requested',
      source: 'runas-bootstrapper',
      account: MANAGEMENT,
      time: new Date().toISOString(),
      region: 'us-east-1',
      resources: [],
      detail: { accountId: '123456789012' },
    };
    // Act
    const execution = runtime.startExecution(BOOTSTRAP_STATE_MACHINE, replay);
    await execution.done;
    // Assess
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('InvalidRequestError');
    expect(execution.cause).toMatch(/not a member of this organization/);
  });

  it('handles a duplicated vend event without a second document version', async () => {
    // Prepare + Act: EventBridge delivers the same event twice.
    const { runtime, cloud } = await play({
      accounts: [
        {
          accountId: ACCOUNT,
          name: 'dup',
          roles: { OrganizationAccountAccessRole: 3 },
          vend: { atSeconds: 1, via: 'organizations', createSeconds: 10, deliveries: 2 },
        },
      ],
    });
    // Assess: two deliveries of CreateAccountResult and of the join it logs.
    const executions = runtime.executions();
    expect(executions).toHaveLength(4);
    expect(executions.every((e) => e.status === 'SUCCEEDED')).toBe(true);
    for (const region of REGIONS) {
      expect(cloud.state.document(ACCOUNT, region)?.versions).toHaveLength(1);
    }
    expect(cloud.state.callCount({ operation: 'ssm:CreateDocument' })).toBeLessThanOrEqual(
      REGIONS.length * 4,
    );
  });

  it('never puts credentials into any state input or output', async () => {
    // Prepare + Act
    const { runtime } = await play({
      accounts: [
        {
          accountId: ACCOUNT,
          name: 'secrets',
          roles: { OrganizationAccountAccessRole: 2 },
          vend: { atSeconds: 1, via: 'organizations', createSeconds: 5 },
        },
      ],
    });
    // Assess
    vendExecution(runtime);
    const history = JSON.stringify(runtime.executions().map((e) => e.events));
    expect(history).not.toMatch(/ASIA[A-Z0-9]{8,}/);
    expect(history).not.toMatch(/secretAccessKey|sessionToken|SessionToken|SecretAccessKey/i);
  });
});
