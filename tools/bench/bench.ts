import { cpus } from 'node:os';
import { table } from '#cli/text-table.ts';
import { type AnchorExposures, anchorExposures } from './anchors.ts';
import { BASELINES } from './baseline.ts';
import { type BundleFigures, measureBundles } from './bundles.ts';
import type { FaultProfileName } from './fault-profiles.ts';
import { STS_QUOTA_PER_SECOND } from './measure.ts';
import { type PlayedFigures, playGenerated } from './play.ts';
import { generateScenario } from './scenario-generator.ts';
import { type Distribution, distribution } from './stats.ts';
import { formatSweepBench, runSweepBench, type SweepBenchResult } from './sweep-bench.ts';

export interface BenchOptions {
  accounts: number;
  regions: number;
  faults: FaultProfileName;
  seed: number;
  baseline: boolean;
  burst: boolean;
  /** Vends in the burst run, all at once. */
  burstAccounts: number;
  bundles: boolean;
  /** The drift sweep on an organization of existing accounts (see sweep-bench.ts). */
  sweep: boolean;
  sweepAccounts: number;
  coldRuns: number;
  /** Each CreateAccount also logs its join (AWS does); off models one poller per vend (issue 22). */
  joinEvents: boolean;
  /** Calls per vend against overshoot for several role-wait schedules (one poller per vend). */
  roleWaitCurve: boolean;
  progress?: (line: string) => void;
}

/** The role-wait schedules of the curve: the fast interval is what trades calls for overshoot. */
export const CURVE_SCHEDULES = [
  { fastIntervalSeconds: 2 },
  { fastIntervalSeconds: 2.5 },
  { fastIntervalSeconds: 2.75 },
  { fastIntervalSeconds: 3 },
  { fastIntervalSeconds: 2.75, fallbackAfterSeconds: 30 },
] as const;

export interface CurvePoint {
  schedule: Record<string, number>;
  callsPerVend: Distribution;
  roleWaitOvershootSeconds: Distribution;
  exposureSeconds: Distribution;
  awaitRoleAttempts: Distribution;
}

