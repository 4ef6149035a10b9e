import type { LocalCloud } from '@runas-bootstrapper/local-cloud';
import type { BootstrapperConfig } from '#core/config/config.ts';
import type { DemoReport } from '#local/report.ts';
import type { ExecutionRecord } from '#local/runtime/execution-record.ts';
import type { GeneratedScenario, SeedKind } from './scenario-generator.ts';
import { type CohortCalls, callsPerCohort, type Distribution, distribution, round } from './stats.ts';

export interface CohortFigures extends CohortCalls {
  /** Mean document versions the run created per account-region, and the most in any one. */
  versionsCreated: { mean: number; max: number };
}

export interface RunFigures {
  label: string;
  accounts: number;
  regions: number;
  wallSeconds: number;
  simulatedSeconds: number;
  /** Accounts per wall second over the whole run (bounded by the vend spread; see the burst run). */
  accountsPerWallSecond: number;
  /** Wall seconds from the first execution's start to the last one's stop. */
  activeWallSeconds: number;
  /** Accounts per wall second while executions ran: the engine's throughput in a burst. */
  accountsPerActiveWallSecond: number;
  /** roleAssumableAt minus the instant the cloud made the role assumable, simulated seconds. */
  roleWaitOvershootSeconds: Distribution;
  /** VendToRunAsSeconds: vend to RunAs verified in every region, simulated seconds. */
  exposureSeconds: Distribution;
  /** Role assumable to RunAs verified in every region: apply + verify, simulated seconds. */
  assumableToVerifiedSeconds: Distribution;
  /** AssumeRole attempts AwaitRole made per account (first attempt included). */
  awaitRoleAttempts: Distribution;
  /**
   * STS AssumeRole from the management account: calls per vend (AwaitRole's attempts plus the
   * sessions of apply and verify, including the first role name's refusals), and the busiest
   * simulated second against the account's STS request quota.
   */
  assumeRole: { callsPerVend: Distribution; peakPerSecond: number; quotaPerSecond: number; headroom: number };
  /** Exposure per account (seconds), for the CDF chart; not part of the JSON report. */
  exposureSamples: number[];
  calls: Record<SeedKind, CohortFigures>;
  /** Management-account calls per account (AssumeRole is made from the management account). */
  managementCallsPerAccount: Record<string, number>;
  outcomes: {
    accountsCompliant: number;
    regionsCompliant: number;
    regionsFailed: number;
    regionsRefused: number;
    executions: number;
    executionsSucceeded: number;
    executionsFailed: number;
    executionsRunning: number;
  };
  /** Regions that did not end compliant, by the first words of their error. */
  failuresByError: Record<string, number>;
  peakRssMb: number;
}

/** Attempts of a Task: each entry (the role wait's loop) and each retry (a retrier's wait). */
function attempts(execution: ExecutionRecord, state: string): number {
  return execution.events.filter(
    (e) => (e.type === 'StateEntered' || e.type === 'StateRetried') && e.state?.name === state,
  ).length;
}

/** The earliest instant (simulated epoch ms) at which any configured member role was assumable. */
export function roleReadyMs(cloud: LocalCloud, config: BootstrapperConfig, accountId: string): number {
  const roles = cloud.state.account(accountId)?.roles ?? [];
  const ready = config.memberRoleNames
    .map((name) => roles.find((r) => r.name === name)?.assumableAt)
    .filter((at): at is string => at !== undefined)
    .map((at) => Date.parse(at));
  return ready.length > 0 ? Math.min(...ready) : Number.POSITIVE_INFINITY;
}

