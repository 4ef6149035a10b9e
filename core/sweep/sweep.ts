import { type BootstrapperConfig, ungovernedRegions } from '../config/config.ts';
import type { SweepRegionResult, SweepRegionStatus } from '../document/region-result.ts';
import { InvalidRequestError } from '../shared/errors.ts';
import { METRIC, type MetricPoint } from '../shared/metrics.ts';

/**
 * Sweep arithmetic: which accounts a sweep visits, what each account × region outcome means,
 * and the running totals the sweep state machine reports and emits as metrics. Pure.
 */

export interface OrganizationMember {
  accountId: string;
  /** ACTIVE, SUSPENDED, PENDING_CLOSURE. */
  state: string;
}

export interface SweepSelection {
  accountIds: string[];
  /** Not ACTIVE (SUSPENDED, PENDING_CLOSURE): no role to assume, nothing to protect. */
  inactive: number;
  /** In `excludeAccountIds`, or the management account itself. */
  excluded: number;
}

/** What a sweep was asked for: the execution input (Scheduler or CLI). */
export interface SweepRequest {
  repair?: boolean | undefined;
  maxConcurrency?: number | undefined;
  regions?: string[] | undefined;
}

export interface SweepOptions {
  repair: boolean;
  maxConcurrency: number;
  regions: string[];
  startedAt: string;
}

/** The sweep's options: the request, with the config's defaults; every region must be governed. */
export function resolveSweepOptions(
  request: SweepRequest,
  config: Pick<BootstrapperConfig, 'governedRegions' | 'sweep'>,
  startedAt: string,
): SweepOptions {
  const ungoverned = ungovernedRegions(request.regions ?? [], config.governedRegions);
  if (ungoverned.length > 0) {
    throw new InvalidRequestError(
      `region(s) ${ungoverned.join(', ')} are not governed (governedRegions: ${config.governedRegions.join(', ')})`,
    );
  }
  return {
    repair: request.repair ?? config.sweep.repair,
    maxConcurrency: request.maxConcurrency ?? config.sweep.maxConcurrency,
    regions: request.regions ?? [...config.governedRegions],
    startedAt,
  };
}

/** One batch of the sweep: the accounts its Map visits, and where the account listing goes on. */
export interface SweepBatch {
  accountIds: string[];
  nextToken?: string;
  roleDeadline?: string;
  skipped: { inactive: number; excluded: number };
}

/** The sweep state carried from batch to batch: ListAccounts → the batch's Map → RecordSweep. */
export interface SweepState {
  options: SweepOptions;
  page: SweepBatch;
  totals: SweepTotals;
  /** Set once any batch failed as a whole: the sweep ends failed with this cause, after the last batch. */
  incomplete?: string;
}

/** The accounts a sweep or `check --all` visits: ACTIVE members, minus the excluded ones. */
export function selectSweepAccounts(
  members: readonly OrganizationMember[],
  options: { excludeAccountIds: readonly string[]; managementAccountId?: string | undefined },
): SweepSelection {
  const excluded = new Set(options.excludeAccountIds);
  if (options.managementAccountId) excluded.add(options.managementAccountId);
  const selection: SweepSelection = { accountIds: [], inactive: 0, excluded: 0 };
  for (const member of members) {
    if (excluded.has(member.accountId)) selection.excluded += 1;
    else if (member.state !== 'ACTIVE') selection.inactive += 1;
    else selection.accountIds.push(member.accountId);
  }
  return selection;
}

/** The batch ListAccounts hands the Map: the selected accounts of one page of the listing. */
export function sweepBatch(
  selection: SweepSelection,
  nextToken: string | undefined,
  roleDeadline: string,
): SweepBatch {
  return {
    accountIds: selection.accountIds,
    ...(nextToken ? { nextToken } : {}),
    // Existing accounts get one attempt at the role: a deadline already reached.
    roleDeadline,
    skipped: { inactive: selection.inactive, excluded: selection.excluded },
  };
}

export type { SweepRegionResult, SweepRegionStatus };

export interface SweepAccountResult {
  accountId: string;
  /** Absent when the member role could not be assumed: no region was visited. */
  regions?: SweepRegionResult[];
  roleError?: string;
}

export type SweepAccountStatus = SweepRegionStatus | 'role-unavailable';

/** The probe's verdicts that mean "no member role can be assumed", as opposed to a failed probe. */
const ROLE_UNAVAILABLE_ERRORS: readonly string[] = ['RoleWaitTimeoutError', 'RoleNotAssumableError'];

/**
 * The account's worst outcome: role-unavailable > failed > refused > drifted > repaired >
 * compliant. A probe that failed for another reason (throttling, a Lambda error) is `failed`.
 */
