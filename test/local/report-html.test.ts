import { describe, expect, it } from 'vitest';
import { aftRoleFoundSeconds } from '#local/mechanisms.ts';
import type { AccountReport, DemoReport, RegionReport } from '#local/report.ts';
import { renderHtmlReport } from '#local/report-html.ts';
import { escapeHtml } from '#local/report-html-text.ts';
import { demoStory } from '#local/story.ts';

const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1'];
const LZA_DONE = {
  securityResourcesCompletedAt: '2026-11-24T08:57:12.563Z',
  customizationsCompletedAt: '2026-11-24T09:05:16.563Z',
};

function regions(
  overrides: Record<string, Partial<RegionReport>> = {},
  action = 'created',
): Record<string, RegionReport> {
  return Object.fromEntries(
    REGIONS.map((region) => [
      region,
      { status: 'compliant', action, document: { latest: null, default: null }, ...overrides[region] },
    ]),
  );
}

function account(fields: Partial<AccountReport> & Pick<AccountReport, 'accountId' | 'name'>): AccountReport {
  return {
    trigger: 'organizations-create-account',
    executions: 1,
    regions: regions(),
    expected: Object.fromEntries(REGIONS.map((r) => [r, 'compliant'])),
    meetsExpectation: true,
    ...fields,
  };
}

const MALICIOUS = '<script>alert("pwned")</script>';

/** A demo report as `buildReport` makes it from the demo scenario, plus one account per edge case. */
function demoReport(): DemoReport {
  return {
    scenario: 'local/scenarios/demo.json',
    // Scaled time on purpose: nothing is played here; the page must say how a report made on
    // scaled wall time was timed (the virtual-time wording has its own test below).
    timeScale: 0.01,
    latencyModel: 'none',
    lzaVersion: '1.13.1',
    governedRegions: REGIONS,
    metrics: {},
    ok: false,
    accounts: [
      account({
        accountId: '111111111111',
        name: 'workload-dev',
        vendedAt: '2026-11-24T08:21:47.000Z',
        roleAssumableAt: '2026-11-24T08:22:00.763Z',
        runAsVerifiedAt: '2026-11-24T08:22:18.063Z',
        exposureSeconds: 31.063,
        roleWaitSeconds: 13.763,
        measured: true,
        ...LZA_DONE,
        prepareToCustomizationsSeconds: 2609.563,
        gapClosedSeconds: 2578.5,
        regressionsRepaired: 3,
        reexposedSeconds: 95,
        gap: 'complete: pipeline run d5445f9b finished Customizations',
      }),
      account({
        accountId: '222222222222',
        name: 'workload-prod',
        executions: 2,
        vendedAt: '2026-11-24T08:21:52.000Z',
        roleAssumableAt: '2026-11-24T08:22:24.763Z',
        runAsVerifiedAt: '2026-11-24T08:22:35.263Z',
        exposureSeconds: 43.263,
        roleWaitSeconds: 32.763,
        measured: true,
        ...LZA_DONE,
        prepareToCustomizationsSeconds: 2604.563,
        gapClosedSeconds: 2561.3,
        regressionsRepaired: 3,
        gap: 'complete: pipeline run d5445f9b finished Customizations',
      }),
      account({
        accountId: '555555555555',
        name: 'foreign-document',
        vendedAt: '2026-11-24T08:22:07.000Z',
        roleAssumableAt: '2026-11-24T08:22:25.563Z',
        runAsVerifiedAt: '2026-11-24T08:22:39.063Z',
        roleWaitSeconds: 18.563,
        measured: true,
        ...LZA_DONE,
        prepareToCustomizationsSeconds: 2589.563,
        gapClosedSeconds: 2557.5,
        regressionsRepaired: 2,
        gap: 'complete: pipeline run d5445f9b finished Customizations',
        regions: regions({
          'us-west-2': {
            status: 'refused',
            action: 'refused',
            error: 'refused to change SSM-SessionManagerRunShell: sessionType is "Port"',
          },
        }),
      }),
      account({
        accountId: '666666666666',
        name: 'already-compliant',
        vendedAt: '2026-11-24T08:22:12.000Z',
        roleAssumableAt: '2026-11-24T08:22:47.763Z',
        runAsVerifiedAt: '2026-11-24T08:22:53.663Z',
        exposureSeconds: 41.663,
        measured: false,
        regions: regions({}, 'unchanged'),
      }),
      account({
        accountId: '777777777777',
        name: 'role-never-assumable',
        vendedAt: '2026-11-24T08:22:20.000Z',
        regions: regions(
          Object.fromEntries(
            REGIONS.map((r) => [
              r,
              { status: 'failed', error: 'RoleNotAssumableError: gave up after 900 s' },
            ]),
          ),
        ),
        meetsExpectation: false,
      }),
      account({
        accountId: '888888888888',
        name: MALICIOUS,
        vendedAt: '2026-11-24T08:22:00.000Z',
        roleAssumableAt: '2026-11-24T08:22:10.000Z',
        runAsVerifiedAt: '2026-11-24T08:22:20.000Z',
        exposureSeconds: 20,
        measured: true,
        ...LZA_DONE,
        prepareToCustomizationsSeconds: 2596.563,
        gapClosedSeconds: 2576.563,
        regressionsRepaired: 1,
        gap: 'complete',
      }),
      account({
        accountId: '999999999990',
        name: 'pipeline-timed-out',
        vendedAt: '2026-11-24T08:22:30.000Z',
        roleAssumableAt: '2026-11-24T08:22:40.000Z',
        runAsVerifiedAt: '2026-11-24T08:22:55.000Z',
        exposureSeconds: 25,
        measured: true,
        regressionsRepaired: 0,
        gap: 'timed-out: no covering pipeline run finished Customizations by 2026-11-25T08:22:30.000Z',
      }),
      {
        ...account({
          accountId: '999999999991',
          name: 'never-started',
          executions: 0,
          regions: regions(Object.fromEntries(REGIONS.map((r) => [r, { status: 'skipped' }]))),
        }),
        trigger: undefined,
      },
    ],
  };
}

