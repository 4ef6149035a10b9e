import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '#core/config.ts';
import { isCompliant, parseDocument } from '#core/preferences.ts';
import { parseScenario } from '#local/cloud/scenario.ts';
import type { LocalCloud } from '#local/cloud/server.ts';
import { type DemoRun, runScenario } from '#local/demo.ts';
import type { ExecutionRecord } from '#local/runtime/runtime.ts';
import { captureEmf, type EmfRecord } from '#test/emf.ts';
import { injectFaults, internalError } from '#test/faults.ts';

// Metrics are off in Powertools dev mode; this suite reads the EMF record RecordGap prints.
vi.hoisted(() => {
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
});

const MANAGEMENT = '999999999999';
const ACCOUNT = '111111111111';
const REGIONS = ['us-east-1', 'eu-west-1', 'us-west-2'];
const RUN_AS = { enabled: true, defaultUser: 'ec2-user' } as const;
/** The keys LZA's Security_Resources writes for its session logging (aws-facts §3). */
const LZA_LOGGING_KEYS = [
  'cloudWatchEncryptionEnabled',
  'cloudWatchLogGroupName',
  'kmsKeyId',
  's3BucketName',
  's3EncryptionEnabled',
  's3KeyPrefix',
];

interface GuardOutput {
  gap: { phase: string; regressionsRepaired: number };
  gapSummary: { regressionsRepaired: number; timedOut: boolean };
  repairs: { region: string; status: string; action?: string }[];
}