export function sweepAccountStatus(result: SweepAccountResult): SweepAccountStatus {
  if (!result.regions) {
    return ROLE_UNAVAILABLE_ERRORS.includes(result.roleError ?? '') ? 'role-unavailable' : 'failed';
  }
  const order: SweepRegionStatus[] = ['failed', 'refused', 'drifted', 'repaired'];
  return order.find((status) => result.regions?.some((r) => r.status === status)) ?? 'compliant';
}

export interface SweepFinding {
  accountId: string;
  status: Exclude<SweepAccountStatus, 'compliant'>;
  /** The regions that were not already compliant, with their status. */
  regions: Record<string, SweepRegionStatus>;
  error?: string;
}

export interface SweepTotals {
  accountsChecked: number;
  /** Accounts whose every region was already compliant. */
  accountsCompliant: number;
  /** Account × regions found missing or drifted (repaired or not). */
  driftDetected: number;
  /** Account × regions the sweep wrote and verified. */
  driftRepaired: number;
  /** Account × regions whose document is foreign or invalid, left as it is. */
  regionsRefused: number;
  regionsFailed: number;
  accountsRoleUnavailable: number;
  /** Accounts whose role probe failed for another reason (throttling, a Lambda error). */
  accountsFailed: number;
  /** Batches whose Distributed Map failed as a whole: their accounts were not (all) swept. */
  batchesFailed: number;
  accountsUnswept: number;
  /** Accounts not visited: not ACTIVE, or excluded (including the management account). */
  skippedInactive: number;
  skippedExcluded: number;
  /** Every account that needs attention or was changed, up to `MAX_FINDINGS`. */
  findings: SweepFinding[];
  /** Findings beyond the cap, counted but not listed (the logs list them all). */
  findingsOmitted: number;
}

/**
 * The sweep state must stay under Step Functions' 256 KiB limit: the findings carried from batch
 * to batch, plus one batch's results. Findings are capped; the batch size depends on how many
 * regions each account's result lists (see `sweepBatchSize`).
 */
export const MAX_FINDINGS = 100;
export const STATE_LIMIT_BYTES = 256 * 1024;
/** Options, page (1 KB token), counters, `incomplete`: everything but results and findings. */
const OVERHEAD_BYTES = 8_000;
/** One account result (plus its id in page.accountIds), and one region in it, at the worst (a 40-character error name). */
export const ACCOUNT_RESULT_BYTES = 55;
export const REGION_RESULT_BYTES = 100;
/** One finding, and one `"region":"status"` entry in it. */
export const FINDING_BYTES = 80;
export const FINDING_REGION_BYTES = 26;
/** Organizations returns at most 20 accounts per ListAccounts page. */
export const ORGANIZATIONS_PAGE_SIZE = 20;
export const MAX_SWEEP_BATCH = 200;

/**
 * Accounts per Distributed Map run for `regionCount` governed regions: what fits in 90% of the
 * state limit next to the carried findings, at most 200, at least one ListAccounts page.
 */
export function sweepBatchSize(regionCount: number): number {
  const findings = MAX_FINDINGS * (FINDING_BYTES + FINDING_REGION_BYTES * regionCount);
  const budget = 0.9 * STATE_LIMIT_BYTES - OVERHEAD_BYTES - findings;
  const fits = Math.floor(budget / (ACCOUNT_RESULT_BYTES + REGION_RESULT_BYTES * regionCount));
  return Math.max(ORGANIZATIONS_PAGE_SIZE, Math.min(MAX_SWEEP_BATCH, fits));
}

export function emptySweepTotals(): SweepTotals {
  return {
    accountsChecked: 0,
    accountsCompliant: 0,
    driftDetected: 0,
    driftRepaired: 0,
    regionsRefused: 0,
    regionsFailed: 0,
    accountsRoleUnavailable: 0,
    accountsFailed: 0,
    batchesFailed: 0,
    accountsUnswept: 0,
    skippedInactive: 0,
    skippedExcluded: 0,
    findings: [],
    findingsOmitted: 0,
  };
}

/**
 * The totals of one batch of account results, alone (what that batch's metrics report). A batch
 * whose Map failed as a whole (`failedBatch`) has no results: its accounts count as unswept.
 */
