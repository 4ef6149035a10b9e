import { cpus } from 'node:os';
import { AFT_ROLE_WAIT, aftRoleWait } from './baseline.ts';
import { type BundleFigures, measureBundles } from './bundles.ts';
import type { FaultProfileName } from './fault-profiles.ts';
import { type PlayedFigures, playGenerated } from './play.ts';
import { generateScenario } from './scenario-generator.ts';
import { formatSweepBench, runSweepBench, type SweepBenchResult } from './sweep-bench.ts';

export interface BenchOptions {
  accounts: number;
  regions: number;
  faults: FaultProfileName;
  seed: number;
  timeScale: number;
  baseline: boolean;
  burst: boolean;
  bundles: boolean;
  /** The drift sweep on an organization of existing accounts (see sweep-bench.ts). */
  sweep: boolean;
  sweepAccounts: number;
  coldRuns: number;
  progress?: (line: string) => void;
}

export interface BenchResult {
  generatedAt: string;
  host: { node: string; cpus: number; cpuModel: string };
  options: Omit<BenchOptions, 'progress'>;
  bootstrapper: PlayedFigures;
  baseline?: PlayedFigures & { roleWaitRetrier: typeof AFT_ROLE_WAIT };
  /** Our figure divided by the baseline's (same scenario, same seed). */
  ratios?: {
    roleWaitOvershoot: { p50: number; p95: number; max: number };
    exposure: { p50: number; p95: number; max: number };
  };
  burst?: PlayedFigures;
  bundles?: BundleFigures[];
  sweep?: SweepBenchResult;
  /** Peak RSS of the whole bench process (getrusage maxrss). */
  peakRssMb: number;
  wallSeconds: number;
}

const ratio = (a: number, b: number) => Number((a / b).toFixed(3));

