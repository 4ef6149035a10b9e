import { parseArgs } from 'node:util';
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

function usage(message: string): never {
  process.stderr.write(
    `error: ${message}\nusage: npm run bench -- [--accounts N] [--regions R] [--faults ${Object.keys(FAULT_PROFILES).join('|')}] [--seed S] [--time-scale T] [--cold-runs N] [--sweep-accounts N] [--no-baseline] [--no-burst] [--no-bundles] [--no-sweep] [--json]\n`,
  );
  process.exit(2);
}

function positiveInt(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) usage(`--${name} must be a positive integer, got "${text}"`);
  return value;
}

let parsed: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    options: {
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
    strict: true,
  });
}
try {
  parsed = parse();
} catch (error) {
  usage((error as Error).message);
}
const { values } = parsed;
const faults = values.faults ?? 'none';
if (!isFaultProfile(faults)) usage(`--faults must be one of ${Object.keys(FAULT_PROFILES).join(', ')}`);
const timeScale = values['time-scale'] === undefined ? 0.02 : Number(values['time-scale']);
if (!(timeScale > 0 && timeScale <= 1)) usage('--time-scale must be in (0, 1]');
const json = values.json === true;

const result = await runBench({
  accounts: positiveInt('accounts', values.accounts, 200),
  regions: positiveInt('regions', values.regions, 4),
  faults,
  seed: positiveInt('seed', values.seed, 42),
  timeScale,
  baseline: values['no-baseline'] !== true,
  burst: values['no-burst'] !== true,
  bundles: values['no-bundles'] !== true,
  sweep: values['no-sweep'] !== true,
  sweepAccounts: positiveInt('sweep-accounts', values['sweep-accounts'], 500),
  coldRuns: positiveInt('cold-runs', values['cold-runs'], 7),
  progress: (line) => {
    if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${line}`);
  },
});
if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
process.stdout.write(json ? `${JSON.stringify(result, null, 2)}\n` : `${formatBench(result)}\n`);
const compliant = result.bootstrapper.outcomes.accountsCompliant === result.bootstrapper.accounts;
process.exitCode = compliant && (result.sweep?.violations.length ?? 0) === 0 ? 0 : 1;
