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
