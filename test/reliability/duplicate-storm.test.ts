import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '#core/config.ts';
import { createDefault, parseDocument } from '#core/preferences.ts';
import { lzaLoggingDocument } from '#local/bench/scenario-generator.ts';
import { parseScenario } from '#local/cloud/scenario.ts';
import { type DemoRun, runScenario } from '#local/demo.ts';
import { captureEmf, type EmfRecord } from '#test/emf.ts';

// Metrics are off in Powertools dev mode; this suite counts the EMF records RecordEnforcement prints.
vi.hoisted(() => {
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
});

const MANAGEMENT = '999999999999';
const REGIONS = ['us-east-1', 'eu-west-1', 'us-west-2'];
const ACCOUNTS = Array.from({ length: 8 }, (_, i) => String(210_000_000_000 + i * 101));

/** Every data point of `name`, per account, across all the EMF lines printed. */
function dataPoints(records: EmfRecord[], name: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const record of records) {
    if (!(name in record)) continue;
    const value = record[name];
    const n = Array.isArray(value) ? value.length : 1;
    const account = record.accountId ?? '(none)';
    counts.set(account, (counts.get(account) ?? 0) + n);
  }
  return counts;
}

let run: DemoRun;
const emf: EmfRecord[] = [];

beforeAll(async () => {
  // Prepare: each vend is a Control Tower vend that also emits CreateAccountResult, every event
  // delivered three times, both events at the same instant: six executions race per account.
  const log = captureEmf(emf);
  const scenario = parseScenario({
    managementAccountId: MANAGEMENT,
    homeRegion: 'us-east-1',
    timeScale: 0.01,
    accounts: ACCOUNTS.map((accountId, i) => ({
      accountId,
      name: `storm-${i}`,
      roles: { AWSControlTowerExecution: 6 + i },
      // Odd accounts: an LZA logging document in eu-west-1 (the update path); the rest are created.
      documents: i % 2 === 1 ? { 'eu-west-1': lzaLoggingDocument(accountId, 'eu-west-1', i) } : {},
      vend: {
        atSeconds: 1 + i,
        via: 'controltower',
        createSeconds: 10,
        enrollSeconds: 0,
        emitCreateAccountResult: true,
        deliveries: 3,
      },
    })),
  });
  const config = parseConfig({
    runAsDefaultUser: 'ec2-user',
    governedRegions: REGIONS,
    lza: { measureGap: false },
  });
  // Act
  run = await runScenario({ scenario, config, timeoutSeconds: 120 });
  log.restore();
}, 150_000);

afterAll(async () => {
  run?.runtime.stop();
  await run?.cloud.close();
});

describe('duplicate storm: 3 deliveries of both vend events, concurrently', () => {
  it('starts six executions per account and finishes them all', () => {
    // Assess
    const executions = run.runtime.executions();
    expect(executions).toHaveLength(ACCOUNTS.length * 6);
    expect(executions.filter((e) => !e.stopDate)).toEqual([]);
    expect(run.report.accounts.every((a) => a.executions === 6)).toBe(true);
    expect(run.report.ok).toBe(true);
  });

  it('makes one effective write per account-region: one version, one successful Create or Update', () => {
    // Assess
    for (const accountId of ACCOUNTS) {
      for (const region of REGIONS) {
        const doc = run.cloud.state.document(accountId, region);
        const created = doc?.versions.filter((v) => v.writer !== 'scenario') ?? [];
        expect(created, `${accountId}/${region}`).toHaveLength(1);
        expect(doc?.defaultVersion).toBe(doc?.latestVersion);
        const succeeded = (operation: string) =>
          run.cloud.state
            .calls({ accountId, region, operation })
            .reduce((sum, c) => sum + c.count - Object.values(c.errors).reduce((s, n) => s + n, 0), 0);
        expect(
          succeeded('ssm:CreateDocument') + succeeded('ssm:UpdateDocument'),
          `${accountId}/${region}`,
        ).toBe(1);
        // The writer promotes only once its version is Active; a duplicate that reads the new,
        // Active version before that promotion promotes the same version too. No version is
        // added either way, and nothing but the written version is ever made the default.
        expect(succeeded('ssm:UpdateDocumentDefaultVersion')).toBeLessThanOrEqual(6);
      }
    }
    for (const execution of run.runtime.executions()) {
      for (const event of execution.events) {
        if (event.type !== 'StateExited' || event.state?.name !== 'ApplyPreferences') continue;
        const output = event.state.output as {
          accountId: string;
          region: string;
          apply: { promoted: boolean; versionAfter?: string };
        };
        const doc = run.cloud.state.document(output.accountId, output.region);
        if (output.apply.promoted) expect(output.apply.versionAfter).toBe(doc?.latestVersion);
      }
    }
    // The five duplicates of each write became reads: one created/updated, the rest unchanged.
    const actions = new Map<string, string[]>();
    for (const execution of run.runtime.executions()) {
      for (const event of execution.events) {
        if (event.type !== 'StateExited' || event.state?.name !== 'ApplyPreferences') continue;
        const output = event.state.output as { accountId: string; region: string; apply: { action: string } };
        const key = `${output.accountId}/${output.region}`;
        actions.set(key, [...(actions.get(key) ?? []), output.apply.action]);
      }
    }
    expect(actions.size).toBe(ACCOUNTS.length * REGIONS.length);
    for (const [key, list] of actions) {
      expect(list, key).toHaveLength(6);
      expect(
        list.filter((a) => a !== 'unchanged'),
        key,
      ).toHaveLength(1);
    }
  });

  it('leaves every document equal to its seed with only RunAs changed', () => {
    // Assess
    ACCOUNTS.forEach((accountId, i) => {
      for (const region of REGIONS) {
        const doc = run.cloud.state.document(accountId, region)!;
        const latest = parseDocument(doc.versions.find((v) => v.version === doc.latestVersion)!.content);
        const seeded =
          i % 2 === 1 && region === 'eu-west-1' ? lzaLoggingDocument(accountId, region, i) : undefined;
        const expected = seeded
          ? {
              ...seeded,
              inputs: { ...(seeded.inputs as object), runAsEnabled: true, runAsDefaultUser: 'ec2-user' },
            }
          : createDefault({ enabled: true, defaultUser: 'ec2-user' });
        expect(latest, `${accountId}/${region}`).toEqual(expected);
      }
    });
  });

  it('records RegionsCompliant once per execution, and each execution reports its own regions', () => {
    // Assess: RecordEnforcement runs once per execution; its region counts describe that execution.
    const compliant = dataPoints(emf, 'RegionsCompliant');
    for (const accountId of ACCOUNTS) expect(compliant.get(accountId), accountId).toBe(6);
    const enforced = run.runtime
      .executions()
      .filter((e) =>
        e.events.some((ev) => ev.type === 'StateExited' && ev.state?.name === 'RecordEnforcement'),
      );
    expect(enforced).toHaveLength(ACCOUNTS.length * 6);
  });

  // Only the execution that won the write of the first governed region measures the vend.
  it('emits VendToRunAsSeconds and RoleWaitSeconds once per vended account', () => {
    const exposure = dataPoints(emf, 'VendToRunAsSeconds');
    const roleWait = dataPoints(emf, 'RoleWaitSeconds');
    for (const accountId of ACCOUNTS) {
      expect(exposure.get(accountId), accountId).toBe(1);
      expect(roleWait.get(accountId), accountId).toBe(1);
    }
  });
});

