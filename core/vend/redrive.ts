/**
 * The reconciler's re-drive, pure: a vend whose owner ended with a region unverified (its write
 * ended Failed, say) is bootstrapped again by a replay-shaped request that the reconciler starts,
 * a bounded number of times; after that an alarm asks an operator. Attempts are counted from the
 * vend's own triggers (each re-drive is recorded there with its event id), so nothing else is stored.
 */
import { FOLLOW_UP_CAPS } from '../follow-up/plan.ts';
import { canClaim, classifyRequest, measureVend, type VendKey, type VendRecord } from './ledger.ts';
import { REPLAY_DETAIL_TYPE, REPLAY_SOURCE } from './rules.ts';

/** Re-drives per vend before the VendRedrivesExhausted alarm. */
export const MAX_REDRIVES = 3;
const REDRIVE_ID_PREFIX = 'redrive-';

/** How many times the reconciler has re-driven the vend. */
export function redrivesOf(record: Pick<VendRecord, 'triggers'>): number {
  return record.triggers.filter((t) => t.eventId?.startsWith(REDRIVE_ID_PREFIX)).length;
}

/**
 * A pending vend nobody works on any more, with a governed region still unverified, and still
 * within the vend window (a later request is an enrollment update: it would enforce, not redo the vend).
 */
export function needsRedrive(record: VendRecord, nowMs: number, vendWindowHours: number): boolean {
  return (
    record.state === 'pending' &&
    canClaim(record, nowMs) &&
    measureVend(record) === undefined &&
    classifyRequest(record, nowMs, vendWindowHours) === 'vend'
  );
}

export interface RedriveContext {
  managementAccountId: string | undefined;
  region: string;
  vendWindowHours: number;
}

export interface RedrivePlan {
  /** The bootstrap requests to start, one per vend. */
  redrive: Record<string, unknown>[];
  /** Vends past MAX_REDRIVES: counted in VendRedrivesExhausted. */
  exhausted: VendKey[];
}

/** The replay request that re-drives one vend, as the bootstrap rule would deliver it. */
export function redriveRequest(
  record: VendRecord,
  attempt: number,
  nowMs: number,
  context: RedriveContext,
): Record<string, unknown> {
  return {
    version: '0',
    id: `${REDRIVE_ID_PREFIX}${record.accountId}-${Date.parse(record.joinedAt)}-${attempt}`,
    'detail-type': REPLAY_DETAIL_TYPE,
    source: REPLAY_SOURCE,
    account: context.managementAccountId ?? '',
    time: new Date(nowMs).toISOString(),
    region: context.region,
    resources: [],
    detail: {
      accountId: record.accountId,
      reason: `reconciler re-drive ${attempt} of ${MAX_REDRIVES}: the owner ended with a region unverified`,
    },
  };
}

export function planRedrives(
  vends: readonly VendRecord[],
  nowMs: number,
  context: RedriveContext,
): RedrivePlan {
  const redrive: Record<string, unknown>[] = [];
  const exhausted: VendKey[] = [];
  for (const vend of vends) {
    if (!needsRedrive(vend, nowMs, context.vendWindowHours)) continue;
    const done = redrivesOf(vend);
    if (done >= MAX_REDRIVES) exhausted.push({ accountId: vend.accountId, joinedAt: vend.joinedAt });
    // Capped like the rest of a plan (state payload, history); the rest waits for the next reconcile.
    else if (redrive.length < FOLLOW_UP_CAPS.redrives)
      redrive.push(redriveRequest(vend, done + 1, nowMs, context));
  }
  return { redrive, exhausted };
}
