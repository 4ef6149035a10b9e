import {
  type LocalCloud,
  parseScenario,
  type ScenarioInput,
  VirtualTime,
} from '@runas-bootstrapper/local-cloud';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '#core/config/config.ts';
import { BOOTSTRAP_STATE_MACHINE, FOLLOW_UP_STATE_MACHINE, SWEEP_STATE_MACHINE } from '#core/shared/names.ts';
import type { VendRecord } from '#core/vend/ledger.ts';
import { type DemoRun, runScenario } from '#local/demo.ts';
import { captureEmf, type EmfRecord } from '#test/emf.ts';
import { injectFaults, internalError } from '#test/faults.ts';

// Metrics are off in Powertools dev mode; this suite counts the EMF records the handlers print.
vi.hoisted(() => {
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
});

/**
 * How vends end (issue 22), each case on virtual time with a fixed seed: a vend closes in the
 * LZA run that covers it even when repairs are still writing as Customizations ends, duplicate
 * pipeline events add no repair records, and an organization without LZA expires nothing.
 */
const MANAGEMENT = '999999999999';
const REGIONS = ['us-east-1', 'eu-west-1'];

let run: DemoRun | undefined;
let time: VirtualTime | undefined;
let emf: EmfRecord[] = [];

afterEach(async () => {
  run?.runtime.stop();
  await run?.cloud.close();
  run = undefined;
  await time?.uninstall();
  time = undefined;
});

async function play(
  input: Partial<ScenarioInput>,
  config: object = {},
  beforeTimeline?: (cloud: LocalCloud) => void,
): Promise<DemoRun> {
  emf = [];
  const log = captureEmf(emf);
  try {
    time = VirtualTime.install({ seed: 7 });
    const scenario = parseScenario({
      managementAccountId: MANAGEMENT,
      homeRegion: 'us-east-1',
      timeScale: 1,
      latency: { model: 'aws', seed: 7 },
      ...input,
    });
    run = await runScenario({
      scenario,
      config: parseConfig({ runAsDefaultUser: 'ec2-user', governedRegions: REGIONS, ...config }),
      timeoutSeconds: 240,
      ...(beforeTimeline ? { beforeTimeline } : {}),
    });
    return run;
  } finally {
    log.restore();
  }
}

const vends = (played: DemoRun, accountIds: readonly string[]): Promise<VendRecord[]> =>
  Promise.all(
    accountIds.map(async (id) => (await played.runtime.dependencies.ledger.vendsOf(id))[0] as VendRecord),
  );

function metricCount(name: string): number {
  return emf.reduce((sum, r) => sum + (name in r ? [r[name]].flat().length : 0), 0);
}

describe('LZA 1.13 with slow SSM writes: repairs still running when Customizations ends', () => {
  it('closes every vend in the run that covers it, within minutes of Customizations, with one repair record per region', async () => {
    // Prepare: six vends covered by one LZA 1.13.1 run that wipes RunAs at Security_Resources;
    // Customizations follows Security_Resources within seconds, while every SSM write takes 40 s,
    // and CodePipeline delivers each of its events twice.
    const accounts = Array.from({ length: 6 }, (_, i) => ({
      accountId: String(510_000_000_000 + i),
      name: `slow-${i}`,
      roles: { OrganizationAccountAccessRole: 5 },
      vend: { atSeconds: 1 + i, via: 'organizations' as const, createSeconds: 10 },
    }));
    // Act
    const played = await play(
      {
        pipeline: {
          lzaVersion: '1.13.1',
          eventDeliveries: 2,
          runs: [
            {
              startAtSeconds: 0,
              durations: { Identity_Center: 5, Network_Associations: 5, 'Deploy/Customizations': 10 },
            },
          ],
        },
        faults: { operations: { 'ssm:UpdateDocument': { latencyMs: { min: 40_000, max: 40_000 } } } },
        accounts,
      },
      { lza: { version: '1.13.1' } },
    );
    // Assess
    const records = await vends(
      played,
      accounts.map((a) => a.accountId),
    );
    for (const vend of records) {
      expect(vend.state, vend.accountId).toBe('closed');
      expect(vend.gapClosedSeconds, vend.accountId).toBeGreaterThan(0);
      // Closed by a follow-up of the covering run, within minutes of its Customizations.
      const lag =
        (Date.parse(vend.gapMeasuredAt ?? '') - Date.parse(vend.customizationsCompletedAt ?? '')) / 1000;
      expect(lag, vend.accountId).toBeGreaterThanOrEqual(0);
      expect(lag, vend.accountId).toBeLessThan(300);
      // One record per region, however many follow-ups planned the repair.
      expect(vend.repairs.map((r) => r.region).sort(), vend.accountId).toEqual([...REGIONS].sort());
    }
    // Nothing waited for the reconciler: no scheduled run was needed to close them.
    const followUps = played.runtime
      .executions()
      .filter((e) => e.stateMachineArn.endsWith(`:${FOLLOW_UP_STATE_MACHINE}`));
    expect(followUps.filter((e) => e.startedBy.startsWith('schedule/'))).toEqual([]);
    expect(metricCount('GapClosedSeconds')).toBe(accounts.length);
  }, 300_000);
});

