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
const { FAULT_PROFILES, isFaultProfile } = await import('./fault-profiles.ts');

const args = benchCommandLine(
  `npm run bench -- [--accounts N] [--regions R] [--faults ${Object.keys(FAULT_PROFILES).join('|')}] [--seed S] [--time-scale T] [--cold-runs N] [--sweep-accounts N] [--no-baseline] [--no-burst] [--no-bundles] [--no-sweep] [--json]`,
  {
    accounts: { type: 'string' },
    regions: { type: 'string' },
    faults: { type: 'string' },
    seed: { type: 'string' },
    'time-scale': { type: 'string' },
    'cold-runs': { type: 'string' },
    'no-baseline': { type: 'boolean' },
    'no-burst': { type: 'boolean' },
    'no-bundles': { type: 'boolean' },
    'no-sweep': { type: 'boolean' },
    'sweep-accounts': { type: 'string' },
    json: { type: 'boolean' },
  },
);
const faultsText = args.text('faults') ?? 'none';
const faults = isFaultProfile(faultsText)
  ? faultsText
  : args.usage(`--faults must be one of ${Object.keys(FAULT_PROFILES).join(', ')}`);
const json = args.flag('json');

const result = await runBench({
  accounts: args.positiveInt('accounts', 200),
  regions: args.positiveInt('regions', 4),
  faults,
  seed: args.positiveInt('seed', 42),
  timeScale: args.timeScale(),
  baseline: !args.flag('no-baseline'),
  burst: !args.flag('no-burst'),
  bundles: !args.flag('no-bundles'),
  sweep: !args.flag('no-sweep'),
  sweepAccounts: args.positiveInt('sweep-accounts', 500),
  coldRuns: args.positiveInt('cold-runs', 7),
  progress: (line) => {
    if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${line}`);
  },
});
if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
process.stdout.write(json ? `${JSON.stringify(result, null, 2)}\n` : `${formatBench(result)}\n`);
const compliant = result.bootstrapper.outcomes.accountsCompliant === result.bootstrapper.accounts;
process.exitCode = compliant && (result.sweep?.violations.length ?? 0) === 0 ? 0 : 1;
