import { runAsSetting } from '#core/config.ts';
import { isCompliant, parseDocument } from '#core/preferences.ts';
import type { SweepTotals } from '#core/sweep.ts';
import { table } from '#core/text-table.ts';
import { type LocalCloud, startLocalCloud } from '#local/cloud/server.ts';
import { realTimers, VirtualTime } from '#local/cloud/virtual-time.ts';
import { type ExecutionRecord, LocalRuntime, SWEEP_STATE_MACHINE } from '#local/runtime/runtime.ts';
import type { EventLog } from '#local/runtime/state-machine-events.ts';
import type { FaultProfileName } from './fault-profiles.ts';
import { BENCH_EPOCH_MS } from './play.ts';
import { type Distribution, distribution, RssSampler } from './stats.ts';
import {
  generateSweepOrganization,
  type SweepAccountKind,
  type SweepOrganization,
  type SweepRegionKind,
} from './sweep-scenario.ts';

export interface SweepBenchOptions {
  accounts: number;
  regions: number;
  seed: number;
  timeScale: number;
  faults: FaultProfileName;
  /** maxConcurrency of the check sweeps, in order. */
  checkConcurrency?: number[];
  /** maxConcurrency of both repair sweeps. */
  repairConcurrency?: number;
  /** Accounts per ListAccounts batch (one Distributed Map run each); the product's 200 by default. */
  batchSize?: number;
  suspended?: number;
  /** Wall seconds per sweep before giving up. */
  timeoutSeconds?: number;
  /** Run a small sweep on a throwaway cloud first (module loading and JIT). */
  warmUp?: boolean;
  progress?: (line: string) => void;
}

type CountedTotals = Omit<SweepTotals, 'findings'> & { findingsListed: number };
/** Totals fields the organization determines; a field the product does not report counts as 0. */
type ExpectedTotals = Record<string, number>;

export interface SweepCohortCalls {
  accountRegions: number;
  /** Mean calls per account-region in the member account, by IAM action name (failed attempts included). */
  perAccountRegion: Record<string, number>;
}

export interface SweepRunFigures {
  label: string;
  repair: boolean;
  maxConcurrency: number;
  status: string;
  error?: string;
  wallSeconds: number;
  /** Execution start to stop on the simulated clock (wall / timeScale: the sweep has no Wait state). */
  simulatedSeconds: number;
  accountsPerWallSecond: number;
  /** Most accounts (child executions) in flight at once, from the execution's iteration events. */
  peakConcurrency: number;
  mapRuns: number;
  /** Accounts each Distributed Map run iterated (one per ListAccounts batch). */
  accountsPerMapRun: number[];
  /** One account's child execution (role probe and every region), simulated seconds. */
  accountSeconds: Distribution;
  totals: CountedTotals;
  /** SSM Create/Update/UpdateDefaultVersion/Delete calls made during this sweep, in every account. */
  ssmWrites: number;
  /** Member-account calls per account-region, by what the region held before the first sweep. */
  calls: Partial<Record<SweepRegionKind, SweepCohortCalls>>;
  /** Management-account calls per visited account (AssumeRole, ListAccounts). */
  managementCallsPerAccount: Record<string, number>;
}

export interface SweepVersions {
  /** The most new versions any one account-region has after this sweep (all sweeps so far). */
  maxPerRegion: number;
  byKind: Partial<Record<SweepRegionKind, { mean: number; max: number }>>;
}