describe('a Control Tower organization without LZA, default config, played for 3 hours', () => {
  it('measures and closes every vend, expires none, and fires the reconciler hourly and the sweep', async () => {
    // Prepare: no LZA pipeline at all; one vend joins 10 s before the second reconcile and its
    // role takes 20 minutes, so the reconciler meets it pending, its owner still waiting.
    const accounts = [
      { accountId: '520000000001', roleSeconds: 30, atSeconds: 5 },
      { accountId: '520000000002', roleSeconds: 1_200, atSeconds: 3_590 },
      { accountId: '520000000003', roleSeconds: 90, atSeconds: 7_000 },
    ].map(({ accountId, roleSeconds, atSeconds }) => ({
      accountId,
      name: `ct-${accountId.slice(-1)}`,
      roles: { AWSControlTowerExecution: roleSeconds },
      vend: { atSeconds, via: 'controltower' as const, createSeconds: 60, enrollSeconds: 600 },
    }));
    // Act
    const played = await play({ accounts, playUntilSeconds: 3 * 3_600 });
    // Assess
    for (const vend of await vends(
      played,
      accounts.map((a) => a.accountId),
    )) {
      expect(vend.measuredAt, vend.accountId).toBeDefined();
      expect(vend.state, vend.accountId).toBe('closed');
      expect(vend.note, vend.accountId).toBe(
        'no LZA pipeline AWSAccelerator-Pipeline: closed at verification (lza.measureGap auto)',
      );
    }
    expect(metricCount('GapMeasurementTimedOut')).toBe(0);
    expect(metricCount('VendToRunAsSeconds')).toBe(accounts.length);
    // The demo report says when the ledger closed each vend.
    for (const account of played.report.accounts) {
      const [record] = await played.runtime.dependencies.ledger.vendsOf(account.accountId);
      expect(account.vend?.closedAt, account.accountId).toBe(record?.gapMeasuredAt);
      expect(account.vend?.closedAt, account.accountId).toBeDefined();
    }
    const scheduled = (name: string) =>
      played.runtime.executions().filter((e) => e.startedBy === `schedule/${name}`);
    expect(
      scheduled('reconcile').map(
        (e) => e.startDate.getTime() - scheduled('reconcile')[0]!.startDate.getTime(),
      ),
    ).toEqual([0, 3_600_000, 7_200_000]);
    expect(scheduled('reconcile').every((e) => e.status === 'SUCCEEDED')).toBe(true);
    expect(scheduled('sweep')).toHaveLength(1);
  }, 300_000);
});

