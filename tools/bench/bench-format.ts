/** The bench's human report (`npm run bench` without --json), section by section. */
import { table } from '#cli/text-table.ts';
import type { BenchResult } from './bench.ts';
import type { PlayedFigures } from './play.ts';
import { formatSweepBench } from './sweep-bench.ts';

function dist(d: { p50: number; p95: number; max: number }): string {
  return `${d.p50} / ${d.p95} / ${d.max}`;
}

function dist2(d: { p50: number; p95: number }): string {
  return `${d.p50} / ${d.p95}`;
}

/** Ours against AFT's wait (polling + retrier) and its retrier alone, when they ran. */
function comparisonTable(result: BenchResult): string {
  const { bootstrapper: ours, baseline, ratios } = result;
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
  return table(header, rows);
}

function anchorsSection(a: NonNullable<BenchResult['anchors']>): string[] {
  return [
    'exposure of the same vends under each mechanism, simulated seconds (p50 / p95 / max; ours as a fraction)',
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
  ];
}

function curveSection(curve: NonNullable<BenchResult['roleWaitCurve']>): string[] {
  return [
    'role-wait schedules, one poller per vend (no join events): p50 / p95 / max',
    table(
      ['schedule', 'AssumeRole per vend', 'overshoot', 'exposure', 'AwaitRole attempts'],
      curve.map((point) => [
        JSON.stringify(point.schedule),
        dist(point.callsPerVend),
        dist(point.roleWaitOvershootSeconds),
        dist(point.exposureSeconds),
        dist(point.awaitRoleAttempts),
      ]),
    ),
    '',
  ];
}

/** Mean API calls per account-region by cohort, and the management account's per account. */
function callsSection(ours: PlayedFigures): string[] {
  const ops = [...new Set(Object.values(ours.calls).flatMap((c) => Object.keys(c.perAccountRegion)))].sort();
  const callHeader = [
    'cohort',
    'n',
    ...ops.map((o) => o.replace(/^ssm:/, '')),
    'versions created (mean/max)',
  ];
  const callRows = Object.entries(ours.calls).map(([kind, cohort]) => [
    kind === 'missing'
      ? 'fresh (no document)'
      : kind === 'compliant'
        ? 'already compliant'
        : 'LZA logging doc',
    String(cohort.accountRegions),
    ...ops.map((o) => String(cohort.perAccountRegion[o] ?? 0)),
    `${cohort.versionsCreated.mean} / ${cohort.versionsCreated.max}`,
  ]);
  return [
    'API calls per account-region (mean attempts, member account)',
    table(callHeader, callRows),
    `management account, per account: ${Object.entries(ours.managementCallsPerAccount)
      .map(([op, n]) => `${op} ${n}`)
      .join(', ')}`,
    '',
  ];
}

/** Throughput, STS headroom, Lambda and memory, with the burst's figures when it ran. */
function throughputLines(result: BenchResult): string[] {
  const { bootstrapper: ours, burst } = result;
  return [
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
  ];
}

function bundlesSection(bundles: NonNullable<BenchResult['bundles']>): string[] {
  return [
    '',
    `Lambda bundles (esbuild, CDK settings; cold import = median of ${bundles[0]?.runs ?? 0} fresh node processes)`,
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
  ];
}

/** The human report. */
export function formatBench(result: BenchResult): string {
  const { options, sweep, bundles } = result;
  return [
    `bench: ${options.accounts} accounts x ${options.regions} regions, faults ${options.faults}, seed ${options.seed}, virtual time, AWS latency model (${result.host.cpus} CPUs, node ${result.host.node})`,
    '',
    'simulated seconds, p50 / p95 / max',
    comparisonTable(result),
    '',
    ...(result.anchors ? anchorsSection(result.anchors) : []),
    `a role that never appears: ${result.deniedPerStuckHour.onePoller} denied AssumeRole calls in an hour with one poller per vend, ${result.deniedPerStuckHour.withJoinPoller} with the join's execution polling too`,
    '',
    ...(result.roleWaitCurve ? curveSection(result.roleWaitCurve) : []),
    ...callsSection(result.bootstrapper),
    ...throughputLines(result),
    ...(sweep ? ['', formatSweepBench(sweep)] : []),
    ...(bundles ? bundlesSection(bundles) : []),
  ].join('\n');
}
