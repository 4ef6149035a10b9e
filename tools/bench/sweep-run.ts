/**
 * One sweep of the bench: the environment it runs in (a local cloud and a redeployable
 * runtime), and the figures it leaves (wall and simulated time, concurrency, calls per cohort).
 */

import { type LocalCloud, realTimers, startLocalCloud } from '@runas-bootstrapper/local-cloud';
import { SWEEP_STATE_MACHINE } from '#core/shared/names.ts';
import type { SweepTotals } from '#core/sweep/sweep.ts';
import { pipelineDefaultsFor } from '#local/runtime/deployment.ts';
import type { ExecutionRecord } from '#local/runtime/execution-record.ts';
import { LocalRuntime } from '#local/runtime/runtime.ts';
import type { EventLog } from '#local/runtime/state-machine-events.ts';
import { type CohortCalls, callsPerCohort, type Distribution, distribution, round } from './stats.ts';
import type { SweepOrganization, SweepRegionKind } from './sweep-scenario.ts';

export type CountedTotals = Omit<SweepTotals, 'findings'> & { findingsListed: number };

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
  calls: Partial<Record<SweepRegionKind, CohortCalls>>;
  /** Management-account calls per visited account (AssumeRole, ListAccounts). */
  managementCallsPerAccount: Record<string, number>;
}

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
    else if (isIterationEnd(event)) {
      const startedAt = started.get(accountId);
      if (startedAt === undefined) continue;
      durations.push(event.timestamp - startedAt);
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
): Partial<Record<SweepRegionKind, CohortCalls>> {
  const cells = org.accounts.flatMap((account) =>
    org.regions.map((region) => ({
      accountId: account.accountId,
      region,
      cohort: account.regions[region] ?? ('missing' as SweepRegionKind),
    })),
  );
  const byCohort = callsPerCohort(delta.values(), cells);
  const order: SweepRegionKind[] = ['compliant', 'lza-logging', 'missing', 'foreign', 'no-role'];
  return Object.fromEntries(
    order.flatMap((kind) => {
      const calls = byCohort.get(kind);
      return calls ? [[kind, calls] as const] : [];
    }),
  );
}

export interface SweepEnv {
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

export async function startSweepEnv(org: SweepOrganization, batchSize?: number): Promise<SweepEnv> {
  const cloud = await startLocalCloud({
    port: 0,
    scenario: org.scenario,
    pipelineDefaults: pipelineDefaultsFor(org.config),
  });
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

export async function runSweep(
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