describe('lza.measureGap auto never reads a misnamed LZA pipeline as "no LZA"', () => {
  it('alarms LzaPipelineMisnamed and keeps the vend open when LZA runs under a qualifier the config does not name', async () => {
    // Prepare: LZA 1.13 installed with the qualifier acme (acme-pipeline), beside an app pipeline;
    // the config leaves lza.pipelineName at its default, AWSAccelerator-Pipeline.
    const accountId = '560000000001';
    // Act: two simulated hours, so the reconciler fires at the start and an hour later.
    const played = await play({
      playUntilSeconds: 2 * 3_600,
      pipeline: {
        name: 'acme-pipeline',
        lzaVersion: '1.13.0',
        otherPipelines: ['app-pipeline'],
        runs: [{ startAtSeconds: 0 }],
      },
      accounts: [
        {
          accountId,
          name: 'qualified',
          roles: { OrganizationAccountAccessRole: 20 },
          vend: { atSeconds: 60, via: 'organizations', createSeconds: 10 },
        },
      ],
    });
    // Assess: enforced and measured, but not closed as if there were no LZA.
    const [vend] = await vends(played, [accountId]);
    expect(vend?.measuredAt).toBeDefined();
    expect(vend?.state).toBe('verified');
    expect(vend?.note).toBeUndefined();
    const reconciles = played.runtime.executions().filter((e) => e.startedBy === 'schedule/reconcile');
    expect(reconciles).toHaveLength(2);
    expect(reconciles.every((e) => e.status === 'SUCCEEDED')).toBe(true);
    expect(metricCount('LzaPipelineMisnamed')).toBe(2);
    expect(metricCount('GapMeasurementTimedOut')).toBe(0);
    // The account's pipelines were read for LZA's layout; the app pipeline is not LZA's.
    expect(played.cloud.state.callCount({ operation: 'codepipeline:GetPipeline' })).toBeGreaterThan(0);
  }, 300_000);
});

describe('a lost Security_Resources event, LZA 1.13', () => {
  it('has the reconciler start the repair sweep from the pipeline history, once: the vend repaired and closed, the old account too', async () => {
    // Prepare: an LZA 1.13.0 run that changes the session-manager settings, so Security_Resources
    // rewrites RunAs away in every account, the existing one included; its Security_Resources
    // event is never delivered. One account is vended while the run goes.
    const [vended, existing] = ['580000000001', '580000000002'];
    const compliant = {
      schemaVersion: '1.0',
      description: 'Document to hold regional settings for Session Manager',
      sessionType: 'Standard_Stream',
      inputs: { runAsEnabled: true, runAsDefaultUser: 'ec2-user', idleSessionTimeout: '20' },
    };
    // Act: three simulated hours: the reconciler fires at the start and then hourly.
    const played = await play(
      {
        playUntilSeconds: 3 * 3_600,
        pipeline: {
          lzaVersion: '1.13.0',
          regions: REGIONS,
          runs: [
            {
              startAtSeconds: 0,
              changesSessionManagerSettings: true,
              dropEvents: ['Deploy/Security_Resources'],
            },
          ],
        },
        accounts: [
          {
            accountId: vended,
            name: 'vended',
            roles: { OrganizationAccountAccessRole: 20 },
            vend: { atSeconds: 60, via: 'organizations', createSeconds: 60 },
          },
          {
            accountId: existing,
            name: 'existing',
            roles: { AWSControlTowerExecution: 0 },
            documents: { 'us-east-1': compliant, 'eu-west-1': compliant },
          },
        ],
      },
      { lza: { version: '1.13.0' } },
    );
    // Assess: the event was dropped; a reconcile found its Security_Resources in the history and
    // started one repair sweep of both regions; no later reconcile started another.
    const deploySecurity = played.cloud.bus
      .history()
      .map((e) => e.detail as { stage?: string; action?: string; state?: string })
      .filter((d) => d.stage === 'Deploy' && d.action === 'Security_Resources');
    expect(deploySecurity.map((d) => d.state)).toEqual(['STARTED']);
    const reconciles = played.runtime.executions().filter((e) => e.startedBy === 'schedule/reconcile');
    const sweeping = reconciles.filter((e) =>
      e.events.some((x) => x.type === 'StateEntered' && x.state?.name === 'StartRepairSweep'),
    );
    expect(reconciles).toHaveLength(3);
    expect(sweeping).toHaveLength(1);
    const repairSweeps = played.runtime
      .executions()
      .filter(
        (e) => e.stateMachineArn.endsWith(`:${SWEEP_STATE_MACHINE}`) && e.startedBy !== 'schedule/sweep',
      );
    expect(repairSweeps).toHaveLength(1);
    expect(repairSweeps[0]?.status).toBe('SUCCEEDED');
    // The vend: repaired after the wipe, and closed by the covering run.
    const [vend] = await vends(played, [vended]);
    expect(vend?.state).toBe('closed');
    expect(vend?.gapClosedSeconds).toBeDefined();
    for (const accountId of [vended, existing]) {
      for (const region of REGIONS) {
        const doc = played.cloud.state.document(accountId, region);
        const wiped = doc?.versions.some((v) => v.writer.includes('Security_Resources'));
        const live = JSON.parse(doc?.versions.find((v) => v.version === doc.defaultVersion)?.content ?? '{}');
        expect(wiped, `${accountId} ${region} wiped by LZA`).toBe(true);
        expect(live.inputs, `${accountId} ${region}`).toMatchObject({
          runAsEnabled: true,
          runAsDefaultUser: 'ec2-user',
        });
        expect(doc?.latestVersion, `${accountId} ${region}`).toBe(doc?.defaultVersion);
      }
    }
  }, 300_000);
});

