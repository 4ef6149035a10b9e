import { startProgress, stderrSink } from '#cli/progress.ts';
import { benchCommandLine } from './cli-args.ts';
import { quietPowertools } from './quiet.ts';

/**
 * npm run soak [-- --accounts N --regions R --seed S --json]
 * 1,000 accounts x 3 regions under 10% throttling, 2% 5xx, 5% TooManyUpdates and random latency.
 * Exit codes: 0 every invariant held, 1 a violation, 2 usage error.
 */
quietPowertools();
const { runSoak } = await import('./soak.ts');

const args = benchCommandLine(
  'npm run soak -- [--accounts N] [--regions R] [--seed S] [--time-scale T] [--json]',
  {
    accounts: { type: 'string' },
    regions: { type: 'string' },
    seed: { type: 'string' },
    'time-scale': { type: 'string' },
    json: { type: 'boolean' },
  },
);
const accounts = args.positiveInt('accounts', 1000);

const started = performance.now();
// Executions, not accounts: a Control Tower vend also fires CreateAccountResult.
const soakProgress = startProgress(`soak of ${accounts} accounts, executions finished`, 0, stderrSink());
const result = await runSoak({
  accounts,
  regions: args.positiveInt('regions', 3),
  seed: args.positiveInt('seed', 7),
  timeScale: args.timeScale(),
  faults: 'soak',
  onProgress: (finished, startedCount) => soakProgress.update(finished, startedCount),
});
soakProgress.finish();
const wallSeconds = Number(((performance.now() - started) / 1000).toFixed(1));
const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);

if (args.flag('json')) {
  process.stdout.write(`${JSON.stringify({ ...result, wallSeconds, peakRssMb }, null, 2)}\n`);
} else {
  const f = result.figures;
  const lines = [
    `soak: ${f.accounts} accounts x ${f.regions} regions, faults soak (10% throttling, 2% 5xx, 5% TooManyUpdates, 0-20 ms latency), seed ${result.options.seed}, timeScale ${result.options.timeScale}`,
    `compliant accounts: ${f.outcomes.accountsCompliant}/${f.accounts}; regions compliant ${f.outcomes.regionsCompliant}, failed ${f.outcomes.regionsFailed}, refused ${f.outcomes.regionsRefused}`,
    `executions: ${f.outcomes.executions} (succeeded ${f.outcomes.executionsSucceeded}, failed ${f.outcomes.executionsFailed}, unfinished ${result.checks.executionsUnfinished})`,
    `documents compared with their seeds (latest and default): ${result.checks.documentsCompared}; most versions created in one region: ${result.checks.versionsCreatedMax}`,
    `faults injected: ${result.faults.injected} (${Object.entries(result.faults.byCode)
      .map(([code, n]) => `${code} ${n}`)
      .join(', ')})`,
    `ASL retries: ${Object.entries(result.aslRetries)
      .map(([state, n]) => `${state} ${n}`)
      .join(', ')}`,
    `exposure p50/p95/max: ${f.exposureSeconds.p50} / ${f.exposureSeconds.p95} / ${f.exposureSeconds.max} s simulated; role-wait overshoot ${f.roleWaitOvershootSeconds.p50} / ${f.roleWaitOvershootSeconds.p95} / ${f.roleWaitOvershootSeconds.max} s`,
    `wall ${wallSeconds} s, peak RSS ${peakRssMb} MB`,
    result.violations.length === 0
      ? 'OK: every invariant held'
      : `FAILED: ${result.violations.length} violation(s)\n  - ${result.violations.join('\n  - ')}`,
  ];
  if (Object.keys(result.failuresByError).length > 0) {
    lines.splice(
      2,
      0,
      `non-compliant regions by error: ${Object.entries(result.failuresByError)
        .map(([name, n]) => `${name} ${n}`)
        .join(', ')}`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
process.exitCode = result.violations.length === 0 ? 0 : 1;
