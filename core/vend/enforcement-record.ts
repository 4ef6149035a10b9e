/**
 * What RecordEnforcement decides, pure: the execution's outcome, which verifications go to the
 * vend ledger, what the vend's owner finishes its claim with, and the metrics. The ledger calls
 * are in adapters/vend-measurement.ts; the handler writes the metrics.
 */
import type { MeasureGap } from '../config/config.ts';
import type { RegionResult } from '../document/region-result.ts';
import { METRIC, type MetricPoint } from '../shared/metrics.ts';
import type { EnforcementSummary } from './enforcement.ts';
import type { RegionVerification, VendMeasurement } from './ledger.ts';

/**
 * `awaiting-enrollment`: an invited account without a member role; `account-not-active`: a
 * suspended or closed account (AccountNotActiveError). Neither is a failure.
 */
export type EnforcementOutcome =
  | 'enforced'
  | 'role-unavailable'
  | 'awaiting-enrollment'
  | 'account-not-active';

/** RecordEnforcement's output: the ASL's AnyRegionFailed reads `failed` and `refused`. */
export interface EnforcementRecord extends EnforcementSummary {
  /** This execution stored the vend's exposure measurement (once per vend). */
  measures: boolean;
  outcome: EnforcementOutcome;
  accountId: string;
  trigger: string;
  vendedAt: string;
  roleAssumableAt?: string;
}

export function enforcementOutcome(
  roleFailed: boolean,
  invited: boolean,
  roleErrorName?: string,
): EnforcementOutcome {
  if (!roleFailed) return 'enforced';
  // Suspended or closed: nothing to bootstrap, and nothing for an operator to fix.
  if (roleErrorName === 'AccountNotActiveError') return 'account-not-active';
  // Control Tower's enrollment will create the role and bootstrap the account then.
  return invited ? 'awaiting-enrollment' : 'role-unavailable';
}

/** The compliant regions as the ledger keeps them: the ledger keeps each region's earliest. */
export function verifiedRegions(regions: readonly RegionResult[]): Record<string, RegionVerification> {
  const verified: Record<string, RegionVerification> = {};
  for (const r of regions) {
    if (r.status !== 'compliant') continue;
    verified[r.region] = {
      verifiedAt: r.verifiedAt,
      action: r.action,
      ...(r.latestVersion ? { latestVersion: r.latestVersion } : {}),
      ...(r.defaultVersion ? { defaultVersion: r.defaultVersion } : {}),
      ...(r.apply?.pruned?.length ? { pruned: r.apply.pruned } : {}),
    };
  }
  return verified;
}

/**
 * What RecordEnforcement writes to the vend ledger: each compliant region's verification and the
 * role's assumable time, and, when this execution owns the vend, what decides how it finishes.
 */
export interface VendVerification {
  vend: { accountId: string; joinedAt: string };
  execution: string;
  regions: Record<string, RegionVerification>;
  roleAssumableAt: string | undefined;
  /** Set when this execution owns the vend's measurements: the inputs of `ownerFinish`. */
  owner?: { summary: Pick<EnforcementSummary, 'failed' | 'refused'>; outcome: EnforcementOutcome };
}

export function vendVerification(
  input: {
    request: { accountId: string; vendedAt: string; owner: boolean };
    role?: { assumableAt: string } | undefined;
    regions: readonly RegionResult[];
    execution: string;
  },
  summary: EnforcementSummary,
  outcome: EnforcementOutcome,
): VendVerification {
  const { request, role, regions, execution } = input;
  return {
    vend: { accountId: request.accountId, joinedAt: request.vendedAt },
    execution,
    regions: verifiedRegions(regions),
    roleAssumableAt: role?.assumableAt,
    ...(request.owner ? { owner: { summary, outcome } } : {}),
  };
}

/**
 * When nothing will follow LZA for a vend, its owner closes it as soon as it is measured rather
 * than leaving it open to the reconciler: gap measurement is off, or it is `auto` and the
 * organization has no LZA pipeline of that name (`pipelineExists` false).
 */
export function closureWhenMeasured(
  lza: { measureGap: MeasureGap; pipelineName: string },
  pipelineExists?: boolean,
): { state: 'closed'; note: string } | undefined {
  if (lza.measureGap === false)
    return { state: 'closed', note: 'gap measurement is off (lza.measureGap is false)' };
  if (lza.measureGap === 'auto' && pipelineExists === false)
    return {
      state: 'closed',
      note: `no LZA pipeline ${lza.pipelineName}: closed at verification (lza.measureGap auto)`,
    };
  return undefined;
}

/** Whether the owner must ask if the pipeline exists before it can settle a measured vend. */
export function needsPipelineCheck(measureGap: MeasureGap): boolean {
  return measureGap === 'auto';
}

export type OwnerFinish =
  | { measurement: VendMeasurement }
  | { awaitingEnrollment: true }
  | { failed: true; closeNote?: string };

/**
 * How the vend's owner ends its claim: with the measurement once every governed region is
 * verified (by any execution) and none failed here; otherwise it gives the claim up, so a later
 * execution (or the follow-up) measures the vend.
 */
export function ownerFinish(
  measurement: VendMeasurement | undefined,
  summary: Pick<EnforcementSummary, 'failed' | 'refused'>,
  outcome: EnforcementOutcome,
): OwnerFinish {
  if (measurement && summary.failed === 0 && summary.refused === 0) return { measurement };
  if (outcome === 'account-not-active')
    return { failed: true, closeNote: 'account not active (suspended or closed): not bootstrapped' };
  return outcome === 'awaiting-enrollment' ? { awaitingEnrollment: true } : { failed: true };
}

/** The metrics of one enforcement; `measured` when this execution stored the vend's exposure. */
export function enforcementMetrics(
  summary: Pick<EnforcementSummary, 'compliant' | 'failed' | 'refused'>,
  outcome: EnforcementOutcome,
  measured: VendMeasurement | undefined,
): MetricPoint[] {
  return [
    { name: METRIC.regionsCompliant, unit: 'Count', value: summary.compliant },
    { name: METRIC.regionsFailed, unit: 'Count', value: summary.failed },
    { name: METRIC.regionsRefused, unit: 'Count', value: summary.refused },
    ...(outcome === 'awaiting-enrollment'
      ? [{ name: METRIC.accountsAwaitingEnrollment, unit: 'Count', value: 1 } as const]
      : []),
    ...(measured ? exposureMetrics(measured) : []),
  ];
}

/** A vend's exposure and role wait, emitted once per vend by whichever execution measured it. */
export function exposureMetrics(measured: VendMeasurement): MetricPoint[] {
  return [
    { name: METRIC.vendToRunAsSeconds, unit: 'Seconds', value: measured.exposureSeconds },
    ...(measured.roleWaitSeconds !== undefined
      ? [{ name: METRIC.roleWaitSeconds, unit: 'Seconds', value: measured.roleWaitSeconds } as const]
      : []),
  ];
}

/** RecordEnforcement's output, from the request and what was recorded. */
export function enforcementRecord(
  request: { accountId: string; trigger: string; vendedAt: string },
  roleAssumableAt: string | undefined,
  summary: EnforcementSummary,
  outcome: EnforcementOutcome,
  measures: boolean,
): EnforcementRecord {
  const { accountId, trigger, vendedAt } = request;
  return {
    accountId,
    trigger,
    vendedAt,
    ...(roleAssumableAt ? { roleAssumableAt } : {}),
    ...summary,
    measures,
    outcome,
  };
}