describe('the reconciler re-drives a vend whose owner ended with a region unverified', () => {
  it('re-drives a region the owner could not write to compliant, in an organization without LZA', async () => {
    // Prepare: no LZA; for the first ten simulated minutes every SSM call in eu-west-1 fails, so the
    // owner fails with that region unverified (after its retries) and gives its claim up.
    const accountId = '540000000001';
    let mended = false;
    // Act: three simulated hours with the deployed schedules.
    const played = await play(
      {
        playUntilSeconds: 3 * 3_600,
        accounts: [
          {
            accountId,
            name: 'failed-region',
            roles: { OrganizationAccountAccessRole: 20 },
            vend: { atSeconds: 5, via: 'organizations', createSeconds: 10 },
          },
        ],
      },
      {},
      (cloud) => {
        setTimeout(() => {
          mended = true;
        }, 600_000);
        injectFaults(cloud, ({ operation, accountId: account, region }) =>
          !mended && account === accountId && region === 'eu-west-1' && operation.startsWith('ssm:')
            ? internalError()
            : undefined,
        );
      },
    );
    // Assess: the reconciler's first run after the failure started one bootstrap re-drive, which
    // took the vend over, wrote eu-west-1 and measured it.
    const [vend] = await vends(played, [accountId]);
    const redrives = vend?.triggers.filter((t) => t.eventId?.startsWith('redrive-')) ?? [];
    expect(redrives).toHaveLength(1);
    expect(vend?.measuredAt).toBeDefined();
    expect(vend?.state).toBe('closed');
    expect(vend?.regions['eu-west-1']?.verifiedAt).toBeDefined();
    const doc = played.cloud.state.document(accountId, 'eu-west-1');
    const latest = JSON.parse(doc?.versions.find((v) => v.version === doc.defaultVersion)?.content ?? '{}');
    expect(latest.inputs).toMatchObject({ runAsEnabled: true, runAsDefaultUser: 'ec2-user' });
    expect(metricCount('VendRedrivesExhausted')).toBe(0);
    expect(metricCount('GapMeasurementTimedOut')).toBe(0);
  }, 300_000);
});

