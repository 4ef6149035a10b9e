/**
 * The sweep's scale curve: one check sweep per organization size, each on a fresh cloud under
 * virtual time, to show whether the wall cost per account stays flat as the organization grows.
 */

import { VirtualTime } from '@runas-bootstrapper/local-cloud';
import { table } from '#cli/text-table.ts';
import { BENCH_EPOCH_MS } from './play.ts';
import { RssSampler, round } from './stats.ts';
import { runSweep, startSweepEnv } from './sweep-run.ts';
import { generateSweepOrganization } from './sweep-scenario.ts';

export interface SweepScalePoint {
  accounts: number;
  accountRegions: number;
  status: string;
  /** Why the sweep failed, when it did. */
  error?: string;
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
          ...(figures.error ? { error: figures.error } : {}),
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