export function tallySweepBatch(
  results: readonly SweepAccountResult[],
  skipped: { inactive: number; excluded: number } = { inactive: 0, excluded: 0 },
  failedBatch?: { accounts: number },
): SweepTotals {
  const totals = emptySweepTotals();
  totals.skippedInactive = skipped.inactive;
  totals.skippedExcluded = skipped.excluded;
  if (failedBatch) {
    totals.batchesFailed = 1;
    totals.accountsUnswept = failedBatch.accounts;
  }
  for (const result of results) {
    totals.accountsChecked += 1;
    const status = sweepAccountStatus(result);
    const regions = result.regions ?? [];
    const count = (...statuses: SweepRegionStatus[]) =>
      regions.filter((r) => statuses.includes(r.status)).length;
    totals.driftDetected += count('drifted', 'repaired');
    totals.driftRepaired += count('repaired');
    totals.regionsRefused += count('refused');
    totals.regionsFailed += count('failed');
    if (status === 'compliant') {
      totals.accountsCompliant += 1;
      continue;
    }
    if (status === 'role-unavailable') totals.accountsRoleUnavailable += 1;
    if (!result.regions && status === 'failed') totals.accountsFailed += 1;
    totals.findings.push({
      accountId: result.accountId,
      status,
      regions: Object.fromEntries(
        regions.filter((r) => r.status !== 'compliant').map((r) => [r.region, r.status]),
      ),
      ...(result.roleError ? { error: result.roleError } : {}),
    });
  }
  totals.findings.sort((a, b) => a.accountId.localeCompare(b.accountId));
  return totals;
}

/** Running totals plus one more batch; findings stay capped at `MAX_FINDINGS`. */
export function addSweepTotals(running: SweepTotals, batch: SweepTotals): SweepTotals {
  const findings = [...running.findings, ...batch.findings];
  const kept = findings.slice(0, MAX_FINDINGS);
  return {
    accountsChecked: running.accountsChecked + batch.accountsChecked,
    accountsCompliant: running.accountsCompliant + batch.accountsCompliant,
    driftDetected: running.driftDetected + batch.driftDetected,
    driftRepaired: running.driftRepaired + batch.driftRepaired,
    regionsRefused: running.regionsRefused + batch.regionsRefused,
    regionsFailed: running.regionsFailed + batch.regionsFailed,
    accountsRoleUnavailable: running.accountsRoleUnavailable + batch.accountsRoleUnavailable,
    accountsFailed: running.accountsFailed + batch.accountsFailed,
    batchesFailed: running.batchesFailed + batch.batchesFailed,
    accountsUnswept: running.accountsUnswept + batch.accountsUnswept,
    skippedInactive: running.skippedInactive + batch.skippedInactive,
    skippedExcluded: running.skippedExcluded + batch.skippedExcluded,
    findings: kept,
    findingsOmitted: running.findingsOmitted + batch.findingsOmitted + findings.length - kept.length,
  };
}

/** A sweep is clean when nothing is left non-compliant: every drift repaired (or none), no refusals, no failures. */
export function sweepIsClean(totals: SweepTotals): boolean {
  return (
    totals.driftDetected === totals.driftRepaired &&
    totals.regionsRefused === 0 &&
    totals.regionsFailed === 0 &&
    totals.accountsRoleUnavailable === 0 &&
    totals.accountsFailed === 0 &&
    totals.batchesFailed === 0
  );
}

/** Accounts or account × regions the sweep could not deal with: what the failure alarm counts. */
export function sweepFailures(totals: SweepTotals): number {
  return (
    totals.regionsFailed + totals.accountsRoleUnavailable + totals.accountsFailed + totals.accountsUnswept
  );
}

/** Why a sweep with failed batches ends failed (its SweepIncompleteError's cause); undefined when none failed. */
export function sweepIncompleteCause(totals: SweepTotals): string | undefined {
  if (totals.batchesFailed === 0) return undefined;
  return `${totals.batchesFailed} batch(es) failed as a whole, so ${totals.accountsUnswept} account(s) were not swept (see the RecordSweep log); the other ${totals.accountsChecked} were`;
}

/**
 * The metrics of one recorded batch, with the service dimension only. A sweep of several batches
 * emits several data points; CloudWatch sums them.
 */
export function sweepBatchMetrics(batch: SweepTotals): MetricPoint[] {
  return [
    { name: METRIC.accountsChecked, unit: 'Count', value: batch.accountsChecked },
    { name: METRIC.driftDetected, unit: 'Count', value: batch.driftDetected },
    { name: METRIC.driftRepaired, unit: 'Count', value: batch.driftRepaired },
    { name: METRIC.sweepFailures, unit: 'Count', value: sweepFailures(batch) },
  ];
}

/**
 * What RecordSweep carries on to the next batch: the running totals and where the listing goes
 * on, without the recorded batch's account ids; `incomplete` once any batch failed as a whole.
 */
export function continueSweep(options: SweepOptions, page: SweepBatch, totals: SweepTotals): SweepState {
  const { nextToken, roleDeadline, skipped } = page;
  const incomplete = sweepIncompleteCause(totals);
  return {
    options,
    page: {
      accountIds: [],
      ...(nextToken ? { nextToken } : {}),
      ...(roleDeadline ? { roleDeadline } : {}),
      skipped,
    },
    totals,
    ...(incomplete ? { incomplete } : {}),
  };
}