describe('duplicate storm with an LZA 1.13.1 pipeline run covering the vends', () => {
  let gapRun: DemoRun;
  const gapEmf: EmfRecord[] = [];
  const GAP_ACCOUNTS = ACCOUNTS.slice(0, 4);

  beforeAll(async () => {
    // Prepare: the same six-way race, and a pipeline run that wipes RunAs at Security_Resources.
    const log = captureEmf(gapEmf);
    const scenario = parseScenario({
      managementAccountId: MANAGEMENT,
      homeRegion: 'us-east-1',
      timeScale: 0.005,
      pipeline: { lzaVersion: '1.13.1', runs: [{ startAtSeconds: 0 }] },
      accounts: GAP_ACCOUNTS.map((accountId, i) => ({
        accountId,
        name: `gap-storm-${i}`,
        roles: { AWSControlTowerExecution: 6 + i },
        vend: { atSeconds: 1 + i, via: 'controltower', createSeconds: 10, enrollSeconds: 0, deliveries: 3 },
      })),
    });
    const config = parseConfig({ runAsDefaultUser: 'ec2-user', governedRegions: REGIONS });
    // Act
    gapRun = await runScenario({ scenario, config, timeoutSeconds: 120 });
    log.restore();
  }, 150_000);

  afterAll(async () => {
    gapRun?.runtime.stop();
    await gapRun?.cloud.close();
  });

  it('measures the gap once per vended account, repairing each wiped region once', () => {
    // Assess
    const gapClosed = dataPoints(gapEmf, 'GapClosedSeconds');
    const repairs = gapEmf.filter((r) => 'RunAsRegressionsRepaired' in r);
    for (const accountId of GAP_ACCOUNTS) {
      expect(gapClosed.get(accountId), accountId).toBe(1);
      const mine = repairs.filter((r) => r.accountId === accountId);
      expect(mine, accountId).toHaveLength(1);
      expect(mine[0]?.RunAsRegressionsRepaired, accountId).toBe(REGIONS.length);
      for (const region of REGIONS) {
        const doc = gapRun.cloud.state.document(accountId, region)!;
        const ours = doc.versions.filter((v) => !v.writer.startsWith('LZA') && v.writer !== 'scenario');
        // One write at enforcement and one repair after LZA's wipe, whatever the duplicates did.
        expect(ours, `${accountId}/${region}`).toHaveLength(2);
        const latest = JSON.parse(doc.versions.find((v) => v.version === doc.latestVersion)!.content);
        expect(latest.inputs, `${accountId}/${region}`).toMatchObject({
          runAsEnabled: true,
          runAsDefaultUser: 'ec2-user',
        });
        expect(doc.defaultVersion).toBe(doc.latestVersion);
      }
    }
  });
});
