/**
 * The rows of the HTML report's timeline: each account's milestones in seconds since the
 * first vend, its exposure, the gap closed, and why either was not measured.
 */
import type { AccountReport, DemoReport } from './report.ts';

export type MilestoneKey = 'vend' | 'role' | 'verified' | 'security' | 'customizations';

export const MILESTONE_LABEL: Record<MilestoneKey, string> = {
  vend: 'vended',
  role: 'role assumable',
  verified: 'RunAs verified',
  security: 'LZA Security_Resources finished',
  customizations: 'LZA Customizations finished',
};

export interface Span {
  from: number;
  to: number;
  seconds: number;
}

export interface TimelineRow {
  account: AccountReport;
  /** Seconds since the first vend of the run. */
  at: Partial<Record<MilestoneKey, number>>;
  /** Why vend to RunAs verified is not an exposure for this account. */
  notMeasured?: string;
  /** Why the gap was not measured although the exposure was. */
  gapNote?: string;
  exposure?: Span;
  gap?: Span;
  /** RunAs off again from LZA's Security_Resources to the repair (at least). */
  reexposure?: Span;
}

function notMeasuredReason(account: AccountReport): string | undefined {
  if (!account.vendedAt) return 'not measured: no bootstrap run started for this account';
  const regions = Object.entries(account.regions);
  const failed = regions.filter(([, r]) => r.status === 'failed' || r.status === 'skipped');
  if (failed.length > 0) {
    const error = failed.find(([, r]) => r.error)?.[1].error;
    return `not measured: failed in ${failed.map(([name]) => name).join(', ')}${error ? ` (${error})` : ''}`;
  }
  const refused = regions.filter(([, r]) => r.status === 'refused').map(([name]) => name);
  if (refused.length > 0)
    return `not measured: refused in ${refused.join(', ')}, a foreign document was left as is`;
  if (account.measured === false) {
    const first = regions[0]?.[1];
    return first?.action === 'unchanged'
      ? 'not measured: already compliant, RunAs was set before the bootstrapper ran'
      : 'not measured: the run was not for a vend';
  }
  if (account.exposureSeconds === undefined || !account.runAsVerifiedAt)
    return 'not measured: RunAs was not verified in every region';
  return undefined;
}

export function buildRows(report: DemoReport): { rows: TimelineRow[] } {
  const vends = report.accounts
    .map((a) => (a.vendedAt ? Date.parse(a.vendedAt) : Number.NaN))
    .filter((t) => Number.isFinite(t));
  const origin = vends.length > 0 ? Math.min(...vends) : undefined;
  const offset = (iso: string | undefined) =>
    iso === undefined || origin === undefined || !Number.isFinite(Date.parse(iso))
      ? undefined
      : (Date.parse(iso) - origin) / 1000;
  const rows = report.accounts.map((account): TimelineRow => {
    const at: TimelineRow['at'] = {};
    const set = (key: MilestoneKey, iso: string | undefined) => {
      const value = offset(iso);
      if (value !== undefined) at[key] = value;
    };
    set('vend', account.vendedAt);
    set('role', account.roleAssumableAt);
    set('verified', account.runAsVerifiedAt);
    set('security', account.securityResourcesCompletedAt);
    set('customizations', account.customizationsCompletedAt);
    const row: TimelineRow = { account, at };
    const reason = notMeasuredReason(account);
    if (reason) return { ...row, notMeasured: reason };
    const { vend, verified, customizations, security } = at;
    if (security !== undefined && account.reexposedSeconds)
      row.reexposure = {
        from: security,
        to: security + account.reexposedSeconds,
        seconds: account.reexposedSeconds,
      };
    if (vend !== undefined && verified !== undefined && account.exposureSeconds !== undefined)
      row.exposure = { from: vend, to: verified, seconds: account.exposureSeconds };
    if (
      verified !== undefined &&
      customizations !== undefined &&
      account.gapClosedSeconds !== undefined &&
      account.gapClosedSeconds > 0
    )
      row.gap = { from: verified, to: customizations, seconds: account.gapClosedSeconds };
    else if (account.gapClosedSeconds !== undefined && account.gapClosedSeconds <= 0)
      row.gapNote = 'no gap closed: LZA Customizations finished before RunAs was verified';
    else
      row.gapNote = `gap not measured${account.gap ? `: ${account.gap}` : ': no LZA pipeline run covered the vend'}`;
    return row;
  });
  return { rows };
}

/** "2/3 regions" when RunAs was verified in only some governed regions, else undefined. */
export function partlyVerified(account: AccountReport): string | undefined {
  const all = Object.values(account.regions);
  const compliant = all.filter((r) => r.status === 'compliant').length;
  return compliant < all.length ? `${compliant}/${all.length} regions` : undefined;
}
