import { describe, expect, it } from 'vitest';
import { formatSweepBench, runSweepBench } from '#tools/bench/sweep-bench.ts';
import { generateSweepOrganization, kindCounts, SWEEP_MIX } from '#tools/bench/sweep-scenario.ts';

describe('sweep bench (reduced: 40 accounts x 2 regions, batches of 20)', () => {
  it('checks without writing, repairs every reachable account once, and a second repair writes nothing', async () => {
    // Act
    const result = await runSweepBench({
      accounts: 40,
      regions: 2,
      seed: 7,
      timeScale: 1,
      faults: 'none',
      batchSize: 20,
      checkConcurrency: [3, 10],
      repairConcurrency: 10,
      timeoutSeconds: 60,
    });
    // Assess
    expect(result.violations).toEqual([]);
    expect(result.organization).toMatchObject({ accounts: 40, suspended: 2, accountRegions: 80 });
    const runs = [...result.check, result.repair, result.repairAgain];
    for (const run of runs) {
      expect(run.status).toBe('SUCCEEDED');
      // 40 + 2 suspended + the management account, listed 20 at a time: three map runs.
      expect(run.mapRuns).toBe(3);
      expect(run.accountsPerMapRun.reduce((sum, n) => sum + n, 0)).toBe(40);
      expect(run.peakConcurrency).toBeGreaterThan(0);
      expect(run.peakConcurrency).toBeLessThanOrEqual(run.maxConcurrency);
      expect(run.accountSeconds.n).toBe(40);
    }
    expect(result.check.map((c) => c.ssmWrites)).toEqual([0, 0]);
    expect(result.repair.totals.driftRepaired).toBeGreaterThan(0);
    expect(result.repair.ssmWrites).toBeGreaterThan(0);
    expect(result.repair.versions.maxPerRegion).toBe(1);
    expect(result.repairAgain.totals.driftDetected).toBe(0);
    expect(result.repairAgain.ssmWrites).toBe(0);
    expect(result.compliance).toMatchObject({ nonCompliantAccounts: 0 });
    expect(result.compliance.foreignIntact).toBe(result.compliance.foreignTotal);
    // An already compliant region is only read, in check and in repair mode.
    expect(result.check[0]!.calls.compliant?.perAccountRegion['ssm:UpdateDocument']).toBeUndefined();
    expect(result.repair.calls.compliant?.perAccountRegion['ssm:UpdateDocument']).toBeUndefined();
    expect(result.repair.calls['lza-logging']?.perAccountRegion['ssm:UpdateDocument']).toBe(1);
    // Every sweep starts with cold member sessions, as a daily schedule does: one probe per account at least.
    for (const run of result.check) {
      expect(run.managementCallsPerAccount['sts:AssumeRole']).toBeGreaterThanOrEqual(1);
    }
    expect(formatSweepBench(result)).toMatch(/no violations/);
  });
});

describe('sweep organization', () => {
  it('has the exact mix, spread over the accounts, and reproducible', () => {
    // Act
    const first = generateSweepOrganization({
      accounts: 500,
      regions: 4,
      seed: 3,
      timeScale: 1,
      faults: 'none',
    });
    const again = generateSweepOrganization({
      accounts: 500,
      regions: 4,
      seed: 3,
      timeScale: 1,
      faults: 'none',
    });
    // Assess
    expect(first.counts).toEqual({
      compliant: 350,
      'lza-logging': 75,
      missing: 50,
      foreign: 15,
      'no-role': 10,
    });
    expect(first.suspended).toHaveLength(5);
    expect(first.accounts).toEqual(again.accounts);
    expect(first.accounts.slice(0, 200).some((a) => a.kind !== 'compliant')).toBe(true);
    for (const account of first.accounts.filter((a) => a.kind === 'foreign')) {
      expect(Object.values(account.regions).filter((k) => k === 'foreign')).toHaveLength(1);
    }
    expect(kindCounts(41, SWEEP_MIX)).toEqual({
      compliant: 29,
      'lza-logging': 6,
      missing: 4,
      foreign: 1,
      'no-role': 1,
    });
  });
});