let run: DemoRun | undefined;

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
    // 1 simulated second = 0.5 wall ms: the ~45-minute LZA run plays in about 1.5 s.
    timeScale: 0.0005,
    // AccountJoinedOrganization off until the product folds joins into the vend (issue 12).
    organizations: { emitJoinEvents: false },
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
    // Assess: the workflow ended, re-verified after Deploy/Security_Resources, and counted one repair per region.
    const execution = only(played.runtime.executions());
    expect(execution.status).toBe('SUCCEEDED');
    expect(entered(execution, 'ReverifyRegions')).toBe(1);
    expect(entered(execution, 'RepairPreferences')).toBe(REGIONS.length);
    const output = execution.output as GuardOutput;
    expect(output.gap.phase).toBe('complete');
    expect(output.gap.regressionsRepaired).toBe(REGIONS.length);
    expect(output.gapSummary).toMatchObject({ regressionsRepaired: REGIONS.length, timedOut: false });
    // RunAs was off again from Security_Resources until the repair: measured, at least, and emitted.
    const reexposed = (output.gapSummary as { reexposedSeconds?: number }).reexposedSeconds;
    expect(reexposed).toBeGreaterThan(0);
    expect(only(emf.filter((r) => 'RunAsReexposedSeconds' in r)).RunAsReexposedSeconds).toBe(reexposed);
    // The metric: one RecordGap EMF record for the account, carrying the same count.
    const repairs = emf.filter((r) => 'RunAsRegressionsRepaired' in r);
    expect(only(repairs)).toMatchObject({ accountId: ACCOUNT, RunAsRegressionsRepaired: REGIONS.length });
    // The regression really happened: LZA wrote RunAs off over our compliant version in every region.
    const wipes = played.cloud.world.lzaWrites.filter((w) => w.accountId === ACCOUNT);
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

  it('LZA 1.13.1, a repair that keeps failing after the reset: no gap closed, RegionsFailed counted, the execution fails', async () => {
    // Prepare: once LZA has written eu-west-1, every SSM write there fails (the first write, ours, succeeds).
    const failing = 'eu-west-1';
    const breakRepairs = (cloud: LocalCloud) => {
      injectFaults(cloud, ({ operation, accountId, region }) => {
        const wiped = cloud.world.lzaWrites.some((w) => w.accountId === ACCOUNT && w.region === failing);
        const write = operation === 'ssm:UpdateDocument' || operation === 'ssm:UpdateDocumentDefaultVersion';
        return wiped && write && accountId === ACCOUNT && region === failing ? internalError() : undefined;
      });
    };
    // Act
    const { played, emf } = await play('1.13.1', [{ startAtSeconds: 0 }], {}, breakRepairs);
    // Assess: the two other regions were repaired; eu-west-1's repair failed after its retries.
    const execution = only(played.runtime.executions());
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('RegionsFailedError');
    const output = execution.events.find(
      (e) => e.type === 'StateEntered' && e.state?.name === 'AnyRegionFailed',
    )?.state?.input as GuardOutput & {
      gap: { repairsFailed: string[]; gapClosedSeconds?: number; reason: string };
    };
    expect(output.gap.repairsFailed).toEqual([failing]);
    expect(output.gap.regressionsRepaired).toBe(REGIONS.length - 1);
    expect(output.gap.gapClosedSeconds).toBeUndefined();
    expect(output.gap.reason).toMatch(
      /the gap was not closed: RunAs could not be repaired in eu-west-1 after LZA reset it$/,
    );
    expect(entered(execution, 'ReverifyRegions')).toBeGreaterThanOrEqual(1);
    // The failure is counted where the RegionsFailed alarm looks: Trigger=vend, with the account in metadata.
    const failed = emf.filter(
      (r) => 'RegionsFailed' in r && r.accountId === ACCOUNT && r.RegionsFailed === 1,
    );
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
    const execution = only(played.runtime.executions());
    expect(execution.status).toBe('SUCCEEDED');
    expect(entered(execution, 'ReverifyRegions')).toBe(1);
    const output = execution.output as GuardOutput;
    expect(output.gap.phase).toBe('complete');
    expect(output.gap.regressionsRepaired).toBe(0);
    expect(output.gapSummary).toMatchObject({ regressionsRepaired: 0, timedOut: false });
    const repairs = emf.filter((r) => 'RunAsRegressionsRepaired' in r);
    expect(only(repairs)).toMatchObject({ accountId: ACCOUNT, RunAsRegressionsRepaired: 0 });
    expect(output.repairs.map((r) => `${r.region}:${r.status}:${r.action}`).sort()).toEqual(
      REGIONS.map((region) => `${region}:compliant:unchanged`).sort(),
    );
    const writes = played.cloud.world.lzaWrites.filter((w) => w.accountId === ACCOUNT);
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
  it('repairs a wipe by a run that failed soon after Deploy/Security_Resources, between two polls', async () => {
    // Prepare + Act: Network_Associations fails 10 s after Security_Resources; polls are 300 s apart.
    const { played, emf } = await play(
      '1.13.1',
      [
        {
          startAtSeconds: 0,
          failAt: 'Deploy/Network_Associations',
          durations: { 'Deploy/Network_Associations': 10 },
        },
      ],
      { awaitTimeoutHours: 2 },
    );
    // Assess: no run finished Customizations, but the wipe was still repaired and counted.
    const execution = only(played.runtime.executions());
    const output = execution.output as GuardOutput;
    expect(output.gap.phase).toBe('timed-out');
    expect(output.gap.regressionsRepaired).toBe(REGIONS.length);
    expect(only(emf.filter((r) => 'RunAsRegressionsRepaired' in r)).RunAsRegressionsRepaired).toBe(
      REGIONS.length,
    );
    for (const region of REGIONS) {
      expect(isCompliant(versionContent(played, region, 'latest'), RUN_AS), region).toBe(true);
      expect(isCompliant(versionContent(played, region, 'default'), RUN_AS), region).toBe(true);
    }
  });

  it('repairs the wipe of every run: a failed run, then the run that covers the vend', async () => {
    // Prepare + Act
    const { played, emf } = await play(
      '1.13.1',
      // The second run changes the logging settings, so LZA's writer runs again (aws-facts §8).
      [
        { startAtSeconds: 0, failAt: 'Deploy/Customizations' },
        { startAtSeconds: 3000, changesSessionManagerSettings: true },
      ],
      { awaitTimeoutHours: 3 },
    );
    // Assess: two wipes per region, two repairs per region.
    const execution = only(played.runtime.executions());
    const output = execution.output as GuardOutput;
    expect(output.gap.phase).toBe('complete');
    expect(played.cloud.world.lzaWrites.filter((w) => w.accountId === ACCOUNT)).toHaveLength(
      2 * REGIONS.length,
    );
    expect(output.gap.regressionsRepaired).toBe(2 * REGIONS.length);
    expect(only(emf.filter((r) => 'RunAsRegressionsRepaired' in r)).RunAsRegressionsRepaired).toBe(
      2 * REGIONS.length,
    );
    for (const region of REGIONS) {
      expect(isCompliant(versionContent(played, region, 'latest'), RUN_AS), region).toBe(true);
      expect(isCompliant(versionContent(played, region, 'default'), RUN_AS), region).toBe(true);
    }
  });
});
