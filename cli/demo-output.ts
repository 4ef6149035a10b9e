import { table, wrap } from '#core/text-table.ts';
import { type AccountReport, clockDescription, type DemoReport } from '#local/report.ts';
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