export interface BenchResult {
  generatedAt: string;
  host: { node: string; cpus: number; cpuModel: string };
  options: Omit<BenchOptions, 'progress'>;
  bootstrapper: PlayedFigures;
  /**
   * AssumeRole calls of one account whose role never appears, over a one-hour wait
   * (roleWaitTimeoutMinutes 60, the attempt at the deadline included).
   */
  deniedPerStuckHour: { onePoller: number; withJoinPoller: number };
  /** AFT as it runs: first-minute polling, then its retrier (baseline.ts). */
  baseline?: PlayedFigures & { roleWait: Record<string, unknown> };
  /** AFT's retrier alone, the baseline before the polling was modelled. */
  retrierBaseline?: PlayedFigures & { roleWait: Record<string, unknown> };
  roleWaitCurve?: CurvePoint[];
  /** Our figure divided by the baseline's (same scenario, same seed). */
  ratios?: {
    roleWaitOvershoot: { p50: number; p95: number; max: number };
    exposure: { p50: number; p95: number; max: number };
  };
  /**
   * Exposure (join to RunAs in effect everywhere) of the same vends under the other mechanisms:
   * the AFT-style wait (a real run, `baseline`), StackSets auto-deployment and LZA's
   * Customizations alone (models, see anchors.ts), and our exposure as a fraction of each.
   */
  anchors?: {
    exposureSeconds: Record<
      'bootstrapper' | 'aftStyleWait' | 'stackSets' | 'lzaCustomizations',
      Distribution
    >;
    bootstrapperRatio: Record<
      'aftStyleWait' | 'stackSets' | 'lzaCustomizations',
      { p50: number; p95: number }
    >;
    models: AnchorExposures['models'];
  };
  burst?: PlayedFigures;
  bundles?: BundleFigures[];
  sweep?: SweepBenchResult;
  /** Peak RSS of the whole bench process (getrusage maxrss). */
  peakRssMb: number;
  wallSeconds: number;
  /** Exposure per vend for the CDF chart (bench/main.ts writes it next to the JSON, not in it). */
  exposureSamples?: Record<'bootstrapper' | 'aftStyleWait' | 'stackSets' | 'lzaCustomizations', number[]>;
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
    joinEvents: options.joinEvents,
  });
  const progress = (label: string) => (finished: number, startedCount: number) =>
    say(`${label}: ${finished}/${startedCount} executions finished of ${options.accounts} accounts`);

  // Virtual time (packages/local-cloud/src/virtual-time.ts): no warm-up needed, JIT and load cost no simulated time.
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
      baseline: options.baseline,
      burst: options.burst,
      burstAccounts: options.burstAccounts,
      bundles: options.bundles,
      sweep: options.sweep,
      sweepAccounts: options.sweepAccounts,
      coldRuns: options.coldRuns,
      joinEvents: options.joinEvents,
      roleWaitCurve: options.roleWaitCurve,
    },
    bootstrapper,
    deniedPerStuckHour: await stuckHour(options),
    peakRssMb: 0,
    wallSeconds: 0,
  };
  if (options.baseline) {
    const runBaseline = async (name: keyof typeof BASELINES) => {
      const spec = BASELINES[name];
      say(`baseline run (${spec.label})`);
      const figures = await playGenerated(generated, {
        label: `baseline-${name}`,
        transformDefinition: spec.transform,
        functionOverrides: { AwaitRoleFunctionArn: spec.awaitRole },
        onProgress: progress(name),
      });
      return { ...figures, roleWait: spec.retry };
    };
    const baseline = await runBaseline('aft');
    result.baseline = baseline;
    result.retrierBaseline = await runBaseline('aft-retrier');
    const o = bootstrapper.roleWaitOvershootSeconds;
    const bo = baseline.roleWaitOvershootSeconds;
    const e = bootstrapper.exposureSeconds;
    const be = baseline.exposureSeconds;
    result.ratios = {
      roleWaitOvershoot: { p50: ratio(o.p50, bo.p50), p95: ratio(o.p95, bo.p95), max: ratio(o.max, bo.max) },
      exposure: { p50: ratio(e.p50, be.p50), p95: ratio(e.p95, be.p95), max: ratio(e.max, be.max) },
    };
    const models = anchorExposures(generated, options.seed);
    const anchors = {
      bootstrapper: e,
      aftStyleWait: be,
      stackSets: distribution(models.stackSets),
      lzaCustomizations: distribution(models.lzaCustomizations),
    };
    const versus = (d: Distribution) => ({ p50: ratio(e.p50, d.p50), p95: ratio(e.p95, d.p95) });
    result.anchors = {
      exposureSeconds: anchors,
      bootstrapperRatio: {
        aftStyleWait: versus(be),
        stackSets: versus(anchors.stackSets),
        lzaCustomizations: versus(anchors.lzaCustomizations),
      },
      models: models.models,
    };
    result.exposureSamples = {
      bootstrapper: bootstrapper.exposureSamples,
      aftStyleWait: baseline.exposureSamples,
      stackSets: models.stackSets,
      lzaCustomizations: models.lzaCustomizations,
    };
  }
  if (options.roleWaitCurve) {
    result.roleWaitCurve = [];
    for (const schedule of CURVE_SCHEDULES) {
      say(`role-wait curve: ${JSON.stringify(schedule)}`);
      const curve = generateScenario({
        accounts: options.accounts,
        regions: options.regions,
        faults: options.faults,
        seed: options.seed,
        joinEvents: false,
        config: { roleWaitSchedule: schedule },
      });
      const played = await playGenerated(curve, { label: 'curve', onProgress: progress('curve') });
      result.roleWaitCurve.push({
        schedule: { ...schedule },
        callsPerVend: played.assumeRole.callsPerVend,
        roleWaitOvershootSeconds: played.roleWaitOvershootSeconds,
        exposureSeconds: played.exposureSeconds,
        awaitRoleAttempts: played.awaitRoleAttempts,
      });
    }
  }
  if (options.burst) {
    say('burst run (every vend at once)');
    const burst = generateScenario({
      accounts: options.burstAccounts,
      regions: options.regions,
      faults: options.faults,
      seed: options.seed,
      // A landing-zone-update-sized burst: every vend within a second, roles ready within one.
      meanVendGapSeconds: 1 / options.burstAccounts,
      createSeconds: 1,
      roleDelaySeconds: { min: 0, max: 1 },
      // A burst meets the STS request quota of the management account: enforce it.
      rateLimits: { 'sts:AssumeRole': { perSecond: STS_QUOTA_PER_SECOND, burst: STS_QUOTA_PER_SECOND } },
    });
    result.burst = await playGenerated(burst, { label: 'burst', onProgress: progress('burst') });
  }
  if (options.sweep) {
    say('sweep');
    result.sweep = await runSweepBench({
      accounts: options.sweepAccounts,
      regions: options.regions,
      seed: options.seed,
      timeScale: 1,
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

function dist2(d: { p50: number; p95: number }): string {
  return `${d.p50} / ${d.p95}`;
}

/** The human report. */
export function formatBench(result: BenchResult): string {
  const { bootstrapper: ours, baseline, ratios, burst, bundles, sweep, options } = result;
  const lines: string[] = [];
  lines.push(
    `bench: ${options.accounts} accounts x ${options.regions} regions, faults ${options.faults}, seed ${options.seed}, virtual time, AWS latency model (${result.host.cpus} CPUs, node ${result.host.node})`,
    '',
    'simulated seconds, p50 / p95 / max',
  );
  const retrier = result.retrierBaseline;
  const header = [
    '',
    'bootstrapper',
    ...(baseline ? ['AFT (polling + retrier)', 'ours / AFT'] : []),
    ...(retrier ? ["AFT's retrier alone"] : []),
  ];
  const rows: string[][] = [];
  const row = (label: string, pick: (f: PlayedFigures) => string, ratioText = '') =>
    rows.push([
      label,
      pick(ours),
      ...(baseline ? [pick(baseline), ratioText] : []),
      ...(retrier ? [pick(retrier)] : []),
    ]);
  row(
    'role-wait overshoot',
    (f) => dist(f.roleWaitOvershootSeconds),
    ratios ? dist(ratios.roleWaitOvershoot) : '',
  );
  row('exposure (VendToRunAs)', (f) => dist(f.exposureSeconds), ratios ? dist(ratios.exposure) : '');
  row('role assumable to verified', (f) => dist(f.assumableToVerifiedSeconds));
  row('AwaitRole attempts', (f) => dist(f.awaitRoleAttempts));
  row('AssumeRole calls per vend', (f) => dist(f.assumeRole.callsPerVend));
  row('compliant accounts', (f) => `${f.outcomes.accountsCompliant}/${f.accounts}`);
  lines.push(table(header, rows), '');
  if (result.anchors) {
    const a = result.anchors;
    lines.push(
      'exposure of the same vends under each mechanism, simulated seconds (p50 / p95 / max; ours as a fraction)',
    );
    lines.push(
      table(
        ['mechanism', 'exposure', 'bootstrapper / it (p50, p95)'],
        [
          ['bootstrapper', dist(a.exposureSeconds.bootstrapper), ''],
          [
            'AFT, first-minute polling then its retrier (run)',
            dist(a.exposureSeconds.aftStyleWait),
            dist2(a.bootstrapperRatio.aftStyleWait),
          ],
          [
            'StackSets auto-deployment (model)',
            dist(a.exposureSeconds.stackSets),
            dist2(a.bootstrapperRatio.stackSets),
          ],
          [
            'LZA Customizations alone (model)',
            dist(a.exposureSeconds.lzaCustomizations),
            dist2(a.bootstrapperRatio.lzaCustomizations),
          ],
        ],
      ),
      '',
    );
  }

  lines.push(
    `a role that never appears: ${result.deniedPerStuckHour.onePoller} denied AssumeRole calls in an hour with one poller per vend, ${result.deniedPerStuckHour.withJoinPoller} with the join's execution polling too`,
    '',
  );
  if (result.roleWaitCurve) {
    lines.push('role-wait schedules, one poller per vend (no join events): p50 / p95 / max');
    lines.push(
      table(
        ['schedule', 'AssumeRole per vend', 'overshoot', 'exposure', 'AwaitRole attempts'],
        result.roleWaitCurve.map((point) => [
          JSON.stringify(point.schedule),
          dist(point.callsPerVend),
          dist(point.roleWaitOvershootSeconds),
          dist(point.exposureSeconds),
          dist(point.awaitRoleAttempts),
        ]),
      ),
      '',
    );
  }
  lines.push('API calls per account-region (mean attempts, member account)');
  const ops = [...new Set(Object.values(ours.calls).flatMap((c) => Object.keys(c.perAccountRegion)))].sort();
  const callHeader = [
    'cohort',
    'n',
    ...ops.map((o) => o.replace(/^ssm:/, '')),
    'versions created (mean/max)',
  ];
  const callRows: string[][] = [];
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
  lines.push(table(callHeader, callRows));
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
    `AssumeRole per vend ${dist(ours.assumeRole.callsPerVend)}; busiest second ${ours.assumeRole.peakPerSecond}/s of an assumed ${ours.assumeRole.quotaPerSecond}/s STS quota (headroom x${ours.assumeRole.headroom})` +
      (burst
        ? `; burst: ${dist(burst.assumeRole.callsPerVend)} per vend, busiest second ${burst.assumeRole.peakPerSecond}/s (headroom x${burst.assumeRole.headroom})`
        : ''),
    `Lambda: ${ours.lambda.invocations} invocations, ${ours.lambda.coldStarts} cold starts, ${ours.lambda.throttled} refused by the 1,000 concurrency quota; ${ours.timersFired ?? 0} instants on the virtual clock`,
    `peak RSS: ${result.peakRssMb} MB (bootstrapper run ${ours.peakRssMb} MB); bench wall time ${result.wallSeconds} s`,
  );
  if (sweep) lines.push('', formatSweepBench(sweep));
  if (bundles) {
    lines.push(
      '',
      `Lambda bundles (esbuild, CDK settings; cold import = median of ${bundles[0]?.runs ?? 0} fresh node processes)`,
    );
    lines.push(
      table(
        ['handler', 'KB', 'map KB', 'import ms', 'process ms', 'largest parts (KB)'],
        bundles.map((b) => [
          b.handler,
          String(b.sizeKb),
          String(b.sourceMapKb),
          String(b.coldImportMs),
          String(b.coldProcessMs),
          Object.entries(b.largest)
            .map(([name, kb]) => `${name} ${kb}`)
            .join(', '),
        ]),
      ),
    );
  }
  return lines.join('\n');
}

/**
 * One vend whose role never appears, waited on for an hour: every AssumeRole it makes is denied.
 * Measured with the CreateAccount execution alone (one poller, issue 22) and with its join's too.
 */
async function stuckHour(options: BenchOptions): Promise<{ onePoller: number; withJoinPoller: number }> {
  const calls = async (joinEvents: boolean) => {
    const stuck = generateScenario({
      accounts: 1,
      regions: 1,
      faults: 'none',
      seed: options.seed,
      roleNeverAppears: true,
      joinEvents,
      config: { roleWaitTimeoutMinutes: 60 },
    });
    const played = await playGenerated(stuck, { label: 'stuck-hour' });
    return played.assumeRole.callsPerVend.max;
  };
  return { onePoller: await calls(false), withJoinPoller: await calls(true) };
}