/** Play the generated scenario with the deployed ASL and with the AFT-style role wait, and more. */
export async function runBench(options: BenchOptions): Promise<BenchResult> {
  const started = performance.now();
  const say = options.progress ?? (() => {});
  const generated = generateScenario({
    accounts: options.accounts,
    regions: options.regions,
    faults: options.faults,
    seed: options.seed,
    timeScale: options.timeScale,
  });
  const progress = (label: string) => (finished: number, startedCount: number) =>
    say(`${label}: ${finished}/${startedCount} executions finished of ${options.accounts} accounts`);

  // Warm up first: module loading and JIT in the first wall second would otherwise inflate the
  // first accounts' simulated times (x 1/timeScale) in whichever run goes first.
  say('warm-up');
  await playGenerated(
    generateScenario({ accounts: 10, regions: options.regions, faults: 'none', seed: 1, timeScale: 0.01 }),
    { label: 'warm-up' },
  );
  say('bootstrapper run');
  const bootstrapper = await playGenerated(generated, {
    label: 'bootstrapper',
    onProgress: progress('bootstrapper'),
  });
  const result: BenchResult = {
    generatedAt: new Date().toISOString(),
    host: { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown' },
    options: {
      accounts: options.accounts,
      regions: options.regions,
      faults: options.faults,
      seed: options.seed,
      timeScale: options.timeScale,
      baseline: options.baseline,
      burst: options.burst,
      bundles: options.bundles,
      sweep: options.sweep,
      sweepAccounts: options.sweepAccounts,
      coldRuns: options.coldRuns,
    },
    bootstrapper,
    peakRssMb: 0,
    wallSeconds: 0,
  };
  if (options.baseline) {
    say('baseline run (AFT-style role wait)');
    const baseline = await playGenerated(generated, {
      label: 'baseline-aft-role-wait',
      transformDefinition: aftRoleWait,
      onProgress: progress('baseline'),
    });
    result.baseline = { ...baseline, roleWaitRetrier: AFT_ROLE_WAIT };
    const o = bootstrapper.roleWaitOvershootSeconds;
    const bo = baseline.roleWaitOvershootSeconds;
    const e = bootstrapper.exposureSeconds;
    const be = baseline.exposureSeconds;
    result.ratios = {
      roleWaitOvershoot: { p50: ratio(o.p50, bo.p50), p95: ratio(o.p95, bo.p95), max: ratio(o.max, bo.max) },
      exposure: { p50: ratio(e.p50, be.p50), p95: ratio(e.p95, be.p95), max: ratio(e.max, be.max) },
    };
  }
  if (options.burst) {
    say('burst run (every vend at once)');
    const burst = generateScenario({
      accounts: options.accounts,
      regions: options.regions,
      faults: options.faults,
      seed: options.seed,
      // Engine throughput, not waiting: every vend within a second, roles ready within one. In real
      // time, so that queueing in this one process cannot expire credentials or time out tasks.
      timeScale: 1,
      meanVendGapSeconds: 1 / options.accounts,
      createSeconds: 1,
      roleDelaySeconds: { min: 0, max: 1 },
    });
    result.burst = await playGenerated(burst, { label: 'burst', onProgress: progress('burst') });
  }
  if (options.sweep) {
    say('sweep');
    result.sweep = await runSweepBench({
      accounts: options.sweepAccounts,
      regions: options.regions,
      seed: options.seed,
      timeScale: options.timeScale,
      faults: options.faults,
      progress: say,
    });
  }
  if (options.bundles) {
    say('bundles');
    result.bundles = await measureBundles(options.coldRuns);
  }
  result.peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  result.wallSeconds = Number(((performance.now() - started) / 1000).toFixed(1));
  return result;
}

function dist(d: { p50: number; p95: number; max: number }): string {
  return `${d.p50} / ${d.p95} / ${d.max}`;
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ')).join('\n');
}

/** The human report. */
export function formatBench(result: BenchResult): string {
  const { bootstrapper: ours, baseline, ratios, burst, bundles, sweep, options } = result;
  const lines: string[] = [];
  lines.push(
    `bench: ${options.accounts} accounts x ${options.regions} regions, faults ${options.faults}, seed ${options.seed}, timeScale ${options.timeScale} (${result.host.cpus} CPUs, node ${result.host.node})`,
    '',
    'simulated seconds, p50 / p95 / max',
  );
  const rows = [['', 'bootstrapper', ...(baseline ? ['AFT-style wait', 'ratio'] : [])]];
  rows.push([
    'role-wait overshoot',
    dist(ours.roleWaitOvershootSeconds),
    ...(baseline && ratios ? [dist(baseline.roleWaitOvershootSeconds), dist(ratios.roleWaitOvershoot)] : []),
  ]);
  rows.push([
    'exposure (VendToRunAs)',
    dist(ours.exposureSeconds),
    ...(baseline && ratios ? [dist(baseline.exposureSeconds), dist(ratios.exposure)] : []),
  ]);
  rows.push([
    'role assumable to verified',
    dist(ours.assumableToVerifiedSeconds),
    ...(baseline ? [dist(baseline.assumableToVerifiedSeconds), ''] : []),
  ]);
  rows.push([
    'AwaitRole attempts',
    dist(ours.awaitRoleAttempts),
    ...(baseline ? [dist(baseline.awaitRoleAttempts), ''] : []),
  ]);
  rows.push([
    'compliant accounts',
    `${ours.outcomes.accountsCompliant}/${ours.accounts}`,
    ...(baseline ? [`${baseline.outcomes.accountsCompliant}/${baseline.accounts}`, ''] : []),
  ]);
  lines.push(table(rows), '');

  lines.push('API calls per account-region (mean attempts, member account)');
  const ops = [...new Set(Object.values(ours.calls).flatMap((c) => Object.keys(c.perAccountRegion)))].sort();
  const callRows = [
    ['cohort', 'n', ...ops.map((o) => o.replace(/^ssm:/, '')), 'versions created (mean/max)'],
  ];
  for (const [kind, cohort] of Object.entries(ours.calls)) {
    callRows.push([
      kind === 'missing'
        ? 'fresh (no document)'
        : kind === 'compliant'
          ? 'already compliant'
          : 'LZA logging doc',
      String(cohort.accountRegions),
      ...ops.map((o) => String(cohort.perAccountRegion[o] ?? 0)),
      `${cohort.versionsCreated.mean} / ${cohort.versionsCreated.max}`,
    ]);
  }
  lines.push(table(callRows));
  lines.push(
    `management account, per account: ${Object.entries(ours.managementCallsPerAccount)
      .map(([op, n]) => `${op} ${n}`)
      .join(', ')}`,
    '',
  );
  lines.push(
    `throughput: ${ours.accountsPerWallSecond} accounts/wall-s over the timeline (${ours.wallSeconds} s wall, ${ours.simulatedSeconds} s simulated)` +
      (burst
        ? `; burst of ${burst.accounts}: ${burst.accountsPerActiveWallSecond} accounts/wall-s (${burst.activeWallSeconds} s, ${burst.outcomes.accountsCompliant}/${burst.accounts} compliant)`
        : ''),
    `event-loop delay p50/p99/max (wall ms): ${dist({ p50: ours.eventLoopDelayMs.p50, p95: ours.eventLoopDelayMs.p99, max: ours.eventLoopDelayMs.max })}; x ${Math.round(1 / options.timeScale)} in simulated time`,
    `peak RSS: ${result.peakRssMb} MB (bootstrapper run ${ours.peakRssMb} MB); bench wall time ${result.wallSeconds} s`,
  );
  if (sweep) lines.push('', formatSweepBench(sweep));
  if (bundles) {
    lines.push(
      '',
      `Lambda bundles (esbuild, CDK settings; cold import = median of ${bundles[0]?.runs ?? 0} fresh node processes)`,
    );
    lines.push(
      table([
        ['handler', 'KB', 'map KB', 'import ms', 'process ms', 'largest parts (KB)'],
        ...bundles.map((b) => [
          b.handler,
          String(b.sizeKb),
          String(b.sourceMapKb),
          String(b.coldImportMs),
          String(b.coldProcessMs),
          Object.entries(b.largest)
            .map(([name, kb]) => `${name} ${kb}`)
            .join(', '),
        ]),
      ]),
    );
  }
  return lines.join('\n');
}
