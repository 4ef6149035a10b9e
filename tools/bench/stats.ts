import { realTimers } from '@runas-bootstrapper/local-cloud';
/** Nearest-rank percentiles over a sample; figures rounded for printing. */

export interface Distribution {
  n: number;
  p50: number;
  p95: number;
  max: number;
  mean: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] as number;
}

export function distribution(values: readonly number[], digits = 1): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  const round = (v: number) => (Number.isFinite(v) ? Number(v.toFixed(digits)) : v);
  const mean = sorted.reduce((sum, v) => sum + v, 0) / (sorted.length || 1);
  return {
    n: sorted.length,
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    max: round(sorted.at(-1) ?? Number.NaN),
    mean: round(mean),
  };
}

export const round = (value: number, digits = 2) => Number(value.toFixed(digits));

/** API calls in one cohort of account-regions: its size, and its mean calls per account-region by operation. */
export interface CohortCalls {
  /** Account-regions in the cohort. */
  accountRegions: number;
  /** Mean attempts per account-region, by IAM action name (failed attempts included). */
  perAccountRegion: Record<string, number>;
}

/**
 * The calls each account-region made (the cloud's counts), summed per cohort: `cohortOf` names
 * the cohort of an account-region, or undefined to leave it out.
 */
export function callsPerCohort<K extends string>(
  calls: Iterable<{ accountId: string; region: string; operation: string; count: number }>,
  cells: Iterable<{ accountId: string; region: string; cohort: K }>,
): Map<K, CohortCalls> {
  const byCell = new Map<string, Map<string, number>>();
  for (const c of calls) {
    const key = `${c.accountId}|${c.region}`;
    const ops = byCell.get(key) ?? new Map<string, number>();
    byCell.set(key, ops);
    ops.set(c.operation, (ops.get(c.operation) ?? 0) + c.count);
  }
  const sums = new Map<K, { n: number; ops: Map<string, number> }>();
  for (const cell of cells) {
    const sum = sums.get(cell.cohort) ?? { n: 0, ops: new Map<string, number>() };
    sums.set(cell.cohort, sum);
    sum.n += 1;
    for (const [op, count] of byCell.get(`${cell.accountId}|${cell.region}`) ?? []) {
      sum.ops.set(op, (sum.ops.get(op) ?? 0) + count);
    }
  }
  return new Map(
    [...sums].map(([cohort, sum]) => [
      cohort,
      {
        accountRegions: sum.n,
        perAccountRegion: Object.fromEntries(
          [...sum.ops.entries()]
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([op, n]) => [op, round(n / sum.n)]),
        ),
      },
    ]),
  );
}

/** Tracks the peak resident set size while something runs. */
export class RssSampler {
  #peak = process.memoryUsage().rss;
  readonly #timer: NodeJS.Timeout;

  constructor(intervalMs = 100) {
    // Wall-time sampling: real timers, so that it never becomes a simulated timer.
    this.#timer = realTimers.setInterval(() => {
      this.#peak = Math.max(this.#peak, process.memoryUsage().rss);
    }, intervalMs);
    this.#timer.unref();
  }

  /** Stop sampling; the peak in MB. */
  stop(): number {
    realTimers.clearInterval(this.#timer);
    this.#peak = Math.max(this.#peak, process.memoryUsage().rss);
    return Math.round(this.#peak / 1024 / 1024);
  }
}