/** Figures for one played scenario, from the report, the executions and the cloud's counters. */
export function measureRun(options: {
  label: string;
  generated: GeneratedScenario;
  cloud: LocalCloud;
  report: DemoReport;
  executions: ExecutionRecord[];
  wallSeconds: number;
  peakRssMb: number;
  /** The run played on virtual time (packages/local-cloud/src/virtual-time.ts). */
  virtualTime?: boolean;
}): RunFigures {
  const { generated, cloud, report, executions } = options;
  const { config } = generated;
  const overshoot: number[] = [];
  const exposure: number[] = [];
  const afterRole: number[] = [];
  const byAccount = new Map(report.accounts.map((a) => [a.accountId, a]));
  for (const account of generated.accounts) {
    const row = byAccount.get(account.accountId);
    if (!row?.roleAssumableAt) continue;
    const ready = roleReadyMs(cloud, config, account.accountId);
    overshoot.push((Date.parse(row.roleAssumableAt) - ready) / 1000);
    if (row.exposureSeconds !== undefined) exposure.push(row.exposureSeconds);
    if (row.exposureSeconds !== undefined && row.roleWaitSeconds !== undefined)
      afterRole.push(row.exposureSeconds - row.roleWaitSeconds);
  }
  const firstRuns = new Map<string, ExecutionRecord>();
  for (const execution of [...executions].sort((a, b) => a.startDate.getTime() - b.startDate.getTime())) {
    const input = execution.input as {
      detail?: { serviceEventDetails?: { createAccountStatus?: { accountId?: string } } };
    };
    const accountId = input.detail?.serviceEventDetails?.createAccountStatus?.accountId;
    if (accountId && !firstRuns.has(accountId)) firstRuns.set(accountId, execution);
  }

  const calls = cloud.state.calls();
  const cells = generated.accounts.flatMap((account) =>
    generated.regions.map((region) => ({
      accountId: account.accountId,
      region,
      cohort: account.seeds[region]?.kind ?? ('missing' as SeedKind),
    })),
  );
  const byCohort = callsPerCohort(calls, cells);
  const cohorts = {} as Record<SeedKind, CohortFigures>;
  for (const kind of ['missing', 'lza-logging', 'compliant'] as const) {
    const versions = cells
      .filter((cell) => cell.cohort === kind)
      .map((cell) => cloud.state.document(cell.accountId, cell.region))
      .map((doc) => (doc ? doc.versions.filter((v) => v.writer !== 'scenario').length : 0));
    cohorts[kind] = {
      ...(byCohort.get(kind) ?? { accountRegions: 0, perAccountRegion: {} }),
      versionsCreated: {
        mean: round(versions.reduce((s, v) => s + v, 0) / (versions.length || 1)),
        max: Math.max(0, ...versions),
      },
    };
  }
  const managementOps = new Map<string, number>();
  for (const c of calls) {
    if (c.accountId !== generated.scenario.managementAccountId) continue;
    managementOps.set(c.operation, (managementOps.get(c.operation) ?? 0) + c.count);
  }
  const accounts = generated.accounts.length;
  const firstStart = Math.min(...executions.map((e) => e.startDate.getTime()));
  const lastStop = Math.max(...executions.map((e) => e.stopDate?.getTime() ?? Number.NaN));
  // On scaled time the executions' dates convert back to wall time. On virtual time they are
  // simulated and say nothing of this machine: the run's own wall time is the engine's work.
  const activeWallSeconds = options.virtualTime
    ? options.wallSeconds
    : ((lastStop - firstStart) * cloud.clock.timeScale) / 1000;
  const regionRows = report.accounts.flatMap((a) => Object.values(a.regions));
  return {
    label: options.label,
    accounts,
    regions: generated.regions.length,
    wallSeconds: round(options.wallSeconds, 1),
    simulatedSeconds: Math.round(cloud.clock.elapsedSeconds()),
    accountsPerWallSecond: round(accounts / options.wallSeconds),
    activeWallSeconds: round(activeWallSeconds, 1),
    accountsPerActiveWallSecond: round(accounts / activeWallSeconds),
    roleWaitOvershootSeconds: distribution(overshoot),
    exposureSeconds: distribution(exposure),
    assumableToVerifiedSeconds: distribution(afterRole),
    awaitRoleAttempts: distribution(
      [...firstRuns.values()].map((e) => attempts(e, 'AwaitRole')),
      0,
    ),
    assumeRole: assumeRoleFigures(cloud, generated),
    exposureSamples: exposure,
    calls: cohorts,
    managementCallsPerAccount: Object.fromEntries(
      [...managementOps.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([op, n]) => [op, round(n / accounts)]),
    ),
    outcomes: {
      accountsCompliant: report.accounts.filter((a) =>
        Object.values(a.regions).every((r) => r.status === 'compliant'),
      ).length,
      regionsCompliant: regionRows.filter((r) => r.status === 'compliant').length,
      regionsFailed: regionRows.filter((r) => r.status === 'failed').length,
      regionsRefused: regionRows.filter((r) => r.status === 'refused').length,
      executions: executions.length,
      executionsSucceeded: executions.filter((e) => e.status === 'SUCCEEDED').length,
      executionsFailed: executions.filter((e) => e.status === 'FAILED').length,
      executionsRunning: executions.filter((e) => !e.stopDate).length,
    },
    failuresByError: failuresByError(report),
    peakRssMb: options.peakRssMb,
  };
}

/**
 * The STS request quota the headroom is measured against. AWS does not publish it on a page this
 * project could read (the IAM and STS quotas page lists name and size limits); 600 requests per
 * second per account is the figure commonly reported, unconfirmed: see docs/performance.md.
 */
export const STS_QUOTA_PER_SECOND = 600;

function assumeRoleFigures(cloud: LocalCloud, generated: GeneratedScenario): RunFigures['assumeRole'] {
  const management = generated.scenario.managementAccountId;
  // The quota counts the caller (the management account); the price per vend counts by target.
  const perVend = generated.accounts.map((a) => cloud.state.assumeRoleCallsFor(a.accountId));
  const peak = cloud.state.peakRate(management, 'sts:AssumeRole').perSecond;
  return {
    callsPerVend: distribution(perVend, 0),
    peakPerSecond: peak,
    quotaPerSecond: STS_QUOTA_PER_SECOND,
    headroom: round(STS_QUOTA_PER_SECOND / Math.max(1, peak), 1),
  };
}

function failuresByError(report: DemoReport): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const account of report.accounts) {
    for (const region of Object.values(account.regions)) {
      if (region.status === 'compliant') continue;
      const key = (region.error ?? region.status).replace(/\d{12}/g, '<account>').slice(0, 90);
      counts[key] = (counts[key] ?? 0) + 1;
    }
  }
  return counts;
}
