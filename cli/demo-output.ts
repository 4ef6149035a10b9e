import { table, wrap } from '#cli/text-table.ts';
import { type AccountReport, clockDescription, type DemoReport } from '#local/report.ts';
import { duration } from '#local/report-html-text.ts';
import type { DemoStory } from '#local/story.ts';
import { outputWidth } from './io.ts';

function seconds(value: number | undefined): string {
  return value === undefined ? '-' : `${value.toFixed(1)} s`;
}

function regionCell(account: AccountReport, region: string): string {
  const r = account.regions[region];
  if (!r) return '-';
  if (r.status === 'compliant') return `${r.action ?? 'ok'} ✓`;
  if (r.status === 'refused') return 'refused (left as is)';
  return r.status;
}

/** The per-account table: one header per cell. */
export function demoReportTable(report: DemoReport): { headers: string[]; rows: string[][] } {
  const headers = [
    'account',
    'name',
    'trigger',
    'runs',
    'role wait',
    'exposure',
    'gap closed',
    'repairs',
    ...report.governedRegions,
    'expected?',
  ];
  const rows = report.accounts.map((a) => [
    a.accountId,
    a.name,
    a.trigger ?? 'no run',
    String(a.executions),
    seconds(a.roleWaitSeconds),
    seconds(a.exposureSeconds),
    seconds(a.gapClosedSeconds),
    a.regressionsRepaired === undefined ? '-' : String(a.regressionsRepaired),
    ...report.governedRegions.map((r) => regionCell(a, r)),
    a.meetsExpectation ? 'yes' : 'NO',
  ]);
  return { headers, rows };
}

export function renderDemoReport(report: DemoReport, width = outputWidth()): string {
  const { headers, rows } = demoReportTable(report);
  const lines = [table(headers, rows, { maxWidth: width }), ''];
  for (const a of report.accounts) {
    for (const [region, r] of Object.entries(a.regions)) {
      if (r.error) lines.push(...wrap(`${a.accountId} ${region}: ${r.error}`, width));
    }
  }
  const met = report.accounts.filter((a) => a.meetsExpectation).length;
  lines.push(
    ...wrap(
      `${met}/${report.accounts.length} accounts reached the outcome the scenario expects. Times are simulated seconds (${clockDescription(report)}).`,
      width,
    ),
  );
  return lines.join('\n');
}

const inMinutes = (seconds: number | undefined) => (seconds === undefined ? '-' : (seconds / 60).toFixed(1));

/**
 * The end of the demo's terminal output: the HTML report's headline, then the same vends'
 * exposure under AFT's wait, StackSets auto-deployment and LZA alone, in minutes, within `width`.
 */
export function renderDemoStory(story: DemoStory, width = outputWidth()): string {
  const headline =
    story.medianExposure !== undefined && story.medianWindow !== undefined && story.share !== undefined
      ? `Median exposure ${duration(story.medianExposure)} instead of ${duration(story.medianWindow)} with LZA alone: ${(story.share * 100).toFixed(1)}% of the LZA window closed`
      : story.medianExposure !== undefined
        ? `Median exposure ${duration(story.medianExposure)}; the gap to LZA Customizations was not measured`
        : 'No account was measured in this run';
  const repaired = `${story.repaired} regression(s) repaired in ${story.repairedAccounts} account(s).`;
  const rows = story.mechanisms.map((m) => [
    m.mechanism,
    String(m.seconds.length),
    inMinutes(m.median),
    inMinutes(m.p95),
    inMinutes(m.worst),
    m.basis,
  ]);
  return [
    ...wrap(`${headline}; ${repaired}`, width),
    '',
    ...wrap(`The same ${story.measured} vends, exposure in minutes (simulated) under each mechanism:`, width),
    table(['mechanism', 'vends', 'median', 'p95', 'worst', 'basis'], rows, {
      maxWidth: Math.min(width, 120),
    }),
  ].join('\n');
}
