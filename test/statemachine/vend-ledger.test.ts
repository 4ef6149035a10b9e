import { type LocalCloud, parseScenario, type ScenarioInput } from '@runas-bootstrapper/local-cloud';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '#core/config/config.ts';
import { createDefault } from '#core/document/preferences.ts';
import { BOOTSTRAP_STATE_MACHINE, FOLLOW_UP_STATE_MACHINE } from '#core/shared/names.ts';
import type { VendRecord } from '#core/vend/ledger.ts';
import { type DemoRun, runScenario } from '#local/demo.ts';
import type { ExecutionRecord } from '#local/runtime/execution-record.ts';
import { captureEmf, dataPointsPerAccount, type EmfRecord } from '#test/emf.ts';
import { injectFaults, internalError } from '#test/faults.ts';
import { onVirtualTime } from '#test/virtual-clock.ts';

// Metrics are off in Powertools dev mode; this suite counts the EMF records the handlers print.
vi.hoisted(() => {
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
});

/**
 * The vend ledger end to end, on events as AWS sends them (docs/aws-behaviour.md#organizations, docs/aws-behaviour.md#control-tower): every CreateAccount
 * also logs AccountJoinedOrganization, Control Tower reports the same vend later, a landing-zone
 * update re-fires every enrolled account, invited accounts have no role, pipeline events get lost.
 */
const MANAGEMENT = '999999999999';
const REGIONS = ['us-east-1', 'eu-west-1'];

let run: DemoRun | undefined;
let emf: EmfRecord[] = [];

onVirtualTime(1);

afterEach(async () => {
  run?.runtime.stop();
  await run?.cloud.close();
  run = undefined;
});

async function play(
  input: Partial<ScenarioInput>,
  config: object = {},
  timeoutSeconds = 120,
  beforeTimeline?: (cloud: LocalCloud) => void,
): Promise<DemoRun> {
  emf = [];
  const log = captureEmf(emf);
  try {
    const scenario = parseScenario({
      managementAccountId: MANAGEMENT,
      homeRegion: 'us-east-1',
      // Modelled AWS latencies: on virtual time without them, simultaneous executions would race
      // in zero simulated seconds, and a replay would verify in the instant it started.
      latency: { model: 'aws' as const, seed: 1 },
      ...input,
    });
    run = await runScenario({
      scenario,
      config: parseConfig({ runAsDefaultUser: 'ec2-user', governedRegions: REGIONS, ...config }),
      timeoutSeconds,
      ...(beforeTimeline ? { beforeTimeline } : {}),
    });
    return run;
  } finally {
    log.restore();
  }
}

/** Data points of a metric per account, across every EMF line. */
const perAccount = (name: string, records = emf) => dataPointsPerAccount(records, name);

async function vendsOf(played: DemoRun, accountId: string): Promise<VendRecord[]> {
  return played.runtime.dependencies.ledger.vendsOf(accountId);
}

function bootstrapsOf(played: DemoRun): ExecutionRecord[] {
  return played.runtime.executions().filter((e) => e.stateMachineArn.endsWith(`:${BOOTSTRAP_STATE_MACHINE}`));
}