/** The `<svg id="…">` element of one chart. */
function chart(html: string, id: string): string {
  const match = html.match(new RegExp(`<svg id="${id}"[\\s\\S]*?</svg>`));
  if (!match) throw new Error(`no chart ${id}`);
  return match[0];
}

/** The row group of one account in a chart. */
function row(svg: string, accountId: string): string {
  const match = svg.match(
    new RegExp(`<g class="row[^"]*" data-account="${accountId}"[\\s\\S]*?(?=<g class="row|</g></svg>)`),
  );
  if (!match) throw new Error(`no row for ${accountId}`);
  return match[0];
}

function attribute(element: string, name: string): number {
  const match = element.match(new RegExp(`\\s${name}="([-\\d.]+)"`));
  if (!match) throw new Error(`no ${name} in ${element.slice(0, 120)}`);
  return Number(match[1]);
}

/** SVG user units per simulated minute, from the axis ticks. */
function unitsPerMinute(svg: string): { x0: number; perMinute: number } {
  const ticks = [...svg.matchAll(/<g class="tick" data-minutes="([\d.]+)" data-x="([\d.]+)"/g)].map((m) => ({
    minutes: Number(m[1]),
    x: Number(m[2]),
  }));
  const first = ticks[0];
  const last = ticks.at(-1);
  if (!first || !last || first === last) throw new Error('no axis');
  return { x0: first.x, perMinute: (last.x - first.x) / (last.minutes - first.minutes) };
}