export interface SweepBenchResult {
  organization: {
    accounts: number;
    suspended: number;
    regions: string[];
    accountRegions: number;
    kinds: Record<SweepAccountKind, number>;
  };
  timeScale: number;
  faults: FaultProfileName;
  check: SweepRunFigures[];
  repair: SweepRunFigures & { versions: SweepVersions };
  repairAgain: SweepRunFigures & { versions: SweepVersions };
  /** What the generated organization implies for each sweep's totals; mismatches are violations. */
  expected: { check: ExpectedTotals; repair: ExpectedTotals; repairAgain: ExpectedTotals };
  ratios: {
    /** Wall seconds of the check sweep at the lowest concurrency over the one at the highest. */
    checkSpeedup: number;
    /** Repair wall over check wall at the same concurrency. */
    repairOverCheck: number | null;
    /** Second repair (nothing to do) over the first. */
    repairAgainOverRepair: number;
    /** Peak concurrency over maxConcurrency, per sweep in run order. */
    peakOverMax: number[];
    /** Median account seconds at the highest check concurrency over the lowest (queueing in one process). */
    accountP50HighOverLow: number;
  };
  compliance: {
    /** Account-regions that must be compliant after the repair: reachable and not foreign. */
    accountRegionsChecked: number;
    /** Accounts that are neither refused (foreign) nor without a role and still have a non-compliant region. */
    nonCompliantAccounts: number;
    nonCompliantSample: string[];
    /** Foreign documents still exactly their seed (one version, never written). */
    foreignIntact: number;
    foreignTotal: number;
  };
  violations: string[];
  peakRssMb: number;
  wallSeconds: number;
}

const round = (value: number, digits = 2) => Number(value.toFixed(digits));
const ratio = (a: number, b: number) => (b > 0 ? round(a / b, 3) : Number.NaN);

/** Kept away from the SDK's read calls: anything in SSM that is not a Get, Describe or List. */
function isSsmWrite(operation: string): boolean {
  return operation.startsWith('ssm:') && !/^ssm:(Get|Describe|List)/.test(operation);
}

type CallCounts = Map<string, { accountId: string; region: string; operation: string; count: number }>;

function callCounts(cloud: LocalCloud): CallCounts {
  const counts: CallCounts = new Map();
  for (const c of cloud.state.calls()) {
    counts.set(`${c.accountId}|${c.region}|${c.operation}`, {
      accountId: c.accountId,
      region: c.region,
      operation: c.operation,
      count: c.count,
    });
  }
  return counts;
}

function callDelta(before: CallCounts, after: CallCounts): CallCounts {
  const delta: CallCounts = new Map();
  for (const [key, c] of after) {
    const count = c.count - (before.get(key)?.count ?? 0);
    if (count > 0) delta.set(key, { ...c, count });
  }
  return delta;
}

const ends = (e: EventLog) => (e.type === 'MapIterationStarted' ? 1 : 0);
const isIterationEnd = (e: EventLog) => e.type === 'MapIterationSucceeded' || e.type === 'MapIterationFailed';

/** The account iterations of the sweep's Distributed Map, ordered by time, an end before a start on ties. */
function accountIterations(record: ExecutionRecord): EventLog[] {
  return record.events
    .filter((e) => e.parentState?.name === 'SweepAccounts' && e.type.startsWith('MapIteration'))
    .sort((a, b) => a.timestamp - b.timestamp || ends(a) - ends(b));
}

export function peakConcurrency(record: ExecutionRecord): number {
  let running = 0;
  let peak = 0;
  for (const event of accountIterations(record)) {
    if (event.type === 'MapIterationStarted') running += 1;
    if (isIterationEnd(event)) running -= 1;
    peak = Math.max(peak, running);
  }
  return peak;
}

/** Wall milliseconds per account, keyed by the item the iteration ran (its account id). */
function accountDurationsMs(record: ExecutionRecord): number[] {
  const started = new Map<string, number>();
  const durations: number[] = [];
  for (const event of accountIterations(record)) {
    const input = event.parentState?.input as { page?: { accountIds?: string[] } } | undefined;
    const accountId = input?.page?.accountIds?.[event.index ?? -1];
    if (!accountId) continue;
    if (event.type === 'MapIterationStarted') started.set(accountId, event.timestamp);
    else if (isIterationEnd(event) && started.has(accountId)) {
      durations.push(event.timestamp - started.get(accountId)!);
      started.delete(accountId);
    }
  }
  return durations;
}

function countedTotals(totals: SweepTotals | undefined): CountedTotals {
  const { findings = [], ...rest } = totals ?? ({} as SweepTotals);
  return { ...rest, findingsListed: findings.length };
}

