/**
 * The sweep section of the bench: check sweeps at several concurrencies, a repair and a second
 * repair on one generated organization, checked against what that organization implies.
 */

import { type LocalCloud, VirtualTime } from '@runas-bootstrapper/local-cloud';
import { table } from '#cli/text-table.ts';
import { runAsSetting } from '#core/config/config.ts';
import { isCompliant, parseDocument } from '#core/document/preferences.ts';
import type { FaultProfileName } from './fault-profiles.ts';
import { BENCH_EPOCH_MS } from './play.ts';
import { type Distribution, RssSampler, round } from './stats.ts';
import { type CountedTotals, runSweep, type SweepRunFigures, startSweepEnv } from './sweep-run.ts';
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
  progress?: (line: string) => void;
}

/** Totals fields the organization determines; a field the product does not report counts as 0. */
type ExpectedTotals = Record<string, number>;

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

const ratio = (a: number, b: number) => (b > 0 ? round(a / b, 3) : Number.NaN);

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

/**
 * The drift sweep on one organization of existing accounts: check sweeps at each concurrency,
 * a repair sweep, and a second repair sweep that must find nothing and write nothing.
 */
export async function runSweepBench(options: SweepBenchOptions): Promise<SweepBenchResult> {
  // timeScale 1 plays on virtual time (packages/local-cloud/src/virtual-time.ts): no load in the figures.
  if (options.timeScale !== 1) return sweepBench(options);
  const time = VirtualTime.install({ seed: options.seed, startMs: BENCH_EPOCH_MS });
  try {
    return await sweepBench(options);
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
