import { parseScenario } from '@runas-bootstrapper/local-cloud';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '#core/config/config.ts';
import { createDefault, parseDocument } from '#core/document/preferences.ts';
import { type DemoRun, runScenario } from '#local/demo.ts';
import { captureEmf, dataPointsPerAccount, type EmfRecord } from '#test/emf.ts';
import { onVirtualTime } from '#test/virtual-clock.ts';
import { lzaLoggingDocument } from '#tools/bench/scenario-generator.ts';

// Metrics are off in Powertools dev mode; this suite counts the EMF records the handlers print.
vi.hoisted(() => {
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
});

const MANAGEMENT = '999999999999';
const REGIONS = ['us-east-1', 'eu-west-1', 'us-west-2'];
const ACCOUNTS = Array.from({ length: 8 }, (_, i) => String(210_000_000_000 + i * 101));

let run: DemoRun;
const emf: EmfRecord[] = [];

onVirtualTime();

beforeAll(async () => {
  // Prepare: each vend is a Control Tower vend that also emits CreateAccountResult and, like every
  // CreateAccount, AccountJoinedOrganization; every event delivered three times, all at the same
  // instant: nine executions race per account.
  const log = captureEmf(emf);
  const scenario = parseScenario({
    managementAccountId: MANAGEMENT,
    homeRegion: 'us-east-1',
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
});

afterAll(async () => {
  run?.runtime.stop();
  await run?.cloud.close();
});

describe('duplicate storm: 3 deliveries of the three vend events, concurrently', () => {
  it('starts nine executions per account and finishes them all', () => {
    // Assess
    const executions = run.runtime.executions();
    expect(executions).toHaveLength(ACCOUNTS.length * 9);
    expect(executions.filter((e) => !e.stopDate)).toEqual([]);
    expect(run.report.accounts.every((a) => a.executions === 9)).toBe(true);
    expect(run.report.ok).toBe(true);
  });

  it('records one vend per account, with every trigger, one owner, and measured once', async () => {
    // Assess
    for (const accountId of ACCOUNTS) {
      const [vend, ...others] = await run.runtime.dependencies.ledger.vendsOf(accountId);
      expect(others, accountId).toEqual([]);
      expect(vend?.triggers.map((t) => t.trigger).sort(), accountId).toEqual(
        [
          ...Array(3).fill('controltower-create-managed-account'),
          ...Array(3).fill('organizations-account-joined'),
          ...Array(3).fill('organizations-create-account'),
        ].sort(),
      );
      expect(new Set(vend?.triggers.map((t) => t.execution)).size, accountId).toBe(9);
      expect(vend?.owner?.state, accountId).toBe('done');
      expect(vend?.measuredAt, accountId).toBeDefined();
      // lza.measureGap is off: nothing follows LZA, so the vend is settled at once.
      expect(vend?.state, accountId).toBe('closed');
    }
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
    // One poller per vend: only the owner applies; the eight duplicates never reach a member account.
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
      expect(list, key).toHaveLength(1);
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

  it('enforces once per vend: the owner records RegionsCompliant, the other eight stand down as Covered', () => {
    // Assess: nine executions per account; the owner alone waits for the role and enforces.
    const entered = (e: { events: { type: string; state?: { name?: string } }[] }, name: string) =>
      e.events.some((ev) => ev.type === 'StateEntered' && ev.state?.name === name);
    const compliant = dataPointsPerAccount(emf, 'RegionsCompliant');
    for (const accountId of ACCOUNTS) expect(compliant.get(accountId), accountId).toBe(1);
    const executions = run.runtime.executions();
    expect(executions).toHaveLength(ACCOUNTS.length * 9);
    const enforced = executions.filter((e) => entered(e, 'RecordEnforcement'));
    expect(enforced).toHaveLength(ACCOUNTS.length);
    const covered = executions.filter((e) => entered(e, 'Covered'));
    expect(covered).toHaveLength(ACCOUNTS.length * 8);
    for (const execution of covered) {
      expect(entered(execution, 'AwaitRole'), execution.name).toBe(false);
      expect(execution.status).toBe('SUCCEEDED');
    }
  });

  // Only the execution that owns the vend in the ledger measures it.
  it('emits VendToRunAsSeconds and RoleWaitSeconds once per vended account', () => {
    const exposure = dataPointsPerAccount(emf, 'VendToRunAsSeconds');
    const roleWait = dataPointsPerAccount(emf, 'RoleWaitSeconds');
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
    // Prepare: the same nine-way race, and a pipeline run that wipes RunAs at Security_Resources,
    // whose every state-change event is delivered three times.
    const log = captureEmf(gapEmf);
    const scenario = parseScenario({
      managementAccountId: MANAGEMENT,
      homeRegion: 'us-east-1',
      pipeline: { lzaVersion: '1.13.1', eventDeliveries: 3, runs: [{ startAtSeconds: 0 }] },
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
  });

  afterAll(async () => {
    gapRun?.runtime.stop();
    await gapRun?.cloud.close();
  });

  it('measures the gap once per vended account, repairing each wiped region once', async () => {
    // Assess: three deliveries of each action event start three follow-ups each; one closes each vend.
    const gapClosed = gapEmf.flatMap((r) => ('GapClosedSeconds' in r ? [r.GapClosedSeconds].flat() : []));
    expect(gapClosed).toHaveLength(GAP_ACCOUNTS.length);
    const repaired = gapEmf.reduce((n, r) => n + Number(r.RunAsRegressionsRepaired ?? 0), 0);
    expect(repaired).toBe(GAP_ACCOUNTS.length * REGIONS.length);
    for (const accountId of GAP_ACCOUNTS) {
      const [vend] = await gapRun.runtime.dependencies.ledger.vendsOf(accountId);
      expect(vend?.state, accountId).toBe('closed');
      expect(gapClosed, accountId).toContain(vend?.gapClosedSeconds);
      const rewrites = vend?.repairs.filter((r) => r.reexposedSeconds !== undefined) ?? [];
      expect(rewrites.map((r) => r.region).sort(), accountId).toEqual([...REGIONS].sort());
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
