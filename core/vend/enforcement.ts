/** Per-account summary arithmetic, shared by the metrics handler and the local report. */
import type { RegionResult, RegionStatus } from '../document/region-result.ts';

export interface EnforcementSummary {
  compliant: number;
  failed: number;
  refused: number;
  /** When the last compliant region was verified; absent when none is. */
  runAsVerifiedAt?: string;
  /** Vend (or request) to RunAs verified in every region; absent unless all are compliant. */
  exposureSeconds?: number;
  roleWaitSeconds?: number;
}

export function secondsBetween(from: string, to: string): number {
  return Math.round(Date.parse(to) - Date.parse(from)) / 1000;
}

export function summarizeEnforcement(
  vendedAt: string,
  roleAssumableAt: string | undefined,
  regions: readonly RegionResult[],
): EnforcementSummary {
  const count = (status: RegionStatus) => regions.filter((r) => r.status === status).length;
  const summary: EnforcementSummary = {
    compliant: count('compliant'),
    failed: count('failed'),
    refused: count('refused'),
  };
  if (roleAssumableAt) summary.roleWaitSeconds = Math.max(0, secondsBetween(vendedAt, roleAssumableAt));
  const verified = regions
    .flatMap((r) => (r.status === 'compliant' ? [r.verifiedAt] : []))
    .sort()
    .at(-1);
  if (verified) summary.runAsVerifiedAt = verified;
  if (verified && regions.length > 0 && summary.compliant === regions.length) {
    summary.exposureSeconds = Math.max(0, secondsBetween(vendedAt, verified));
  }
  return summary;
}
