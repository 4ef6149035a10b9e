import { median } from '#core/shared/statistics.ts';
import { aftRoleFoundSeconds, stackSetsSeconds } from './mechanisms.ts';
import type { DemoReport } from './report.ts';
import { buildRows } from './report-html-rows.ts';

/** One mechanism's exposure over the same vends, in seconds. */
export interface MechanismFigures {
  mechanism: string;
  /** How the figure is obtained: measured in this run, or a stated model on this run's vends. */
  basis: string;
  seconds: number[];
  median: number | undefined;
  p95: number | undefined;
  worst: number | undefined;
}

/**
 * The demo's story, the same in the terminal and in the HTML report: the headline (median
 * exposure against LZA alone, the share of LZA's window closed, regressions repaired) and the
 * same measured vends' exposure under the mechanisms an operator would otherwise use.
 */
export interface DemoStory {
  measured: number;
  medianExposure: number | undefined;
  /** Median vend → LZA Customizations (the window LZA alone leaves open), over the vends with a gap. */
  medianWindow: number | undefined;
  /** Share of LZA's window the bootstrapper closed (sum closed / sum window), 0-1. */
  share: number | undefined;
  repaired: number;
  repairedAccounts: number;
  mechanisms: MechanismFigures[];
}

/** The nearest-rank percentile (p in 0-100); undefined for no values. */
function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function figures(mechanism: string, basis: string, seconds: number[]): MechanismFigures {
  return {
    mechanism,
    basis,
    seconds,
    median: median(seconds),
    p95: percentile(seconds, 95),
    worst: seconds.length > 0 ? Math.max(...seconds) : undefined,
  };
}

/** A fixed seed: the modelled mechanisms draw the same figures for the same accounts every run. */
const SEED = 25;

export function demoStory(report: DemoReport): DemoStory {
  const { rows } = buildRows(report);
  const exposures = rows.flatMap((r) => (r.exposure ? [r.exposure.seconds] : []));
  const gapRows = rows.filter((r) => r.gap);
  const closed = gapRows.map((r) => r.gap?.seconds as number);
  const windows = gapRows.flatMap((r) =>
    r.account.prepareToCustomizationsSeconds !== undefined ? [r.account.prepareToCustomizationsSeconds] : [],
  );
  const sumClosed = closed.reduce((a, b) => a + b, 0);
  const sumWindow = windows.reduce((a, b) => a + b, 0);
  const measured = report.accounts.filter((a) => a.exposureSeconds !== undefined);
  const aft = measured.flatMap((a) =>
    a.roleWaitSeconds === undefined
      ? []
      : [(a.exposureSeconds as number) - a.roleWaitSeconds + aftRoleFoundSeconds(a.roleWaitSeconds)],
  );
  const lzaAlone = measured.flatMap((a) =>
    a.prepareToCustomizationsSeconds === undefined ? [] : [a.prepareToCustomizationsSeconds],
  );
  return {
    measured: exposures.length,
    medianExposure: median(exposures),
    medianWindow: median(windows),
    share: sumWindow > 0 && windows.length === closed.length ? sumClosed / sumWindow : undefined,
    repaired: report.accounts.reduce((sum, a) => sum + (a.regressionsRepaired ?? 0), 0),
    repairedAccounts: report.accounts.filter((a) => (a.regressionsRepaired ?? 0) > 0).length,
    mechanisms: [
      figures(
        'runas-bootstrapper',
        'measured in this run: vend to RunAs verified in every region',
        measured.map((a) => a.exposureSeconds as number),
      ),
      figures(
        "AFT's role wait",
        "this run, with the role found on AFT's retry schedule (5 s for 1 min, 65 s, then 60 s x1.5)",
        aft,
      ),
      figures(
        'StackSets auto-deployment',
        'model: 1-3 min to trigger, then 2-5 min per governed region in turn',
        measured.map((a) => stackSetsSeconds(a.accountId, report.governedRegions, SEED)),
      ),
      figures('LZA alone', "this run's LZA pipeline: vend to Deploy/Customizations", lzaAlone),
    ],
  };
}
