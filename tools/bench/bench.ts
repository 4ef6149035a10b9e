import { cpus } from 'node:os';
import { type AnchorExposures, anchorExposures } from './anchors.ts';
import { BASELINES } from './baseline.ts';
import { type BundleFigures, measureBundles } from './bundles.ts';
import type { FaultProfileName } from './fault-profiles.ts';
import { STS_QUOTA_PER_SECOND } from './measure.ts';
import { type PlayedFigures, playGenerated } from './play.ts';
import { generateScenario } from './scenario-generator.ts';
import { type Distribution, distribution } from './stats.ts';
import { runSweepBench, type SweepBenchResult } from './sweep-bench.ts';

export { formatBench } from './bench-format.ts';

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

type Generated = ReturnType<typeof generateScenario>;
/** The progress callback of one run, by its label. */
type RunProgress = (label: string) => (finished: number, startedCount: number) => void;

/** The options as the result echoes them (without the progress callback). */
function echoedOptions(options: BenchOptions): BenchResult['options'] {
  return {
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
  };
}

/**
 * The same vends under AFT's wait (polling + retrier) and its retrier alone, our ratios to the
 * former, and the modelled anchors (StackSets, LZA Customizations).
 */
async function baselineFigures(
  generated: Generated,
  options: BenchOptions,
  bootstrapper: PlayedFigures,
  progress: RunProgress,
): Promise<Pick<BenchResult, 'baseline' | 'retrierBaseline' | 'ratios' | 'anchors' | 'exposureSamples'>> {
  const say = options.progress ?? (() => {});
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
  const retrierBaseline = await runBaseline('aft-retrier');
  const o = bootstrapper.roleWaitOvershootSeconds;
  const bo = baseline.roleWaitOvershootSeconds;
  const e = bootstrapper.exposureSeconds;
  const be = baseline.exposureSeconds;
  const models = anchorExposures(generated, options.seed);
  const anchors = {
    bootstrapper: e,
    aftStyleWait: be,
    stackSets: distribution(models.stackSets),
    lzaCustomizations: distribution(models.lzaCustomizations),
  };
  const versus = (d: Distribution) => ({ p50: ratio(e.p50, d.p50), p95: ratio(e.p95, d.p95) });
  return {
    baseline,
    retrierBaseline,
    ratios: {
      roleWaitOvershoot: { p50: ratio(o.p50, bo.p50), p95: ratio(o.p95, bo.p95), max: ratio(o.max, bo.max) },
      exposure: { p50: ratio(e.p50, be.p50), p95: ratio(e.p95, be.p95), max: ratio(e.max, be.max) },
    },
    anchors: {
      exposureSeconds: anchors,
      bootstrapperRatio: {
        aftStyleWait: versus(be),
        stackSets: versus(anchors.stackSets),
        lzaCustomizations: versus(anchors.lzaCustomizations),
      },
      models: models.models,
    },
    exposureSamples: {
      bootstrapper: bootstrapper.exposureSamples,
      aftStyleWait: baseline.exposureSamples,
      stackSets: models.stackSets,
      lzaCustomizations: models.lzaCustomizations,
    },
  };
}

/** Calls per vend against overshoot for each schedule of CURVE_SCHEDULES, one poller per vend. */
async function roleWaitCurve(options: BenchOptions, progress: RunProgress): Promise<CurvePoint[]> {
  const say = options.progress ?? (() => {});
  const points: CurvePoint[] = [];
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
    points.push({
      schedule: { ...schedule },
      callsPerVend: played.assumeRole.callsPerVend,
      roleWaitOvershootSeconds: played.roleWaitOvershootSeconds,
      exposureSeconds: played.exposureSeconds,
      awaitRoleAttempts: played.awaitRoleAttempts,
    });
  }
  return points;
}

/** Every vend at once, against the management account's STS quota. */
function burstRun(options: BenchOptions, progress: RunProgress): Promise<PlayedFigures> {
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
  return playGenerated(burst, { label: 'burst', onProgress: progress('burst') });
}

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
  const progress: RunProgress = (label) => (finished, startedCount) =>
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
    options: echoedOptions(options),
    bootstrapper,
    deniedPerStuckHour: await stuckHour(options),
    peakRssMb: 0,
    wallSeconds: 0,
  };
  if (options.baseline)
    Object.assign(result, await baselineFigures(generated, options, bootstrapper, progress));
  if (options.roleWaitCurve) result.roleWaitCurve = await roleWaitCurve(options, progress);
  if (options.burst) {
    say('burst run (every vend at once)');
    result.burst = await burstRun(options, progress);
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
