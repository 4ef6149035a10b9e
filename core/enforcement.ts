/** Per-account summary arithmetic, shared by the metrics handler and the local report. */

export interface RegionOutcome {
  region: string;
  status: 'compliant' | 'failed' | 'refused';
  verifiedAt?: string;
}

export interface EnforcementSummary {
  compliant: number;
  failed: number;
  refused: number;
  /** When the last region was verified; absent unless every region is compliant. */
  runAsVerifiedAt?: string;
  /** Vend (or request) to RunAs verified in every region. */
  exposureSeconds?: number;
  roleWaitSeconds?: number;
}

export function secondsBetween(from: string, to: string): number {
  return Math.round(Date.parse(to) - Date.parse(from)) / 1000;
}

export function summarizeEnforcement(
  vendedAt: string,
  roleAssumableAt: string | undefined,
  regions: readonly RegionOutcome[],
): EnforcementSummary {
  const count = (status: RegionOutcome['status']) => regions.filter((r) => r.status === status).length;
  const summary: EnforcementSummary = {
    compliant: count('compliant'),
    failed: count('failed'),
    refused: count('refused'),
  };
  if (roleAssumableAt) summary.roleWaitSeconds = Math.max(0, secondsBetween(vendedAt, roleAssumableAt));
  const allCompliant = regions.length > 0 && summary.compliant === regions.length;
  if (allCompliant) {
    const last = regions
      .map((r) => r.verifiedAt ?? '')
      .sort()
      .at(-1);
    if (last) {
      summary.runAsVerifiedAt = last;
      summary.exposureSeconds = Math.max(0, secondsBetween(vendedAt, last));
    }
  }
  return summary;
}
