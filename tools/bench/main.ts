import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { progressLines, stderrSink } from '#cli/progress.ts';
import { benchCommandLine } from './cli-args.ts';
import { quietPowertools } from './quiet.ts';

/**
 * npm run bench [-- --accounts N --regions R --faults none|light|soak --sweep-accounts N --no-sweep --json]
 * Exit codes: 0 done, 1 some account was not compliant or the sweep section found a violation
 * (a check sweep wrote, a repair left a reachable account non-compliant, a second repair found
 * drift or wrote, unexpected totals), 2 usage error.
 */
quietPowertools();
// After the environment is set: the handlers configure Powertools when they are imported.
const { formatBench, runBench } = await import('./bench.ts');
const { cdfChartSvg } = await import('./cdf-chart.ts');

/** Per-vend samples feed the chart; the JSON keeps the distributions. */
function stripSamples(key: string, value: unknown): unknown {
  return key === 'exposureSamples' ? undefined : value;
}
const { FAULT_PROFILES, isFaultProfile } = await import('./fault-profiles.ts');

const args = benchCommandLine(
  `npm run bench -- [--accounts N] [--regions R] [--faults ${Object.keys(FAULT_PROFILES).join('|')}] [--seed S] [--burst-accounts N] [--cold-runs N] [--sweep-accounts N] [--no-baseline] [--no-join-events] [--role-wait-curve] [--no-burst] [--no-bundles] [--no-sweep] [--json] [--out FILE.json] [--sweep-scale 1000,2500,5000,10000]`,
  {
    accounts: { type: 'string', description: 'vends to play (default 200)' },
    regions: { type: 'string', description: 'governed regions (default 4)' },
    faults: { type: 'string', description: 'fault profile (default none)' },
    seed: { type: 'string', description: 'random seed of the generated vends (default 42)' },
    'burst-accounts': { type: 'string', description: 'vends in the burst run (default 2000)' },
    out: { type: 'string', description: 'also write the JSON here, and the exposure CDF chart next to it' },
    'sweep-scale': {
      type: 'string',
      description: 'only the scale curve of the sweep, for these organization sizes',
    },
    'cold-runs': { type: 'string', description: 'cold starts measured per bundle (default 7)' },
    'no-baseline': { type: 'boolean', description: 'skip the AFT-style baseline run' },
    'no-join-events': {
      type: 'boolean',
      description: 'play the vends without their AccountJoinedOrganization events',
    },
    'role-wait-curve': {
      type: 'boolean',
      description: 'also measure calls per vend against overshoot for several wait schedules',
    },
    'no-burst': { type: 'boolean', description: 'skip the burst run' },
    'no-bundles': { type: 'boolean', description: 'skip the bundle sizes' },
    'no-sweep': { type: 'boolean', description: 'skip the sweep section' },
    'sweep-accounts': { type: 'string', description: 'accounts in the sweep section (default 500)' },
    json: { type: 'boolean', description: 'print the JSON report on stdout' },
  },
);
const faultsText = args.text('faults') ?? 'none';
const faults = isFaultProfile(faultsText)
  ? faultsText
  : args.usage(`--faults must be one of ${Object.keys(FAULT_PROFILES).join(', ')}`);
const json = args.flag('json');

const scale = args.text('sweep-scale');
if (scale !== undefined) {
  // Only the sweep's scale curve: one check sweep per organization size, on virtual time.
  const sizes = scale.split(',').map((n) => Number(n.trim()));
  if (sizes.length === 0 || sizes.some((n) => !Number.isInteger(n) || n < 1 || n > 10_000))
    args.usage('--sweep-scale takes account counts from 1 to 10000, comma-separated');
  const { formatSweepScaleCurve, runSweepScaleCurve } = await import('./sweep-scale-curve.ts');
  const scaleProgress = progressLines(stderrSink());
  const curve = await runSweepScaleCurve({
    sizes,
    regions: args.positiveInt('regions', 4),
    seed: args.positiveInt('seed', 42),
    progress: scaleProgress.line,
  });
  scaleProgress.finish();
  process.stdout.write(json ? `${JSON.stringify(curve, null, 2)}\n` : `${formatSweepScaleCurve(curve)}\n`);
  process.exit(curve.points.every((p) => p.status === 'SUCCEEDED') ? 0 : 1);
}

// A bar on a terminal; piped (CI), a line every few seconds.
const benchProgress = progressLines(stderrSink());
const result = await runBench({
  accounts: args.positiveInt('accounts', 200),
  regions: args.positiveInt('regions', 4),
  faults,
  seed: args.positiveInt('seed', 42),
  burstAccounts: args.positiveInt('burst-accounts', 2000),
  baseline: !args.flag('no-baseline'),
  burst: !args.flag('no-burst'),
  bundles: !args.flag('no-bundles'),
  sweep: !args.flag('no-sweep'),
  sweepAccounts: args.positiveInt('sweep-accounts', 500),
  coldRuns: args.positiveInt('cold-runs', 7),
  joinEvents: !args.flag('no-join-events'),
  roleWaitCurve: args.flag('role-wait-curve'),
  progress: benchProgress.line,
});
benchProgress.finish();
const { exposureSamples, ...report } = result;
const text = `${JSON.stringify(report, stripSamples, 2)}\n`;
const out = args.text('out');
if (out) {
  // The JSON, and next to it the exposure CDF of the four mechanisms on the same vends.
  mkdirSync(dirname(resolve(out)), { recursive: true });
  writeFileSync(out, text);
  if (exposureSamples) {
    const svg = `${out.replace(/\.json$/, '')}-exposure-cdf.svg`;
    writeFileSync(
      svg,
      cdfChartSvg(
        `Exposure of ${result.options.accounts} vends x ${result.options.regions} regions (seed ${result.options.seed})`,
        [
          { label: 'runas-bootstrapper', values: exposureSamples.bootstrapper },
          { label: 'AFT (first-minute polling, then its retrier)', values: exposureSamples.aftStyleWait },
          { label: 'StackSets auto-deployment (model)', values: exposureSamples.stackSets },
          { label: 'LZA Customizations alone (model)', values: exposureSamples.lzaCustomizations },
        ],
      ),
    );
    process.stderr.write(`wrote ${out} and ${svg}\n`);
  }
}
process.stdout.write(json ? text : `${formatBench(result)}\n`);
const compliant = result.bootstrapper.outcomes.accountsCompliant === result.bootstrapper.accounts;
process.exitCode = compliant && (result.sweep?.violations.length ?? 0) === 0 ? 0 : 1;