describe('a region whose first write ended Failed, Control Tower without LZA, default config, 3 hours', () => {
  it('re-drives the region to compliant: every vend measured and closed, none expired or timed out', async () => {
    // Prepare: three Account Factory vends, no LZA pipeline; in one of them the first two document
    // versions written in eu-west-1 end Failed (DocumentVersionFailedError): the owner's, and the
    // one Control Tower's enrollment event writes ten minutes later.
    const failing = '550000000002';
    const accounts = ['550000000001', failing, '550000000003'].map((accountId, i) => ({
      accountId,
      name: `ct-failed-${i}`,
      roles: { AWSControlTowerExecution: 30 },
      vend: { atSeconds: 5 + i * 40, via: 'controltower' as const, createSeconds: 60, enrollSeconds: 600 },
      ...(accountId === failing ? { failDocumentWrites: { 'eu-west-1': 2 } } : {}),
    }));
    // Act
    const played = await play({ accounts, playUntilSeconds: 3 * 3_600 });
    // Assess
    const doc = played.cloud.state.document(failing, 'eu-west-1');
    const statuses = doc?.versions.map((v) => v.status);
    expect(statuses?.slice(0, 2)).toEqual(['Failed', 'Failed']);
    const byDefault = doc?.versions.find((v) => v.version === doc.defaultVersion);
    expect(byDefault?.status).toBe('Active');
    expect(JSON.parse(byDefault?.content ?? '{}').inputs).toMatchObject({
      runAsEnabled: true,
      runAsDefaultUser: 'ec2-user',
    });
    for (const vend of await vends(
      played,
      accounts.map((a) => a.accountId),
    )) {
      expect(vend.measuredAt, vend.accountId).toBeDefined();
      expect(vend.state, vend.accountId).toBe('closed');
      expect(vend.regions['eu-west-1']?.verifiedAt, vend.accountId).toBeDefined();
    }
    // The owner ended with eu-west-1 unverified; the reconciler's re-drive rebuilt the document.
    const [redriven] = await vends(played, [failing]);
    expect(redriven?.triggers.filter((t) => t.eventId?.startsWith('redrive-'))).toHaveLength(1);
    expect(metricCount('GapMeasurementTimedOut')).toBe(0);
    expect(metricCount('VendRedrivesExhausted')).toBe(0);
    expect(metricCount('VendToRunAsSeconds')).toBe(accounts.length);
  }, 300_000);
});

describe('a suspended or closed account', () => {
  it('ends its vend within a minute of the suspension, as AccountNotActive: no role wait to the deadline, no alarm', async () => {
    // Prepare: three vends whose member role would appear only after 20 minutes; Organizations
    // moves one to SUSPENDED 25 s into its role wait (fast phase), one to CLOSED 5 minutes in
    // (slow phase) and one to PENDING_CLOSURE 12 minutes in.
    const changes = [
      { accountId: '570000000001', state: 'SUSPENDED' as const, intoWait: 25 },
      { accountId: '570000000002', state: 'CLOSED' as const, intoWait: 300 },
      { accountId: '570000000003', state: 'PENDING_CLOSURE' as const, intoWait: 720 },
    ];
    // The vend is at 5 s and CreateAccount takes 10 s: the account joins, and its wait starts, at 15 s.
    const created = 15;
    // Act
    const played = await play({
      accounts: changes.map(({ accountId, state, intoWait }) => ({
        accountId,
        name: `gone-${accountId.slice(-1)}`,
        roles: { OrganizationAccountAccessRole: 1_200 },
        vend: { atSeconds: 5, via: 'organizations' as const, createSeconds: 10 },
        stateChanges: [{ atSeconds: created + intoWait, state }],
      })),
    });
    // Assess
    for (const { accountId, intoWait, state } of changes) {
      const [vend] = await vends(played, [accountId]);
      expect(vend?.state, accountId).toBe('closed');
      expect(vend?.note, accountId).toBe('account not active (suspended or closed): not bootstrapped');
      const owner = played.runtime.executions().find((e) => e.name === vend?.owner?.execution);
      expect(owner?.status, accountId).toBe('SUCCEEDED');
      expect(
        owner?.events.some((x) => x.type === 'StateEntered' && x.state?.name === 'AccountNotActive'),
        accountId,
      ).toBe(true);
      // Ended within a minute of the state change, long before the role's 20 minutes.
      const endedAfter =
        ((owner?.stopDate?.getTime() ?? 0) - Date.parse(vend?.joinedAt ?? '')) / 1000 - intoWait;
      expect(endedAfter, `${accountId} ${state}`).toBeGreaterThan(0);
      expect(endedAfter, `${accountId} ${state}`).toBeLessThanOrEqual(60);
    }
    const bootstraps = played.runtime
      .executions()
      .filter((e) => e.stateMachineArn.endsWith(`:${BOOTSTRAP_STATE_MACHINE}`));
    expect(bootstraps.filter((e) => e.status !== 'SUCCEEDED')).toEqual([]);
    expect(emf.reduce((sum, r) => sum + Number(r.RegionsFailed ?? 0), 0)).toBe(0);
    expect(metricCount('GapMeasurementTimedOut')).toBe(0);
  }, 300_000);
});

