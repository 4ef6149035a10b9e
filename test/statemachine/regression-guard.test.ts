import { type LocalCloud, parseScenario } from '@runas-bootstrapper/local-cloud';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '#core/config/config.ts';
import { isCompliant, parseDocument } from '#core/document/preferences.ts';
import { FOLLOW_UP_STATE_MACHINE } from '#core/shared/names.ts';
import type { VendRecord } from '#core/vend/ledger.ts';
import { type DemoRun, runScenario } from '#local/demo.ts';
import type { ExecutionRecord } from '#local/runtime/execution-record.ts';
import { captureEmf, type EmfRecord } from '#test/emf.ts';
import { injectFaults, internalError } from '#test/faults.ts';
import { onVirtualTime } from '#test/virtual-clock.ts';

// Metrics are off in Powertools dev mode; this suite reads the EMF records RecordFollowUp prints.
vi.hoisted(() => {
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
});

const MANAGEMENT = '999999999999';
const ACCOUNT = '111111111111';
const REGIONS = ['us-east-1', 'eu-west-1', 'us-west-2'];
const RUN_AS = { enabled: true, defaultUser: 'ec2-user' } as const;
/** The keys LZA's Security_Resources writes for its session logging (docs/aws-behaviour.md#what-lza-writes-into-the-document). */
const LZA_LOGGING_KEYS = [
  'cloudWatchEncryptionEnabled',
  'cloudWatchLogGroupName',
  'kmsKeyId',
  's3BucketName',
  's3EncryptionEnabled',
  's3KeyPrefix',
];

let run: DemoRun | undefined;

onVirtualTime();

afterEach(async () => {
  run?.runtime.stop();
  await run?.cloud.close();
  run = undefined;
});

/** One account vended just after an LZA pipeline run starts; the workflow runs to its end. */
async function play(
  lzaVersion: string,
  runs: object[] = [{ startAtSeconds: 0 }],
  lza: object = {},
  beforeTimeline?: (cloud: LocalCloud) => void,
): Promise<{ played: DemoRun; emf: EmfRecord[] }> {
  const emf: EmfRecord[] = [];
  const log = captureEmf(emf);
  const scenario = parseScenario({
    managementAccountId: MANAGEMENT,
    homeRegion: 'us-east-1',
    // Modelled AWS latencies: on virtual time without them, a repair would follow LZA's wipe in
    // zero simulated seconds, and the re-exposure it measures would be 0.
    latency: { model: 'aws', seed: 1 },
    pipeline: { lzaVersion, runs },
    accounts: [
      {
        accountId: ACCOUNT,
        name: 'guarded',
        roles: { OrganizationAccountAccessRole: 5 },
        vend: { atSeconds: 1, via: 'organizations', createSeconds: 10 },
      },
    ],
  });
  const config = parseConfig({ runAsDefaultUser: 'ec2-user', governedRegions: REGIONS, lza });
  try {
    run = await runScenario({
      scenario,
      config,
      timeoutSeconds: 60,
      ...(beforeTimeline ? { beforeTimeline } : {}),
    });
  } finally {
    log.restore();
  }
  return { played: run, emf };
}

function only<T>(items: T[]): T {
  expect(items).toHaveLength(1);
  return items[0] as T;
}

function entered(execution: ExecutionRecord, name: string): number {
  return execution.events.filter((e) => e.type === 'StateEntered' && e.state?.name === name).length;
}

/** The follow-up executions the LZA action events started, in order. */
function followUps(played: DemoRun): ExecutionRecord[] {
  return played.runtime
    .executions()
    .filter((e) => e.stateMachineArn.endsWith(`:${FOLLOW_UP_STATE_MACHINE}`))
    .sort((a, b) => a.startDate.getTime() - b.startDate.getTime());
}

function bootstraps(played: DemoRun): ExecutionRecord[] {
  return played.runtime
    .executions()
    .filter((e) => !e.stateMachineArn.endsWith(`:${FOLLOW_UP_STATE_MACHINE}`));
}

async function vendOf(played: DemoRun): Promise<VendRecord> {
  return only(await played.runtime.dependencies.ledger.vendsOf(ACCOUNT));
}

