import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { errorMessage } from '#core/shared/error-text.ts';
import type { DemoReport } from '#local/report.ts';
import { type CliIo, EXIT, type GlobalOptions, jsonEnvelope, progress, UserError } from '../io.ts';
import { positiveSeconds } from '../options.ts';

/** `reports/demo-2026-05-04T10-20-30Z.html`: sortable, and safe in every file system. */
export function defaultHtmlFile(now: Date): string {
  return `reports/demo-${now.toISOString().slice(0, 19).replaceAll(':', '-')}Z.html`;
}

async function writeHtmlReport(file: string, report: DemoReport): Promise<void> {
  const { renderHtmlReport } = await import('#local/report-html.ts');
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, renderHtmlReport(report));
  } catch (error) {
    throw new UserError(`cannot write the HTML report to ${file}: ${errorMessage(error)}`);
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
      // The local cloud, the runtime and the handlers load only here, not for --help.
      const [{ loadScenario }, { onScenarioClock, runScenario }, { renderDemoReport, renderDemoStory }] =
        await Promise.all([
          import('../scenario-file.ts'),
          import('#local/demo.ts'),
          import('../demo-output.ts'),
        ]);
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
      if (htmlFile) await writeHtmlReport(htmlFile, report);
      if (globals.json) {
        io.out(jsonEnvelope('demo', report.ok ? EXIT.ok : EXIT.notCompliant, { ...report }));
        // stdout stays pure JSON.
        if (htmlFile) io.err(`HTML report: ${htmlFile}`);
      } else {
        io.out(renderDemoReport(report));
        io.out(`Finished in ${((Date.now() - started) / 1000).toFixed(1)} wall seconds.`);
        if (htmlFile) io.out(`HTML report: ${htmlFile}`);
        const { demoStory } = await import('#local/story.ts');
        io.out(`\n${renderDemoStory(demoStory(report))}`);
      }
      process.exitCode = report.ok ? EXIT.ok : EXIT.notCompliant;
    });
}