function cohortCalls(
  org: SweepOrganization,
  delta: CallCounts,
): Partial<Record<SweepRegionKind, SweepCohortCalls>> {
  const byAccountRegion = new Map<string, Map<string, number>>();
  for (const c of delta.values()) {
    const key = `${c.accountId}|${c.region}`;
    let ops = byAccountRegion.get(key);
    if (!ops) {
      ops = new Map();
      byAccountRegion.set(key, ops);
    }
    ops.set(c.operation, (ops.get(c.operation) ?? 0) + c.count);
  }
  const sums = new Map<SweepRegionKind, { n: number; ops: Map<string, number> }>();
  for (const account of org.accounts) {
    for (const region of org.regions) {
      const kind = account.regions[region] ?? 'missing';
      let sum = sums.get(kind);
      if (!sum) {
        sum = { n: 0, ops: new Map() };
        sums.set(kind, sum);
      }
      sum.n += 1;
      for (const [op, count] of byAccountRegion.get(`${account.accountId}|${region}`) ?? []) {
        sum.ops.set(op, (sum.ops.get(op) ?? 0) + count);
      }
    }
  }
  const order: SweepRegionKind[] = ['compliant', 'lza-logging', 'missing', 'foreign', 'no-role'];
  return Object.fromEntries(
    order
      .filter((kind) => sums.has(kind))
      .map((kind) => {
        const sum = sums.get(kind)!;
        return [
          kind,
          {
            accountRegions: sum.n,
            perAccountRegion: Object.fromEntries(
              [...sum.ops.entries()]
                .sort(([a], [b]) => a.localeCompare(b))
                .map(([op, n]) => [op, round(n / sum.n)]),
            ),
          },
        ];
      }),
  );
}

function versionsCreated(org: SweepOrganization, cloud: LocalCloud): SweepVersions {
  const byKind = new Map<SweepRegionKind, number[]>();
  for (const account of org.accounts) {
    for (const region of org.regions) {
      const kind = account.regions[region] ?? 'missing';
      const doc = cloud.state.document(account.accountId, region);
      const created = doc ? doc.versions.filter((v) => v.writer !== 'scenario').length : 0;
      byKind.set(kind, [...(byKind.get(kind) ?? []), created]);
    }
  }
  const all = [...byKind.values()].flat();
  return {
    maxPerRegion: Math.max(0, ...all),
    byKind: Object.fromEntries(
      [...byKind.entries()].map(([kind, values]) => [
        kind,
        { mean: round(values.reduce((s, v) => s + v, 0) / values.length), max: Math.max(0, ...values) },
      ]),
    ),
  };
}

/** Reachable, non-foreign account-regions must hold a compliant default version; foreign ones their seed. */
function complianceAfterRepair(org: SweepOrganization, cloud: LocalCloud): SweepBenchResult['compliance'] {
  const runAs = runAsSetting(org.config);
  const bad = new Set<string>();
  const sample: string[] = [];
  let checked = 0;
  let foreignIntact = 0;
  let foreignTotal = 0;
  for (const account of org.accounts) {
    if (account.kind === 'no-role') continue;
    for (const region of org.regions) {
      const doc = cloud.state.document(account.accountId, region);
      if (account.regions[region] === 'foreign') {
        foreignTotal += 1;
        if (doc?.versions.length === 1 && doc.versions[0]?.writer === 'scenario') foreignIntact += 1;
        continue;
      }
      checked += 1;
      const content = doc?.versions.find((v) => v.version === doc.defaultVersion)?.content;
      let ok = false;
      try {
        ok = content !== undefined && isCompliant(parseDocument(content), runAs);
      } catch {
        ok = false;
      }
      if (!ok) {
        bad.add(account.accountId);
        if (sample.length < 10) sample.push(`${account.accountId}/${region} (${account.regions[region]})`);
      }
    }
  }
  return {
    accountRegionsChecked: checked,
    nonCompliantAccounts: bad.size,
    nonCompliantSample: sample,
    foreignIntact,
    foreignTotal,
  };
}