describe('one record per vend, whatever arrived', () => {
  it('reproduces the join race (roles 20–97 s late) and measures each of 12 vends exactly once', async () => {
    // Prepare: Organizations vends whose role propagates late; each CreateAccount also logs a join,
    // which starts its own execution at the same moment.
    const accounts = Array.from({ length: 12 }, (_, i) => ({
      accountId: String(310_000_000_000 + i),
      name: `race-${i}`,
      roles: { OrganizationAccountAccessRole: 20 + Math.round((i * 77) / 11) },
      vend: { atSeconds: 1 + i, via: 'organizations' as const, createSeconds: 10 },
    }));
    // Act
    const played = await play({ accounts });
    // Assess
    const exposure = perAccount('VendToRunAsSeconds');
    for (const { accountId } of accounts) {
      const [vend, ...others] = await vendsOf(played, accountId);
      expect(others, accountId).toEqual([]);
      expect(vend?.triggers.map((t) => t.trigger).sort(), accountId).toEqual([
        'organizations-account-joined',
        'organizations-create-account',
      ]);
      // No LZA pipeline here: under the default lza.measureGap 'auto' the vend closes at verification.
      expect(vend?.state, accountId).toBe('closed');
      expect(vend?.exposureSeconds, accountId).toBeGreaterThanOrEqual(20);
      expect(exposure.get(accountId), accountId).toBe(1);
    }
    expect(bootstrapsOf(played).every((e) => e.status === 'SUCCEEDED')).toBe(true);
    expect(played.report.accounts.every((a) => a.exposureSeconds !== undefined)).toBe(true);
  });

  it('measures a vend whose first governed region was already compliant and another was written', async () => {
    // Prepare
    const accountId = '320000000001';
    const compliant = createDefault({ enabled: true, defaultUser: 'ec2-user' });
    // Act
    const played = await play({
      accounts: [
        {
          accountId,
          name: 'half-done',
          roles: { OrganizationAccountAccessRole: 5 },
          documents: { 'us-east-1': compliant as unknown as Record<string, unknown> },
          vend: { atSeconds: 1, via: 'organizations', createSeconds: 10 },
        },
      ],
    });
    // Assess
    const [vend] = await vendsOf(played, accountId);
    expect(vend?.writes['us-east-1']).toBeUndefined();
    expect(vend?.writes['eu-west-1']?.action).toBe('created');
    expect(vend?.exposureSeconds).toBeGreaterThan(0);
    expect(perAccount('VendToRunAsSeconds').get(accountId)).toBe(1);
  });

  it('takes Control Tower arriving 15 minutes after Organizations as the same vend, measured once', async () => {
    // Prepare
    const accountId = '330000000001';
    // Act
    const played = await play({
      accounts: [
        {
          accountId,
          name: 'account-factory',
          roles: { AWSControlTowerExecution: 20 },
          vend: { atSeconds: 1, via: 'controltower', createSeconds: 60, enrollSeconds: 900 },
        },
      ],
    });
    // Assess: three triggers, one vend, measured by the first execution to find the role.
    const [vend, ...others] = await vendsOf(played, accountId);
    expect(others).toEqual([]);
    expect(vend?.triggers.map((t) => t.trigger).sort()).toEqual([
      'controltower-create-managed-account',
      'organizations-account-joined',
      'organizations-create-account',
    ]);
    expect(perAccount('VendToRunAsSeconds').get(accountId)).toBe(1);
    // Exposure counts from the join, not from Control Tower's event 15 minutes later.
    expect(vend?.exposureSeconds).toBeLessThan(900);
    const late = bootstrapsOf(played).find(
      (e) => e.startedBy === 'rule/controltower-create-managed-account-succeeded',
    );
    expect(late?.status).toBe('SUCCEEDED');
    expect(vend?.owner?.execution).not.toBe(late?.name);
  });

  it('hands the measurement to a later execution of the same vend when the owner failed before RunAs was verified', async () => {
    // Prepare: while the vend's own two executions run, every SSM call in eu-west-1 fails.
    const accountId = '325000000001';
    let undo: () => void = () => {};
    const played = await play(
      {
        accounts: [
          {
            accountId,
            name: 'takeover',
            roles: { OrganizationAccountAccessRole: 5 },
            vend: { atSeconds: 1, via: 'organizations', createSeconds: 10 },
          },
        ],
      },
      {},
      120,
      (cloud) => {
        undo = injectFaults(cloud, ({ operation, accountId: account, region }) =>
          account === accountId && region === 'eu-west-1' && operation.startsWith('ssm:')
            ? internalError()
            : undefined,
        );
      },
    );
    const [failed] = await vendsOf(played, accountId);
    const replay = (id: string) => ({
      version: '0',
      id,
      'detail-type': 'Bootstrap Account Requested',
      source: 'runas-bootstrapper',
      account: MANAGEMENT,
      time: new Date(played.cloud.clock.nowMs()).toISOString(),
      region: 'us-east-1',
      resources: [],
      detail: { accountId },
    });
    // Act: the fault mended, an operator replays the account (within the vend window), twice.
    undo();
    const metricLines: EmfRecord[] = [];
    const log = captureEmf(metricLines);
    const first = played.runtime.startExecution(BOOTSTRAP_STATE_MACHINE, replay('r1'));
    await first.done;
    const second = played.runtime.startExecution(BOOTSTRAP_STATE_MACHINE, replay('r2'));
    await second.done;
    log.restore();
    // Assess: the owner failed and gave its claim up (the vend's other execution stood down while
    // it worked: one poller per vend); the first replay took over and measured once.
    const vendExecutions = bootstrapsOf(played).filter((e) => e.startedBy !== 'StartExecution');
    expect(vendExecutions.map((e) => e.status).sort()).toEqual(['FAILED', 'SUCCEEDED']);
    const covered = vendExecutions.find((e) => e.status === 'SUCCEEDED');
    expect(covered?.events.some((e) => e.type === 'StateEntered' && e.state?.name === 'Covered')).toBe(true);
    expect(failed).toMatchObject({ state: 'pending', owner: { state: 'failed' } });
    expect(failed?.measuredAt).toBeUndefined();
    expect([first.status, second.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    const [vend, ...others] = await vendsOf(played, accountId);
    expect(others).toEqual([]);
    expect(vend).toMatchObject({ state: 'closed', owner: { execution: first.name, state: 'done' } });
    expect(vend?.triggers.filter((t) => t.trigger === 'replay')).toHaveLength(2);
    expect(perAccount('VendToRunAsSeconds', metricLines).get(accountId)).toBe(1);
    // Exposure still counts from the join: RunAs was not in effect in eu-west-1 until the replay.
    expect(Date.parse(vend?.runAsVerifiedAt ?? '')).toBeGreaterThan(
      Date.parse(first.startDate.toISOString()),
    );
  });

  it('ignores an event for the management account with its reason, and writes nothing there', async () => {
    // Prepare
    const played = await play({ accounts: [] });
    const event = {
      version: '0',
      id: 'ct-1',
      'detail-type': 'AWS Service Event via CloudTrail',
      source: 'aws.controltower',
      account: MANAGEMENT,
      time: new Date(played.cloud.clock.nowMs()).toISOString(),
      region: 'us-east-1',
      resources: [],
      detail: {
        eventName: 'UpdateManagedAccount',
        eventTime: new Date(played.cloud.clock.nowMs()).toISOString(),
        serviceEventDetails: {
          updateManagedAccountStatus: {
            account: { accountId: MANAGEMENT, accountName: 'management' },
            state: 'SUCCEEDED',
            completedTimestamp: '2026-11-30T10:00:00+0000',
          },
        },
      },
    };
    // Act
    const execution = played.runtime.startExecution(BOOTSTRAP_STATE_MACHINE, event);
    await execution.done;
    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.output).toMatchObject({ action: 'ignore', code: 'management-account' });
    expect(played.cloud.state.callCount({ operation: 'sts:AssumeRole' })).toBe(0);
    expect(await vendsOf(played, MANAGEMENT)).toEqual([]);
  });
});

describe('an invited account', () => {
  it('waits briefly, ends as awaiting enrollment without failing, and the later enrollment bootstraps it', async () => {
    // Prepare + Act: no member role until Control Tower enrolls it 10 minutes after it joined.
    const accountId = '350000000001';
    const played = await play(
      {
        accounts: [
          {
            accountId,
            name: 'invited',
            vend: { atSeconds: 1, via: 'invited', enrollSeconds: 600 },
          },
        ],
      },
      { invitedRoleWaitMinutes: 1 },
    );
    // Assess: the join's execution parked the vend; the enrollment's execution measured it.
    const [joined, enrolled, ...others] = bootstrapsOf(played).sort(
      (a, b) => a.startDate.getTime() - b.startDate.getTime(),
    );
    expect(others).toEqual([]);
    expect(joined?.startedBy).toBe('rule/organizations-account-joined');
    expect(joined?.status).toBe('SUCCEEDED');
    expect(
      joined?.events.some((e) => e.type === 'StateEntered' && e.state?.name === 'AwaitingEnrollment'),
    ).toBe(true);
    expect(enrolled?.startedBy).toBe('rule/controltower-create-managed-account-succeeded');
    expect(enrolled?.status).toBe('SUCCEEDED');
    expect(perAccount('AccountsAwaitingEnrollment').get(accountId)).toBe(1);
    const [vend] = await vendsOf(played, accountId);
    expect(vend).toMatchObject({
      joinedMethod: 'INVITED',
      state: 'closed',
      owner: { execution: enrolled?.name },
    });
    expect(vend?.exposureSeconds).toBeGreaterThanOrEqual(600);
    expect(perAccount('VendToRunAsSeconds').get(accountId)).toBe(1);
  });
});

describe('LZA below 1.14 changing its session-manager settings', () => {
  it('resets RunAs in every account; the Security_Resources event starts a repair sweep that restores it', async () => {
    // Prepare + Act: two enrolled accounts made compliant earlier; the run changes the logging
    // settings, so LZA 1.13.1's writer runs in every account and wipes RunAs (docs/aws-behaviour.md#what-lza-writes-into-the-document).
    const compliant = createDefault({ enabled: true, defaultUser: 'ec2-user' }) as unknown as Record<
      string,
      unknown
    >;
    const old = ['370000000001', '370000000002'];
    const played = await play(
      {
        pipeline: {
          lzaVersion: '1.13.1',
          runs: [{ startAtSeconds: 0, changesSessionManagerSettings: true }],
        },
        accounts: old.map((accountId) => ({
          accountId,
          name: `old-${accountId.slice(-1)}`,
          roles: { AWSControlTowerExecution: 0 },
          documents: { 'us-east-1': compliant, 'eu-west-1': compliant },
        })),
      },
      { lza: { version: '1.13.1' } },
    );
    // Assess: LZA wiped both regions of both accounts; each Deploy/Security_Resources event's
    // follow-up started one repair sweep; the sweeps rewrote RunAs everywhere.
    const wipes = played.cloud.state.lzaWrites().filter((w) => old.includes(w.accountId));
    expect(wipes).toHaveLength(old.length * REGIONS.length);
    const sweeps = played.runtime.executions().filter((e) => e.startedBy === 'follow-up');
    expect(sweeps.length).toBeGreaterThan(0);
    expect(sweeps.every((e) => e.status === 'SUCCEEDED')).toBe(true);
    for (const accountId of old) {
      for (const region of REGIONS) {
        const doc = played.cloud.state.document(accountId, region)!;
        const latest = JSON.parse(doc.versions.find((v) => v.version === doc.latestVersion)!.content);
        expect(latest.inputs, `${accountId}/${region}`).toMatchObject({
          runAsEnabled: true,
          runAsDefaultUser: 'ec2-user',
        });
        expect(doc.defaultVersion, `${accountId}/${region}`).toBe(doc.latestVersion);
      }
    }
    // Not vends: the sweep repaired them without a ledger record.
    expect(await played.runtime.dependencies.ledger.vendsSince('2000-01-01T00:00:00.000Z')).toEqual([]);
  });
});

describe('the reconciler', () => {
  it("settles a vend whose Customizations event was lost, from the pipeline's history, once", async () => {
    // Prepare + Act: the run's Deploy/Customizations SUCCEEDED event never arrives.
    const accountId = '360000000001';
    const played = await play({
      pipeline: {
        lzaVersion: '1.15.5',
        runs: [{ startAtSeconds: 0, dropEvents: ['Deploy/Customizations'] }],
      },
      accounts: [
        {
          accountId,
          name: 'missed',
          roles: { OrganizationAccountAccessRole: 5 },
          vend: { atSeconds: 1, via: 'organizations', createSeconds: 10 },
        },
      ],
    });
    const before = (await vendsOf(played, accountId))[0];
    const settled: EmfRecord[] = [];
    const log = captureEmf(settled);
    const first = played.runtime.reconcile();
    await played.runtime.whenIdle();
    const second = played.runtime.reconcile();
    await played.runtime.whenIdle();
    log.restore();
    // Assess
    expect(before?.state).toBe('verified');
    expect([first.status, second.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    const [vend] = await vendsOf(played, accountId);
    expect(vend).toMatchObject({ state: 'closed', gapClosedSeconds: expect.any(Number) });
    expect(vend?.gapClosedSeconds).toBeGreaterThan(0);
    expect(settled.flatMap((r) => ('GapClosedSeconds' in r ? [r.GapClosedSeconds].flat() : []))).toEqual([
      vend?.gapClosedSeconds,
    ]);
    const followUps = played.runtime
      .executions()
      .filter((e) => e.stateMachineArn.endsWith(`:${FOLLOW_UP_STATE_MACHINE}`));
    expect(followUps.filter((e) => e.startedBy === 'rule/lza-follow-up')).toHaveLength(1);
  });
});
