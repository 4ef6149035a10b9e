import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultHtmlFile } from '#cli/commands/demo.ts';
import { demoReportTable, renderDemoReport } from '#cli/demo-output.ts';
import type { AccountReport, DemoReport } from '#local/report.ts';
import { cli } from './helpers.ts';

const DEMO_ACCOUNTS = [
  '111111111111',
  '222222222222',
  '333333333333',
  '444444444444',
  '555555555555',
  '666666666666',
];

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'runas-demo-'));
}

describe('demo command', () => {
  it('runs the demo scenario: expected outcomes, gap measured, LZA 1.13 wipe repaired, foreign document refused', async () => {
    // Prepare
    const html = join(tempDir(), 'report.html');
    // Act
    const { code, out, err } = await cli('demo', '--json', '--html', html);
    // Assess
    expect(code).toBe(0);
    const report = JSON.parse(out);
    expect(report.lzaVersion).toBe('1.13.1');
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
    // One vend per account in the ledger, whatever arrived: every CreateAccount also logged a join.
    for (const account of report.accounts) {
      expect(account.vend.triggers).toContain('organizations-account-joined');
      expect(account.vend.owner).toEqual(expect.any(String));
      expect(account.measured).toBe(account.accountId !== '555555555555');
    }
    // The gap: LZA's own Customizations action finished long after RunAs was verified.
    for (const account of report.accounts) {
      expect(account.gap).toMatch(/^closed/);
      if (account.accountId === '555555555555') {
        // One region stays refused: LZA's window is measured, but no gap was closed.
        expect(account.gapClosedSeconds).toBeUndefined();
        expect(account.gap).toMatch(
          /the gap was not closed: RunAs is not in effect in every governed region/,
        );
        expect(account.prepareToCustomizationsSeconds).toBeGreaterThan(0);
        continue;
      }
      expect(account.prepareToCustomizationsSeconds).toBeGreaterThan(account.gapClosedSeconds);
      expect(account.gapClosedSeconds).toBeGreaterThan(0);
      expect(Date.parse(account.customizationsCompletedAt)).toBeGreaterThan(
        Date.parse(account.runAsVerifiedAt),
      );
      // LZA's Deploy/Security_Resources finished between RunAs verified and Customizations.
      expect(Date.parse(account.securityResourcesCompletedAt)).toBeGreaterThan(
        Date.parse(account.runAsVerifiedAt),
      );
      expect(Date.parse(account.securityResourcesCompletedAt)).toBeLessThan(
        Date.parse(account.customizationsCompletedAt),
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
    // The handlers' metrics, summed from their EMF, agree with the ledger's figures per account.
    type Figures = Record<string, number | undefined>;
    const sum = (field: string) =>
      report.accounts.reduce((total: number, a: Figures) => total + (a[field] ?? 0), 0);
    expect(report.metrics.VendToRunAsSeconds).toBeCloseTo(sum('exposureSeconds'), 3);
    expect(report.metrics.GapClosedSeconds).toBeCloseTo(sum('gapClosedSeconds'), 3);
    expect(report.metrics.PrepareToCustomizationsSeconds).toBeCloseTo(
      sum('prepareToCustomizationsSeconds'),
      3,
    );
    expect(report.metrics.RunAsRegressionsRepaired).toBe(sum('regressionsRepaired'));
    expect(report.metrics).toMatchObject({
      RegionsCompliant: DEMO_ACCOUNTS.length * 3 - 1,
      RegionsRefused: 1,
      RegionsFailed: 0,
    });
    expect(report.metrics.GapMeasurementTimedOut).toBeUndefined();
    // The HTML timeline went to the file asked for; its path to stderr, so stdout stays JSON.
    expect(err).toContain(`HTML report: ${html}`);
    const page = readFileSync(html, 'utf8');
    const rows = [...page.matchAll(/<g class="row[^"]*" data-account="(\d{12})"/g)].map((m) => m[1]);
    expect(new Set(rows)).toEqual(new Set(DEMO_ACCOUNTS));
    expect(page).toContain('not measured: refused in us-west-2');
  });

  it('prints a human table by default, and the path of the HTML report it wrote', async () => {
    // Prepare: a directory that does not exist yet.
    const html = join(tempDir(), 'nested', 'demo.html');
    // Act
    const { code, out } = await cli('demo', '--html', html);
    // Assess
    expect(code).toBe(0);
    expect(out).toMatch(/account\s+name\s+trigger/);
    expect(out).toContain('refused');
    expect(out).toContain('6/6 accounts reached the outcome the scenario expects');
    // Piped, with no COLUMNS: every line fits 120 columns, long cells wrapped under their header.
    const lines = out.split('\n');
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(120);
    const header = lines.find((l) => l.startsWith('account')) as string;
    const workload = lines.find((l) => l.startsWith('111111111111')) as string;
    expect(workload.slice(header.indexOf('repairs'))).toMatch(/^3 /);
    expect(workload).toMatch(/ {2}created {2}/);
    expect(out).toContain(`\nHTML report: ${html}\n`);
    // It ends with the HTML report's headline and the same vends under the other mechanisms.
    const story = out.slice(out.indexOf(`HTML report: ${html}`));
    expect(story).toMatch(
      /\nMedian exposure [\d.]+ s instead of [\d.]+ min with LZA alone: [\d.]+% of the LZA window closed; \d+ regression\(s\) repaired/,
    );
    const mechanisms = out.trimEnd().split('\n').slice(-8).join('\n');
    for (const name of ['runas-bootstrapper', "AFT's role wait", 'StackSets auto-deployment', 'LZA alone'])
      expect(mechanisms).toMatch(new RegExp(`^${name}\\s+\\d+\\s+[\\d.]+`, 'm'));
    expect(existsSync(html)).toBe(true);
    const page = readFileSync(html, 'utf8');
    for (const accountId of DEMO_ACCOUNTS) expect(page).toContain(`<tr data-account="${accountId}"`);
  });

  it('exits 1 when an account misses its expected outcome', async () => {
    // Prepare: expect a region to be refused that will in fact be created.
    const { writeFileSync } = await import('node:fs');
    const dir = tempDir();
    const file = `${dir}/scenario.json`;
    writeFileSync(
      file,
      JSON.stringify({
        managementAccountId: '999999999999',
        homeRegion: 'us-east-1',
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
    const { code, out, err } = await cli('demo', '--scenario', file, '--json', '--no-html');
    // Assess
    expect(code).toBe(1);
    expect(JSON.parse(out)).toMatchObject({ ok: false, accounts: [{ meetsExpectation: false }] });
    expect(err).not.toContain('HTML report');
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

  it('names the default HTML report after the wall-clock time, under reports/', () => {
    // Act
    const file = defaultHtmlFile(new Date('2026-05-04T10:20:30.456Z'));
    // Assess
    expect(file).toBe('reports/demo-2026-05-04T10-20-30Z.html');
  });
});

describe('renderDemoReport', () => {
  const account = (fields: Partial<AccountReport>): AccountReport => ({
    accountId: '111111111111',
    name: 'workload-dev',
    trigger: 'organizations-create-account',
    executions: 1,
    regions: {
      'us-east-1': { status: 'compliant', action: 'created', document: { latest: null, default: null } },
      'eu-west-1': { status: 'refused', error: 'foreign', document: { latest: null, default: null } },
    },
    expected: { 'us-east-1': 'compliant', 'eu-west-1': 'refused' },
    meetsExpectation: true,
    ...fields,
  });
  const report: DemoReport = {
    timeScale: 1,
    latencyModel: 'none',
    governedRegions: ['us-east-1', 'eu-west-1'],
    metrics: {},
    ok: true,
    accounts: [
      account({
        exposureSeconds: 31.1,
        roleWaitSeconds: 13.8,
        gapClosedSeconds: 2578.5,
        regressionsRepaired: 3,
      }),
      account({ accountId: '222222222222', name: 'not-measured' }),
    ],
  };

  it('gives every cell of a row a header', () => {
    // Act
    const { headers, rows } = demoReportTable(report);
    // Assess
    for (const row of rows) expect(row).toHaveLength(headers.length);
    const first = rows[0] as string[];
    expect(first[headers.indexOf('gap closed')]).toBe('2578.5 s');
    expect(first[headers.indexOf('repairs')]).toBe('3');
    expect(first[headers.indexOf('us-east-1')]).toBe('created ✓');
    expect(first[headers.indexOf('expected?')]).toBe('yes');
  });

  it('lines each figure up under its header', () => {
    // Act
    const lines = renderDemoReport(report, 400).split('\n');
    // Assess
    const [header, , row] = lines as [string, string, string];
    expect(row.slice(header.indexOf('gap closed'))).toMatch(/^2578\.5 s /);
    expect(row.slice(header.indexOf('repairs'))).toMatch(/^3 /);
    expect(row.slice(header.indexOf('eu-west-1'))).toMatch(/^refused \(left as is\)/);
  });
});