function expectedTotals(org: SweepOrganization): SweepBenchResult['expected'] {
  const k = org.counts;
  const r = org.regions.length;
  const base = {
    accountsChecked: org.accounts.length,
    regionsRefused: k.foreign,
    regionsFailed: 0,
    accountsRoleUnavailable: k['no-role'],
    accountsFailed: 0,
    batchesFailed: 0,
    accountsUnswept: 0,
    skippedInactive: org.suspended.length,
    // The management account is always skipped.
    skippedExcluded: 1,
  };
  const drift = (k['lza-logging'] + k.missing) * r;
  return {
    check: { ...base, accountsCompliant: k.compliant, driftDetected: drift, driftRepaired: 0 },
    repair: { ...base, accountsCompliant: k.compliant, driftDetected: drift, driftRepaired: drift },
    repairAgain: {
      ...base,
      accountsCompliant: k.compliant + k['lza-logging'] + k.missing,
      driftDetected: 0,
      driftRepaired: 0,
    },
  };
}

function mismatches(label: string, actual: CountedTotals, expected: ExpectedTotals): string[] {
  const reported = actual as unknown as Record<string, number | undefined>;
  return Object.entries(expected)
    .filter(([key, value]) => (reported[key] ?? 0) !== value)
    .map(([key, value]) => `${label}: ${key} ${reported[key]}, expected ${value}`);
}

interface SweepEnv {
  org: SweepOrganization;
  cloud: LocalCloud;
  runtime: LocalRuntime;
  /**
   * Replace the runtime (the deployed product) on the same cloud: fresh handler dependencies, so
   * no member session cached by the previous sweep. Scheduled sweeps run a day apart, far beyond
   * the sessions' 15 minutes; without this, a sweep right after another skips most AssumeRoles.
   */
  redeploy(): Promise<void>;
  close(): Promise<void>;
}

async function startSweepEnv(org: SweepOrganization, batchSize?: number): Promise<SweepEnv> {
  const cloud = await startLocalCloud({ port: 0, scenario: org.scenario, config: org.config });
  const deploy = () =>
    LocalRuntime.start({
      host: cloud,
      config: org.config,
      managementAccountId: org.scenario.managementAccountId,
      homeRegion: org.scenario.homeRegion,
      ...(batchSize ? { sweepBatchSize: batchSize } : {}),
    });
  const env: SweepEnv = {
    org,
    cloud,
    runtime: await deploy(),
    async redeploy() {
      env.runtime.stop();
      await env.runtime.whenIdle();
      env.runtime = await deploy();
    },
    async close() {
      env.runtime.stop();
      await env.runtime.whenIdle();
      await cloud.close();
    },
  };
  cloud.startTimeline();
  return env;
}