const rewrites = (vend: VendRecord) => vend.repairs.filter((r) => r.reexposedSeconds !== undefined);
const sum = (records: EmfRecord[], key: string) => records.reduce((n, r) => n + Number(r[key] ?? 0), 0);

function versionContent(played: DemoRun, region: string, which: 'latest' | 'default') {
  const doc = played.cloud.state.document(ACCOUNT, region);
  expect(doc, region).toBeDefined();
  const version = which === 'latest' ? doc!.latestVersion : doc!.defaultVersion;
  return parseDocument(doc!.versions.find((v) => v.version === version)!.content);
}

describe('RunAs regression guard, end to end on the local runtime', () => {
  it('LZA 1.13.1: Security_Resources wipes RunAs; every governed region is repaired, and the repairs are counted', async () => {
    // Prepare + Act
    const { played, emf } = await play('1.13.1');
    // Assess: the vend's executions (CreateAccountResult and the join) ended; the Security_Resources
    // event's follow-up re-verified and repaired every region, the Customizations event's closed the gap.
    for (const execution of bootstraps(played)) expect(execution.status).toBe('SUCCEEDED');
    const [afterSecurity, afterCustomizations, ...others] = followUps(played);
    expect(others).toEqual([]);
    expect(afterSecurity?.status).toBe('SUCCEEDED');
    expect(entered(afterSecurity!, 'RepairPreferences')).toBe(REGIONS.length);
    expect(afterCustomizations?.status).toBe('SUCCEEDED');
    expect(entered(afterCustomizations!, 'RepairPreferences')).toBe(0);
    const vend = await vendOf(played);
    expect(vend.state).toBe('closed');
    expect(vend.gapClosedSeconds).toBeGreaterThan(0);
    expect(
      rewrites(vend)
        .map((r) => r.region)
        .sort(),
    ).toEqual([...REGIONS].sort());
    // RunAs was off again from Security_Resources until the repair: measured, at least, and emitted.
    const reexposed = rewrites(vend).map((r) => r.reexposedSeconds as number);
    for (const seconds of reexposed) expect(seconds).toBeGreaterThan(0);
    // One EMF record carries the values of one follow-up, as an array.
    expect(
      emf
        .filter((r) => 'RunAsReexposedSeconds' in r)
        .flatMap((r) => [r.RunAsReexposedSeconds].flat())
        .sort(),
    ).toEqual([...reexposed].sort());
    // The metric: one record for the Security_Resources follow-up, counting every region.
    const repairs = emf.filter((r) => 'RunAsRegressionsRepaired' in r);
    expect(only(repairs)).toMatchObject({ RunAsRegressionsRepaired: REGIONS.length });
    expect(only(emf.filter((r) => 'GapClosedSeconds' in r)).GapClosedSeconds).toBe(vend.gapClosedSeconds);
    // The regression really happened: LZA wrote RunAs off over our compliant version in every region.
    const wipes = played.cloud.state.lzaWrites().filter((w) => w.accountId === ACCOUNT);
    expect(wipes.map((w) => w.region).sort()).toEqual([...REGIONS].sort());
    for (const wipe of wipes) {
      expect(wipe.outcome, wipe.region).toBe('updated');
      expect(wipe.runAsBefore, wipe.region).toEqual({ runAsEnabled: true, runAsDefaultUser: 'ec2-user' });
      expect(wipe.runAsAfter, wipe.region).toEqual({ runAsEnabled: false, runAsDefaultUser: '' });
    }
    // Repaired: $LATEST and $DEFAULT compliant again, and LZA's logging keys kept.
    for (const region of REGIONS) {
      const doc = played.cloud.state.document(ACCOUNT, region)!;
      expect(
        doc.versions.map((v) => v.writer.startsWith('LZA')),
        region,
      ).toEqual([false, true, false]);
      expect(doc.defaultVersion, region).toBe(doc.latestVersion);
      const latest = versionContent(played, region, 'latest');
      const defaultVersion = versionContent(played, region, 'default');
      expect(isCompliant(latest, RUN_AS), region).toBe(true);
      expect(isCompliant(defaultVersion, RUN_AS), region).toBe(true);
      const lza = parseDocument(doc.versions.find((v) => v.writer.startsWith('LZA'))!.content);
      expect(Object.keys(lza.inputs), region).toEqual(expect.arrayContaining(LZA_LOGGING_KEYS));
      expect(latest, region).toEqual({
        ...lza,
        inputs: { ...lza.inputs, runAsEnabled: true, runAsDefaultUser: 'ec2-user' },
      });
      expect(latest.inputs.s3BucketName, region).toMatch(/^aws-accelerator-central-logs-/);
    }
  });

  it('LZA 1.13.1, a repair that keeps failing after the reset: no gap closed, RegionsFailed counted, the follow-ups fail', async () => {
    // Prepare: once LZA has written eu-west-1, every SSM write there fails (the first write, ours, succeeds).
    const failing = 'eu-west-1';
    const breakRepairs = (cloud: LocalCloud) => {
      injectFaults(cloud, ({ operation, accountId, region }) => {
        const wiped = cloud.state.lzaWrites().some((w) => w.accountId === ACCOUNT && w.region === failing);
        const write = operation === 'ssm:UpdateDocument' || operation === 'ssm:UpdateDocumentDefaultVersion';
        return wiped && write && accountId === ACCOUNT && region === failing ? internalError() : undefined;
      });
    };
    // Act
    const { played, emf } = await play('1.13.1', [{ startAtSeconds: 0 }], {}, breakRepairs);
    // Assess: the two other regions were repaired; eu-west-1's repair failed after its retries, and
    // was tried again when Customizations finished, before any gap could close.
    const runs = followUps(played);
    expect(runs).toHaveLength(2);
    for (const execution of runs) {
      expect(execution.status).toBe('FAILED');
      expect(execution.error).toBe('RegionsFailedError');
    }
    const vend = await vendOf(played);
    expect(vend.repairsFailed).toEqual([failing]);
    expect(rewrites(vend)).toHaveLength(REGIONS.length - 1);
    expect(vend.gapClosedSeconds).toBeUndefined();
    expect(vend.state).toBe('verified');
    // The failure is counted where the RegionsFailed alarm looks: Trigger=vend.
    const failed = emf.filter((r) => 'RegionsFailed' in r && r.RegionsFailed === 1 && r.Trigger === 'vend');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.at(-1)?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['service', 'Trigger']]);
    expect(emf.some((r) => 'GapClosedSeconds' in r)).toBe(false);
    // eu-west-1's $LATEST is still LZA's RunAs-off version: nothing pretended otherwise.
    expect(isCompliant(versionContent(played, failing, 'latest'), RUN_AS)).toBe(false);
  });

  it('LZA 1.15.5: Security_Resources keeps RunAs; nothing regresses and 0 repairs are counted', async () => {
    // Prepare + Act
    const { played, emf } = await play('1.15.5');
    // Assess: the guard still re-verified after Security_Resources, and found nothing to repair.
    const [afterSecurity] = followUps(played);
    expect(afterSecurity?.status).toBe('SUCCEEDED');
    expect(entered(afterSecurity!, 'RepairPreferences')).toBe(REGIONS.length);
    const vend = await vendOf(played);
    expect(vend.state).toBe('closed');
    expect(rewrites(vend)).toEqual([]);
    expect(vend.repairs.map((r) => `${r.region}:${r.action}`).sort()).toEqual(
      REGIONS.map((region) => `${region}:unchanged`).sort(),
    );
    const repairs = emf.filter((r) => 'RunAsRegressionsRepaired' in r);
    expect(only(repairs)).toMatchObject({ RunAsRegressionsRepaired: 0 });
    const writes = played.cloud.state.lzaWrites().filter((w) => w.accountId === ACCOUNT);
    expect(writes.map((w) => w.region).sort()).toEqual([...REGIONS].sort());
    for (const write of writes) {
      expect(write.runAsBefore, write.region).toEqual({ runAsEnabled: true, runAsDefaultUser: 'ec2-user' });
      expect(write.runAsAfter, write.region).toEqual({ runAsEnabled: true, runAsDefaultUser: 'ec2-user' });
    }
    // LZA's version is the last one written, with its logging keys and our RunAs, and serves as $DEFAULT too.
    for (const region of REGIONS) {
      const doc = played.cloud.state.document(ACCOUNT, region)!;
      expect(
        doc.versions.map((v) => v.writer.startsWith('LZA')),
        region,
      ).toEqual([false, true]);
      expect(doc.defaultVersion, region).toBe(doc.latestVersion);
      const latest = versionContent(played, region, 'latest');
      expect(isCompliant(latest, RUN_AS), region).toBe(true);
      expect(isCompliant(versionContent(played, region, 'default'), RUN_AS), region).toBe(true);
      expect(Object.keys(latest.inputs), region).toEqual(expect.arrayContaining(LZA_LOGGING_KEYS));
    }
  });
});