describe('renderHtmlReport', () => {
  it('draws one timeline row per account, measured or not', () => {
    // Prepare
    const report = demoReport();
    // Act
    const html = renderHtmlReport(report);
    // Assess
    const timeline = chart(html, 'timeline');
    const rows = [...timeline.matchAll(/<g class="row[^"]*" data-account="(\d{12})"/g)].map((m) => m[1]);
    expect(rows).toEqual(report.accounts.map((a) => a.accountId));
    expect(html.match(/<tr data-account="\d{12}"/g)).toHaveLength(report.accounts.length);
  });

  it('puts every milestone on the axis with its time in minutes since the first vend', () => {
    // Act
    const html = renderHtmlReport(demoReport());
    // Assess: the first vend is workload-dev's (08:21:47), so it is minute 0.
    const dev = row(chart(html, 'timeline'), '111111111111');
    expect(dev).toContain('<title>workload-dev: vended at 0.00 min</title>');
    expect(dev).toContain('<title>workload-dev: role assumable at 0.23 min (13.8 s after vend)</title>');
    expect(dev).toContain('<title>workload-dev: RunAs verified at 0.52 min (31.1 s after vend)</title>');
    expect(dev).toContain(
      '<title>workload-dev: LZA Security_Resources finished at 35.43 min (35.4 min after vend); LZA reset RunAs, the bootstrapper repaired 3 region(s)</title>',
    );
    expect(dev).toContain(
      '<title>workload-dev: LZA Customizations finished at 43.49 min (43.5 min after vend)</title>',
    );
    // Each marker sits at its time on the axis.
    const { x0, perMinute } = unitsPerMinute(chart(html, 'timeline'));
    const customizations = dev.match(/data-milestone="customizations">[\s\S]*?<line x1="([\d.]+)"/);
    expect(Number(customizations?.[1])).toBeCloseTo(x0 + 43.4927 * perMinute, 0);
    expect(html).toContain('minutes since the first vend (simulated)');
  });

  it('shades the gap closed to scale, apart from the exposure that remained', () => {
    // Act
    const html = renderHtmlReport(demoReport());
    // Assess
    const timeline = chart(html, 'timeline');
    const { x0, perMinute } = unitsPerMinute(timeline);
    const dev = row(timeline, '111111111111');
    const gap = dev.match(/<rect class="gap"[^>]*>/)?.[0] as string;
    const exposure = dev.match(/<rect class="exposure"[^>]*>/)?.[0] as string;
    expect(attribute(gap, 'data-seconds')).toBe(2578.5);
    expect(attribute(gap, 'x')).toBeCloseTo(x0 + (31.063 / 60) * perMinute, 0);
    expect(attribute(gap, 'width')).toBeCloseTo((2578.5 / 60) * perMinute, 0);
    expect(gap).toMatch(/fill="url\(#timeline-hatch\)"/);
    expect(attribute(exposure, 'data-seconds')).toBe(31.063);
    expect(exposure).not.toMatch(/fill="url\(/);
    expect(dev).toContain(
      'workload-dev: gap closed 43.0 min, from RunAs verified at 0.52 min to LZA Customizations finished at 43.49 min',
    );
    // The gap dwarfs the exposure: what a reader sees at a glance.
    expect(attribute(gap, 'width')).toBeGreaterThan(50 * attribute(exposure, 'width'));
    // After LZA reset RunAs at Security_Resources, the time until the repair is exposure again.
    const reexposure = dev.match(/<rect class="reexposure"[^>]*>/)?.[0] as string;
    expect(attribute(reexposure, 'data-seconds')).toBe(95);
    expect(attribute(reexposure, 'width')).toBeCloseTo((95 / 60) * perMinute, 0);
    expect(reexposure).toMatch(/fill="#d1495b"/);
    expect(dev).toContain('3 repaired (off ≥ 95.0 s)');
    expect(row(timeline, '222222222222')).not.toContain('class="reexposure"');
  });

  it('gives unmeasured accounts a row with the reason and no shading', () => {
    // Act
    const html = renderHtmlReport(demoReport());
    // Assess
    const timeline = chart(html, 'timeline');
    const cases: [string, string][] = [
      ['555555555555', 'not measured: refused in us-west-2, a foreign document was left as is'],
      ['666666666666', 'not measured: already compliant, RunAs was set before the bootstrapper ran'],
      ['777777777777', 'not measured: failed in us-east-1, us-west-2, eu-west-1 (RoleNotAssumableError'],
      ['999999999991', 'not measured: no bootstrap run started for this account'],
    ];
    for (const [accountId, note] of cases) {
      const r = row(timeline, accountId);
      expect(r).toMatch(/^<g class="row not-measured"/);
      expect(r).toContain(note);
      expect(r).not.toMatch(/class="(gap|exposure)"/);
    }
    // The refused account's milestones are still drawn, in grey.
    expect(row(timeline, '555555555555')).toContain('foreign-document: vended at 0.33 min');
    // Its RunAs was verified in two of its three regions only, and every label says so.
    expect(row(timeline, '555555555555')).toMatch(
      /RunAs verified at [\d.]+ min \([^)]*\) in 2\/3 regions only/,
    );
    expect(row(timeline, '555555555555')).toMatch(
      /aria-label="[^"]*RunAs verified [\d.]+ min \(2\/3 regions only\)/,
    );
    expect(row(timeline, '111111111111')).not.toContain('regions only');
    // An exposure without a finished pipeline run: shaded red, the gap explained instead.
    const timedOut = row(timeline, '999999999990');
    expect(timedOut).toMatch(/<rect class="exposure"/);
    expect(timedOut).not.toMatch(/<rect class="gap"/);
    expect(timedOut).toContain('gap not measured: timed-out: no covering pipeline run');
  });

  it('heads the page with the scenario, timeScale, LZA version and totals', () => {
    // Act
    const html = renderHtmlReport(demoReport());
    // Assess
    expect(html).toContain('<title>RunAs exposure timeline: local/scenarios/demo.json</title>');
    expect(html).toMatch(
      /scaled wall time, 0\.01 wall seconds per simulated second, no modelled latencies · LZA 1\.13\.1/,
    );
    // Exposures 31.063, 43.263, 20, 25 s; gaps 2578.5, 2561.3, 2576.563 s.
    expect(html).toMatch(/Median exposure[\s\S]{0,80}>28\.0 s</);
    expect(html).toMatch(/Median gap closed<\/div><div class="card-value">42\.9 min</);
    expect(html).toMatch(/Accounts measured<\/div><div class="card-value">4\/8</);
    expect(html).toMatch(/Regressions repaired<\/div><div class="card-value">9</);
    expect(html).toMatch(/Expected outcomes<\/div><div class="card-value">7\/8</);
    expect(html).toContain('aria-label="Legend"');
    for (const entry of ['Exposure that remained', 'Gap closed by the bootstrapper', 'role assumable'])
      expect(html).toContain(entry);
  });

  it('escapes every string from the scenario', () => {
    // Prepare
    const report = { ...demoReport(), scenario: '"><img src=x onerror=alert(1)>' };
    // Act
    const html = renderHtmlReport(report);
    // Assess
    expect(html).not.toContain(MALICIOUS);
    expect(html).not.toMatch(/<script|<img/i);
    expect(html).toContain(escapeHtml(MALICIOUS));
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(escapeHtml(`<a href='x'>&</a>`)).toBe('&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;');
  });

  it('is self-contained: no scripts, stylesheets, fonts or images from the network', () => {
    // Act
    const html = renderHtmlReport(demoReport());
    // Assess
    expect(html).not.toMatch(/\s(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/<(script|link|img|iframe)\b|@import|@font-face/i);
    expect(html).not.toMatch(/NaN|Infinity|undefined/);
  });

  it('renders a report without accounts or a pipeline', () => {
    // Act
    const html = renderHtmlReport({
      timeScale: 1,
      latencyModel: 'aws',
      metrics: {},
      governedRegions: ['us-east-1'],
      accounts: [],
      ok: true,
    });
    // Assess
    expect(html).toContain('no LZA pipeline');
    expect(html).toContain('Times are simulated (virtual time, modelled AWS latencies).');
    expect(html).toContain('No account was measured in this run.');
    expect(html).not.toMatch(/NaN|Infinity|undefined/);
  });
});

describe('the demo story (terminal and HTML alike)', () => {
  it("finds a role on AFT's schedule: every 5 s for a minute, a 65 s sleep, then 60 s x1.5", () => {
    // Act
    const found = [3, 60, 61, 126, 300].map(aftRoleFoundSeconds);
    // Assess
    expect(found).toEqual([5, 60, 125, 185, 410]);
  });

  it('puts the measured vends beside AFT, StackSets and LZA alone, and the HTML report shows the same figures', () => {
    // Prepare
    const report = demoReport();
    // Act
    const story = demoStory(report);
    const html = renderHtmlReport(report);
    // Assess
    const byName = Object.fromEntries(story.mechanisms.map((m) => [m.mechanism, m]));
    expect(byName['runas-bootstrapper']?.seconds).toEqual([31.063, 43.263, 41.663, 20, 25]);
    // AFT, for the vends whose role wait was measured: the same work after the role, with the role
    // found at 15 s and 35 s instead of 13.8 s and 32.8 s.
    expect(byName["AFT's role wait"]?.seconds.map((s) => Number(s.toFixed(1)))).toEqual([32.3, 45.5]);
    expect(byName['StackSets auto-deployment']?.seconds).toHaveLength(5);
    for (const s of byName['StackSets auto-deployment']?.seconds ?? []) expect(s).toBeGreaterThan(60);
    expect(byName['LZA alone']?.seconds).toEqual([2609.563, 2604.563, 2596.563]);
    expect(story.repaired).toBe(9);
    expect(html).toContain('<h2 id="comparison-heading">The same vends under other mechanisms</h2>');
    expect(html).toContain(`<th scope="row">StackSets auto-deployment</th><td class="num">5</td>`);
    expect(html).toContain(`<th scope="row">LZA alone</th><td class="num">3</td><td class="num">43.4</td>`);
  });
});