async function runSweep(
  env: SweepEnv,
  label: string,
  input: { repair: boolean; maxConcurrency: number },
  options: { timeoutSeconds: number; say: (line: string) => void },
): Promise<SweepRunFigures> {
  await env.redeploy();
  const { org, cloud, runtime } = env;
  const before = callCounts(cloud);
  const started = performance.now();
  const record = runtime.startExecution(SWEEP_STATE_MACHINE, input, { name: `bench-${label}` });
  // Wall-time progress and deadline: real timers, whichever clock the cloud runs on.
  const ticker = realTimers.setInterval(() => {
    const finished = record.events.filter(
      (e) => e.parentState?.name === 'SweepAccounts' && isIterationEnd(e),
    ).length;
    options.say(`sweep ${label}: ${finished}/${org.accounts.length} accounts`);
  }, 250);
  ticker.unref();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      record.done,
      new Promise((_, reject) => {
        timer = realTimers.setTimeout(
          () => reject(new Error(`sweep ${label} did not finish within ${options.timeoutSeconds} s`)),
          options.timeoutSeconds * 1000,
        );
        timer.unref();
      }),
    ]);
  } finally {
    realTimers.clearInterval(ticker);
    realTimers.clearTimeout(timer);
  }
  const wallSeconds = (performance.now() - started) / 1000;
  const delta = callDelta(before, callCounts(cloud));
  const management = org.scenario.managementAccountId;
  const managementOps = new Map<string, number>();
  let ssmWrites = 0;
  for (const c of delta.values()) {
    if (isSsmWrite(c.operation)) ssmWrites += c.count;
    if (c.accountId === management)
      managementOps.set(c.operation, (managementOps.get(c.operation) ?? 0) + c.count);
  }
  const output = record.output as { totals?: SweepTotals } | undefined;
  const mapRuns = runtime.mapRuns(record);
  const accounts = org.accounts.length;
  const simulatedMs = (record.stopDate?.getTime() ?? Number.NaN) - record.startDate.getTime();
  return {
    label,
    repair: input.repair,
    maxConcurrency: input.maxConcurrency,
    status: record.status,
    ...(record.error ? { error: `${record.error}: ${record.cause ?? ''}`.slice(0, 200) } : {}),
    wallSeconds: round(wallSeconds),
    simulatedSeconds: round(simulatedMs / 1000, 1),
    accountsPerWallSecond: round(accounts / wallSeconds, 1),
    peakConcurrency: peakConcurrency(record),
    mapRuns: mapRuns.length,
    accountsPerMapRun: mapRuns.map((run) => run.description.itemCounts?.total ?? 0),
    accountSeconds: distribution(
      accountDurationsMs(record).map((ms) => ms / 1000 / cloud.clock.timeScale),
      2,
    ),
    totals: countedTotals(output?.totals),
    ssmWrites,
    calls: cohortCalls(org, delta),
    managementCallsPerAccount: Object.fromEntries(
      [...managementOps.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([op, n]) => [op, round(n / accounts, 3)]),
    ),
  };
}

/** Module loading and JIT of the sweep's handlers and the Distributed Map path, on a throwaway cloud. */
async function warmUp(options: SweepBenchOptions): Promise<void> {
  const org = generateSweepOrganization({
    accounts: 12,
    regions: options.regions,
    seed: 1,
    timeScale: options.timeScale,
    faults: 'none',
    suspended: 1,
  });
  const env = await startSweepEnv(org);
  try {
    const quiet = { timeoutSeconds: 120, say: () => {} };
    await runSweep(env, 'warm-up-check', { repair: false, maxConcurrency: 4 }, quiet);
    await runSweep(env, 'warm-up-repair', { repair: true, maxConcurrency: 4 }, quiet);
  } finally {
    await env.close();
  }
}

/**
 * The drift sweep on one organization of existing accounts: check sweeps at each concurrency,
 * a repair sweep, and a second repair sweep that must find nothing and write nothing.
 */
export async function runSweepBench(options: SweepBenchOptions): Promise<SweepBenchResult> {
  // timeScale 1 plays on virtual time (local/cloud/virtual-time.ts): no warm-up, no load in the figures.
  if (options.timeScale !== 1) return sweepBench(options);
  const time = VirtualTime.install({ seed: options.seed, startMs: BENCH_EPOCH_MS });
  try {
    return await sweepBench({ ...options, warmUp: false });
  } finally {
    await time.uninstall();
  }
}