describe('one poller per vend, and a dead owner redone at once', () => {
  it('lets the join stand down while the owner works, and a replay take over as soon as the owner execution has ended', async () => {
    // Prepare + Act: a Organizations vend: CreateAccountResult and AccountJoinedOrganization start
    // two executions of the same vend at once.
    const accountId = '530000000001';
    const played = await play({
      accounts: [
        {
          accountId,
          name: 'dies',
          roles: { OrganizationAccountAccessRole: 30 },
          vend: { atSeconds: 1, via: 'organizations', createSeconds: 10 },
        },
      ],
    });
    const [vend] = await played.runtime.dependencies.ledger.vendsOf(accountId);
    // Assess
    const executions = played.runtime
      .executions()
      .filter((e) => e.stateMachineArn.endsWith(`:${BOOTSTRAP_STATE_MACHINE}`));
    const covered = executions.filter((e) =>
      e.events.some((x) => x.type === 'StateEntered' && x.state?.name === 'Covered'),
    );
    expect(executions).toHaveLength(2);
    expect(covered).toHaveLength(1);
    // The covered execution asked STS for nothing: only the owner polled for the role.
    expect(vend?.owner?.execution).not.toBe(covered[0]?.name);
    expect(covered[0]?.events.some((x) => x.type === 'StateEntered' && x.state?.name === 'AwaitRole')).toBe(
      false,
    );
  }, 300_000);

  it('takes a vend over from an owner whose execution failed mid-way, long before its lease ends', async () => {
    // Prepare: from the 25th simulated second (after the claim, before the role) every ledger UpdateItem fails, so the owner (past its
    // claim) can record nothing and its execution fails with the claim still held.
    const accountId = '530000000002';
    let failing = false;
    let undo: () => void = () => {};
    const played = await play(
      {
        accounts: [
          {
            accountId,
            name: 'crash',
            roles: { OrganizationAccountAccessRole: 30 },
            vend: { atSeconds: 1, via: 'organizations', createSeconds: 10 },
          },
        ],
      },
      {},
      (cloud) => {
        setTimeout(() => {
          failing = true;
        }, 25_000);
        undo = injectFaults(cloud, ({ operation }) =>
          failing && operation === 'dynamodb:UpdateItem' ? internalError() : undefined,
        );
      },
    );
    const [held] = await played.runtime.dependencies.ledger.vendsOf(accountId);
    // Act: the fault mended, an operator replays the account.
    undo();
    const replay = played.runtime.startExecution(BOOTSTRAP_STATE_MACHINE, {
      version: '0',
      id: 'replay-1',
      'detail-type': 'Bootstrap Account Requested',
      source: 'runas-bootstrapper',
      account: MANAGEMENT,
      time: new Date(played.cloud.clock.nowMs()).toISOString(),
      region: 'us-east-1',
      resources: [],
      detail: { accountId },
    });
    await replay.done;
    // Assess: the owner's execution failed holding a live lease; the replay asked DescribeExecution,
    // took the vend over and measured it.
    expect(held?.state).toBe('pending');
    expect(held?.owner?.state).toBe('running');
    expect(Date.parse(held?.owner?.leaseUntil ?? '')).toBeGreaterThan(played.cloud.clock.nowMs());
    expect(replay.status).toBe('SUCCEEDED');
    const [vend] = await played.runtime.dependencies.ledger.vendsOf(accountId);
    expect(vend?.owner?.execution).toBe(replay.name);
    expect(vend?.measuredAt).toBeDefined();
    expect(played.cloud.state.callCount({ operation: 'states:DescribeExecution' })).toBeGreaterThan(0);
  }, 300_000);
});
