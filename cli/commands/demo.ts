import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { table } from '#core/text-table.ts';
import { onScenarioClock, runScenario } from '#local/demo.ts';
import { type AccountReport, clockDescription, type DemoReport } from '#local/report.ts';
import { renderHtmlReport } from '#local/report-html.ts';
import {
  type CliIo,
  EXIT,
  type GlobalOptions,
  jsonEnvelope,
  outputWidth,
  progress,
  UserError,
} from '../io.ts';
import { positiveSeconds } from '../operator-context.ts';
import { loadScenario } from '../scenario-file.ts';

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
      if (r.error) lines.push(`${a.accountId} ${region}: ${r.error}`);
    }
  }
  const met = report.accounts.filter((a) => a.meetsExpectation).length;
  lines.push(
    `${met}/${report.accounts.length} accounts reached the outcome the scenario expects. Times are simulated seconds (${clockDescription(report)}).`,
  );
  return lines.join('\n');
}

/** `reports/demo-2026-05-04T10-20-30Z.html`: sortable, and safe in every file system. */
export function defaultHtmlFile(now: Date): string {
  return `reports/demo-${now.toISOString().slice(0, 19).replaceAll(':', '-')}Z.html`;
}

function writeHtmlReport(file: string, report: DemoReport): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, renderHtmlReport(report));
  } catch (error) {
    throw new UserError(`cannot write the HTML report to ${file}: ${(error as Error).message}`);
  }
}

interface DemoCommandOptions {
  scenario: string;
  timeout: string;
  /** A path, false with --no-html, undefined for the default path. */
  html?: string | false;
}

export function registerDemo(program: Command, io: CliIo): void {
  program
    .command('demo')
    .description(
      'Run a scenario on the embedded local cloud with the bootstrapper deployed on it, and report per account',
    )
    .option('--scenario <file>', 'scenario file', 'local/scenarios/demo.json')
    .option('--timeout <seconds>', 'give up after this many wall seconds', '600')
    .option('--html <file>', 'write the HTML timeline report here (default: reports/demo-<timestamp>.html)')
    .option('--no-html', 'do not write the HTML timeline report')
    .action(async (options: DemoCommandOptions, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const { scenario, config } = await loadScenario(
        options.scenario,
        globals.config ?? 'bootstrapper.config.json',
      );
      const timeoutSeconds = positiveSeconds(options.timeout, '--timeout');
      const bar = progress(io, 'executions', scenario.accounts.length);
      const started = Date.now();
      // On virtual time (timeScale 1) the demo takes a few wall seconds.
      const played = await onScenarioClock(scenario, async () => {
        const run = await runScenario({
          scenario,
          scenarioName: options.scenario,
          config,
          timeoutSeconds,
          // Executions, not accounts: a Control Tower vend also fires CreateAccountResult.
          onProgress: (finished, started) => bar.update(finished, started),
        });
        run.runtime.stop();
        await run.cloud.close();
        return run;
      });
      const { report } = played;
      bar.finish();
      const htmlFile = options.html === false ? undefined : (options.html ?? defaultHtmlFile(new Date()));
      if (htmlFile) writeHtmlReport(htmlFile, report);
      if (globals.json) {
        io.out(jsonEnvelope('demo', report.ok ? EXIT.ok : EXIT.notCompliant, { ...report }));
        // stdout stays pure JSON.
        if (htmlFile) io.err(`HTML report: ${htmlFile}`);
      } else {
        io.out(renderDemoReport(report));
        io.out(`Finished in ${((Date.now() - started) / 1000).toFixed(1)} wall seconds.`);
        if (htmlFile) io.out(`HTML report: ${htmlFile}`);
      }
      process.exitCode = report.ok ? EXIT.ok : EXIT.notCompliant;
    });
}