async function sweepBench(options: SweepBenchOptions): Promise<SweepBenchResult> {
  const started = performance.now();
  const say = options.progress ?? (() => {});
  const checkConcurrency = options.checkConcurrency ?? [10, 40];
  const repairConcurrency = options.repairConcurrency ?? 40;
  const timeoutSeconds = options.timeoutSeconds ?? 1800;
  if (options.warmUp !== false) {
    say('sweep warm-up');
    await warmUp(options);
  }
  const rss = new RssSampler();
  const org = generateSweepOrganization({
    accounts: options.accounts,
    regions: options.regions,
    seed: options.seed,
    timeScale: options.timeScale,
    faults: options.faults,
    ...(options.suspended !== undefined ? { suspended: options.suspended } : {}),
  });
  const env = await startSweepEnv(org, options.batchSize);
  const run = (label: string, repair: boolean, maxConcurrency: number) =>
    runSweep(env, label, { repair, maxConcurrency }, { timeoutSeconds, say });
  try {
    const check: SweepRunFigures[] = [];
    for (const concurrency of checkConcurrency) {
      check.push(await run(`check-${concurrency}`, false, concurrency));
    }
    const repairRun = await run(`repair-${repairConcurrency}`, true, repairConcurrency);
    const repair = { ...repairRun, versions: versionsCreated(org, env.cloud) };
    const compliance = complianceAfterRepair(org, env.cloud);
    const againRun = await run(`repair-again-${repairConcurrency}`, true, repairConcurrency);
    const repairAgain = { ...againRun, versions: versionsCreated(org, env.cloud) };
    const expected = expectedTotals(org);

    const violations: string[] = [];
    for (const figures of [...check, repair, repairAgain]) {
      if (figures.status !== 'SUCCEEDED')
        violations.push(`${figures.label}: ${figures.status} ${figures.error ?? ''}`.trim());
      if (figures.peakConcurrency > figures.maxConcurrency)
        violations.push(
          `${figures.label}: ${figures.peakConcurrency} accounts at once, maxConcurrency ${figures.maxConcurrency}`,
        );
    }
    for (const figures of check) {
      if (figures.ssmWrites > 0)
        violations.push(`${figures.label}: check mode made ${figures.ssmWrites} SSM writes`);
      violations.push(...mismatches(figures.label, figures.totals, expected.check));
    }
    violations.push(...mismatches(repair.label, repair.totals, expected.repair));
    violations.push(...mismatches(repairAgain.label, repairAgain.totals, expected.repairAgain));
    if (compliance.nonCompliantAccounts > 0)
      violations.push(
        `after ${repair.label}: ${compliance.nonCompliantAccounts} reachable, non-refused accounts not compliant (${compliance.nonCompliantSample.join(', ')})`,
      );
    if (compliance.foreignIntact !== compliance.foreignTotal)
      violations.push(
        `after ${repair.label}: ${compliance.foreignTotal - compliance.foreignIntact} foreign documents changed`,
      );
    if (repairAgain.ssmWrites > 0)
      violations.push(`${repairAgain.label}: not idempotent, ${repairAgain.ssmWrites} SSM writes`);
    if (repair.versions.maxPerRegion > 1)
      violations.push(`${repair.label}: ${repair.versions.maxPerRegion} new versions in one region`);

    const low = check[0];
    const high = check.at(-1);
    const sameConcurrencyCheck = check.find((c) => c.maxConcurrency === repairConcurrency);
    return {
      organization: {
        accounts: org.accounts.length,
        suspended: org.suspended.length,
        regions: org.regions,
        accountRegions: org.accounts.length * org.regions.length,
        kinds: org.counts,
      },
      timeScale: options.timeScale,
      faults: options.faults,
      check,
      repair,
      repairAgain,
      expected,
      ratios: {
        checkSpeedup: low && high ? ratio(low.wallSeconds, high.wallSeconds) : Number.NaN,
        repairOverCheck: sameConcurrencyCheck
          ? ratio(repair.wallSeconds, sameConcurrencyCheck.wallSeconds)
          : null,
        repairAgainOverRepair: ratio(repairAgain.wallSeconds, repair.wallSeconds),
        peakOverMax: [...check, repair, repairAgain].map((f) => ratio(f.peakConcurrency, f.maxConcurrency)),
        accountP50HighOverLow:
          low && high ? ratio(high.accountSeconds.p50, low.accountSeconds.p50) : Number.NaN,
      },
      compliance,
      violations,
      peakRssMb: rss.stop(),
      wallSeconds: round((performance.now() - started) / 1000, 1),
    };
  } finally {
    rss.stop();
    await env.close();
  }
}

const COHORT_NAMES: Record<SweepRegionKind, string> = {
  compliant: 'already compliant',
  'lza-logging': 'LZA logging doc',
  missing: 'missing',
  foreign: 'foreign doc (refused)',
  'no-role': 'no member role',
};

