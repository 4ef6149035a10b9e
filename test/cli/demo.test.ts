import { describe, expect, it } from 'vitest';
import { cli } from './helpers.ts';

describe('demo command', () => {
  it('runs the demo scenario: expected outcomes, gap measured, LZA 1.13 wipe repaired, foreign document refused', async () => {
    // Act
    const { code, out } = await cli('demo', '--json');
    // Assess
    expect(code).toBe(0);
    const report = JSON.parse(out);
    expect(report.ok).toBe(true);
    expect(report.accounts).toHaveLength(6);
    for (const account of report.accounts) {
      expect(account).toMatchObject({
        accountId: expect.stringMatching(/^\d{12}$/),
        trigger: expect.any(String),
        vendedAt: expect.any(String),
        roleAssumableAt: expect.any(String),
      });
      expect(Object.keys(account.regions).sort()).toEqual(['eu-west-1', 'us-east-1', 'us-west-2']);
    }
    // LZA 1.13.1 wiped RunAs at Deploy/Security_Resources; the bootstrapper repaired and counted it.
    const preset = report.accounts.find((a: { accountId: string }) => a.accountId === '333333333333');
    expect(preset.regions['us-east-1']).toMatchObject({ status: 'compliant', action: 'updated' });
    expect(preset.regions['us-east-1'].document.latest.inputs).toMatchObject({
      s3BucketName: 'aws-accelerator-central-logs-999999999999-us-east-1',
      runAsEnabled: true,
      runAsDefaultUser: 'ec2-user',
    });
    expect(preset.regions['us-east-1'].document.default).toEqual(preset.regions['us-east-1'].document.latest);
    expect(preset.regressionsRepaired).toBe(3);
    // The gap: LZA's own Customizations action finished long after RunAs was verified.
    for (const account of report.accounts) {
      expect(account.gap).toMatch(/^complete/);
      expect(account.prepareToCustomizationsSeconds).toBeGreaterThan(account.gapClosedSeconds);
      expect(account.gapClosedSeconds).toBeGreaterThan(0);
      expect(Date.parse(account.customizationsCompletedAt)).toBeGreaterThan(
        Date.parse(account.runAsVerifiedAt),
      );
    }
    // The foreign document was refused: the bootstrapper never wrote it.
    const foreign = report.accounts.find((a: { accountId: string }) => a.accountId === '555555555555');
    expect(foreign.regions['us-west-2']).toMatchObject({
      status: 'refused',
      error: expect.stringMatching(/sessionType is "Port"/),
    });
    expect(foreign.exposureSeconds).toBeUndefined();
    expect(foreign.regressionsRepaired).toBe(2);
    // The already-compliant document was not rewritten by the bootstrapper's first run.
    const compliant = report.accounts.find((a: { accountId: string }) => a.accountId === '666666666666');
    expect(compliant.regions['us-west-2']).toMatchObject({ status: 'compliant', action: 'unchanged' });
  });

  it('prints a human table by default', async () => {
    // Act
    const { code, out } = await cli('demo');
    // Assess
    expect(code).toBe(0);
    expect(out).toMatch(/account\s+name\s+trigger/);
    expect(out).toContain('refused (left as is)');
    expect(out).toContain('6/6 accounts reached the outcome the scenario expects');
  });

  it('exits 1 when an account misses its expected outcome', async () => {
    // Prepare: expect a region to be refused that will in fact be created.
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const dir = mkdtempSync('/tmp/runas-demo-');
    const file = `${dir}/scenario.json`;
    writeFileSync(
      file,
      JSON.stringify({
        managementAccountId: '999999999999',
        homeRegion: 'us-east-1',
        timeScale: 0.005,
        config: { governedRegions: ['us-east-1'] },
        accounts: [
          {
            accountId: '111111111111',
            name: 'wrong-expectation',
            roles: { OrganizationAccountAccessRole: 1 },
            vend: { atSeconds: 1, via: 'organizations', createSeconds: 5 },
            expect: { regions: { 'us-east-1': 'refused' } },
          },
        ],
      }),
    );
    // Act
    const { code, out } = await cli('demo', '--scenario', file, '--json');
    // Assess
    expect(code).toBe(1);
    expect(JSON.parse(out)).toMatchObject({ ok: false, accounts: [{ meetsExpectation: false }] });
  });

  it('reports a bad scenario as a one-line usage error', async () => {
    // Act
    const { code, err } = await cli(
      'demo',
      '--scenario',
      'test/fixtures/events/organizations-move-account.json',
    );
    // Assess
    expect(code).toBe(2);
    expect(err).toMatch(/^error: Invalid scenario/);
    expect(err).not.toMatch(/\n\s+at /);
  });
});