describe('RunAs regression guard with failing LZA runs', () => {
  it('repairs a wipe by a run that failed soon after Deploy/Security_Resources, and the reconciler expires the vend', async () => {
    // Prepare + Act: Network_Associations fails 10 s after Security_Resources; no run finishes Customizations.
    const { played, emf } = await play(
      '1.13.1',
      [
        {
          startAtSeconds: 0,
          failAt: 'Deploy/Network_Associations',
          durations: { 'Deploy/Network_Associations': 10 },
        },
      ],
      { awaitTimeoutHours: 1 },
    );
    // Assess: the wipe was repaired within seconds of Security_Resources and counted.
    const vend = await vendOf(played);
    expect(rewrites(vend)).toHaveLength(REGIONS.length);
    expect(vend.state).toBe('verified');
    expect(only(emf.filter((r) => 'RunAsRegressionsRepaired' in r)).RunAsRegressionsRepaired).toBe(
      REGIONS.length,
    );
    for (const region of REGIONS) {
      expect(isCompliant(versionContent(played, region, 'latest'), RUN_AS), region).toBe(true);
      expect(isCompliant(versionContent(played, region, 'default'), RUN_AS), region).toBe(true);
    }
    // Act: past awaitTimeoutHours of the join, the scheduled reconciler settles the vend.
    const deadline = Date.parse(vend.joinedAt) + 3_600_000;
    while (played.cloud.clock.nowMs() <= deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    const settled: EmfRecord[] = [];
    const log = captureEmf(settled);
    const reconcile = played.runtime.reconcile();
    await played.runtime.whenIdle();
    // A second reconcile finds nothing open: the expiry is counted once.
    played.runtime.reconcile();
    await played.runtime.whenIdle();
    log.restore();
    // Assess
    expect(reconcile.status).toBe('SUCCEEDED');
    const expired = await vendOf(played);
    expect(expired.state).toBe('expired');
    expect(expired.note).toMatch(/within lza.awaitTimeoutHours \(1 h\)$/);
    expect(only(settled.filter((r) => 'GapMeasurementTimedOut' in r)).GapMeasurementTimedOut).toBe(1);
  });

  it('repairs the wipe of every run: a failed run, then the run that covers the vend', async () => {
    // Prepare + Act
    const { played, emf } = await play(
      '1.13.1',
      // The second run changes the logging settings, so LZA's writer runs again (docs/aws-behaviour.md#lza-session-manager-writer).
      [
        { startAtSeconds: 0, failAt: 'Deploy/Customizations' },
        { startAtSeconds: 3000, changesSessionManagerSettings: true },
      ],
      { awaitTimeoutHours: 3 },
    );
    // Assess: two wipes per region, two repairs per region, and the second run closed the gap.
    const vend = await vendOf(played);
    expect(vend.state).toBe('closed');
    expect(played.cloud.state.lzaWrites().filter((w) => w.accountId === ACCOUNT)).toHaveLength(
      2 * REGIONS.length,
    );
    expect(rewrites(vend)).toHaveLength(2 * REGIONS.length);
    expect(new Set(rewrites(vend).map((r) => r.pipelineExecutionId)).size).toBe(2);
    expect(
      sum(
        emf.filter((r) => 'RunAsRegressionsRepaired' in r),
        'RunAsRegressionsRepaired',
      ),
    ).toBe(2 * REGIONS.length);
    for (const region of REGIONS) {
      expect(isCompliant(versionContent(played, region, 'latest'), RUN_AS), region).toBe(true);
      expect(isCompliant(versionContent(played, region, 'default'), RUN_AS), region).toBe(true);
    }
  });
});