/** The human block for the sweep section. */
export function formatSweepBench(result: SweepBenchResult): string {
  const { organization: org, check, repair, repairAgain, ratios, compliance } = result;
  const k = org.kinds;
  const lines: string[] = [
    `sweep: ${org.accounts} existing accounts x ${org.regions.length} regions (+${org.suspended} suspended), map runs of ${check[0]?.accountsPerMapRun.join(' + ') ?? '?'} accounts, faults ${result.faults}`,
    `  mix: ${k.compliant} compliant, ${k['lza-logging']} LZA logging (RunAs off), ${k.missing} missing, ${k.foreign} with a foreign doc in one region, ${k['no-role']} without a member role`,
    '',
  ];
  const runs = [...check, repair, repairAgain];
  const dist = (d: Distribution) => `${d.p50} / ${d.p95} / ${d.max}`;
  lines.push(
    table(
      [
        'sweep',
        'max conc',
        'peak',
        'wall s',
        'sim s',
        'accounts/wall-s',
        'account sim s p50/p95/max',
        'compliant',
        'drift',
        'repaired',
        'refused',
        'failed',
        'no role',
        'SSM writes',
      ],
      runs.map((f) => [
        f.status === 'SUCCEEDED' ? f.label : `${f.label} (${f.status})`,
        String(f.maxConcurrency),
        String(f.peakConcurrency),
        String(f.wallSeconds),
        String(f.simulatedSeconds),
        String(f.accountsPerWallSecond),
        dist(f.accountSeconds),
        `${f.totals.accountsCompliant}/${f.totals.accountsChecked}`,
        String(f.totals.driftDetected),
        String(f.totals.driftRepaired),
        String(f.totals.regionsRefused),
        String(f.totals.regionsFailed),
        String(f.totals.accountsRoleUnavailable),
        String(f.ssmWrites),
      ]),
    ),
    '',
  );
  const ops = [
    ...new Set(Object.values(repair.calls).flatMap((c) => Object.keys(c?.perAccountRegion ?? {}))),
  ].sort();
  lines.push(`SSM calls per account-region in the repair sweep (${repair.label}), and versions created`);
  lines.push(
    table(
      ['region held', 'n', ...ops.map((o) => o.replace(/^ssm:/, '')), 'versions (mean/max)'],
      Object.entries(repair.calls).map(([kind, cohort]) => [
        COHORT_NAMES[kind as SweepRegionKind],
        String(cohort?.accountRegions ?? 0),
        ...ops.map((o) => String(cohort?.perAccountRegion[o] ?? 0)),
        `${repair.versions.byKind[kind as SweepRegionKind]?.mean ?? 0} / ${repair.versions.byKind[kind as SweepRegionKind]?.max ?? 0}`,
      ]),
    ),
  );
  lines.push(
    `management account per account (repair): ${Object.entries(repair.managementCallsPerAccount)
      .map(([op, n]) => `${op} ${n}`)
      .join(', ')}`,
    `ratios: check x${ratios.checkSpeedup} faster at ${check.at(-1)?.maxConcurrency} than at ${check[0]?.maxConcurrency} (account p50 x${ratios.accountP50HighOverLow}); repair / check ${ratios.repairOverCheck ?? 'n/a'}; second repair / first ${ratios.repairAgainOverRepair}; peak / max ${ratios.peakOverMax.join(', ')}`,
    `after repair: ${compliance.nonCompliantAccounts === 0 ? 'every' : `NOT every (${compliance.nonCompliantAccounts} accounts)`} reachable account-region compliant (${compliance.accountRegionsChecked} checked), ${compliance.foreignIntact}/${compliance.foreignTotal} foreign documents untouched, at most ${repair.versions.maxPerRegion} new version per region; second repair: ${repairAgain.totals.driftDetected} drift, ${repairAgain.ssmWrites} writes`,
    `sweep section: ${result.wallSeconds} s wall, peak RSS ${result.peakRssMb} MB; ${result.violations.length === 0 ? 'no violations' : `VIOLATIONS:\n  ${result.violations.join('\n  ')}`}`,
  );
  return lines.join('\n');
}

export interface SweepScalePoint {
  accounts: number;
  accountRegions: number;
  status: string;
  wallSeconds: number;
  simulatedSeconds: number;
  /** Wall milliseconds of this machine per account: the local engine's cost, which must stay flat. */
  wallMsPerAccount: number;
  /** Resident memory at the start of the point, its peak during the sweep, and the peak's growth per account. */
  rssStartMb: number;
  peakRssMb: number;
  rssKbPerAccount: number;
  drift: number;
}

export interface SweepScaleCurve {
  regions: number;
  maxConcurrency: number;
  points: SweepScalePoint[];
  /** Wall ms per account at the largest size over the smallest: about 1 when the cost is flat. */
  costRatioLargestToSmallest: number;
}

/**
 * One check sweep per organization size, each on a fresh cloud under virtual time, with its
 * wall cost and memory per account: the curve that shows whether the cost per account stays
 * flat as the organization grows (10,000 accounts x 4 regions at the top by default).
 */
export async function runSweepScaleCurve(options: {
  sizes: number[];
  regions: number;
  seed: number;
  maxConcurrency?: number;
  progress?: (line: string) => void;
}): Promise<SweepScaleCurve> {
  const maxConcurrency = options.maxConcurrency ?? 40;
  const points: SweepScalePoint[] = [];
  for (const accounts of options.sizes) {
    options.progress?.(`sweep scale: ${accounts} accounts`);
    const time = VirtualTime.install({ seed: options.seed, startMs: BENCH_EPOCH_MS });
    const rssStart = process.memoryUsage().rss;
    const rss = new RssSampler(50);
    try {
      const org = generateSweepOrganization({
        accounts,
        regions: options.regions,
        seed: options.seed,
        timeScale: 1,
        faults: 'none',
      });
      const env = await startSweepEnv(org);
      try {
        const figures = await runSweep(
          env,
          `scale-${accounts}`,
          { repair: false, maxConcurrency },
          { timeoutSeconds: 3600, say: options.progress ?? (() => {}) },
        );
        const peak = rss.stop();
        points.push({
          accounts,
          accountRegions: accounts * options.regions,
          status: figures.status,
          wallSeconds: figures.wallSeconds,
          simulatedSeconds: figures.simulatedSeconds,
          wallMsPerAccount: round((figures.wallSeconds * 1000) / accounts, 1),
          rssStartMb: Math.round(rssStart / 1024 / 1024),
          peakRssMb: peak,
          rssKbPerAccount: round((peak * 1024 * 1024 - rssStart) / 1024 / accounts, 1),
          drift: figures.totals.driftDetected,
        });
      } finally {
        await env.close();
      }
    } finally {
      rss.stop();
      await time.uninstall();
    }
  }
  const first = points[0];
  const last = points.at(-1);
  return {
    regions: options.regions,
    maxConcurrency,
    points,
    costRatioLargestToSmallest:
      first && last ? round(last.wallMsPerAccount / first.wallMsPerAccount, 2) : Number.NaN,
  };
}

export function formatSweepScaleCurve(curve: SweepScaleCurve): string {
  return [
    `sweep scale curve: check sweeps, ${curve.regions} regions, max concurrency ${curve.maxConcurrency}, virtual time`,
    table(
      [
        'accounts',
        'account-regions',
        'status',
        'wall s',
        'sim s',
        'wall ms/account',
        'RSS start/peak MB',
        'RSS KB/account',
        'drift',
      ],
      curve.points.map((p) => [
        String(p.accounts),
        String(p.accountRegions),
        p.status,
        String(p.wallSeconds),
        String(p.simulatedSeconds),
        String(p.wallMsPerAccount),
        `${p.rssStartMb} / ${p.peakRssMb}`,
        String(p.rssKbPerAccount),
        String(p.drift),
      ]),
    ),
    `cost per account, largest / smallest: x${curve.costRatioLargestToSmallest}`,
  ].join('\n');
}
