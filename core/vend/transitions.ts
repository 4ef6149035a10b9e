/**
 * The vend ledger's state machine, as one table: which state a vend may move to from which.
 * The adapter writes every state change with a condition on the states this table allows it to
 * leave (a DynamoDB condition expression), so a late or duplicate writer can never move a vend
 * backwards: a closed or expired vend is never verified again, and a pending vend whose owner
 * still holds its lease is never expired or closed under it.
 */
import type { VendOwner, VendState } from './ledger.ts';

/** From each state, the states a single ledger write may move the vend to. */
export const VEND_TRANSITIONS = {
  /** Claimed again (a takeover), measured, parked for enrollment, or settled without a measurement. */
  pending: ['pending', 'verified', 'awaiting-enrollment', 'closed', 'expired'],
  /** Control Tower's enrollment claims the parked vend. */
  'awaiting-enrollment': ['pending'],
  /** Followed until the covering run's Customizations closes it, or it expires. */
  verified: ['closed', 'expired'],
  /** Settled: nothing moves it again. */
  closed: [],
  expired: [],
} as const satisfies Record<VendState, readonly VendState[]>;

export const VEND_STATES = Object.keys(VEND_TRANSITIONS) as VendState[];

export function canTransition(from: VendState, to: VendState): boolean {
  return (VEND_TRANSITIONS[from] as readonly VendState[]).includes(to);
}

/** The states a write to `to` may leave: the condition every such write carries. */
export function statesLeadingTo(to: VendState): VendState[] {
  return VEND_STATES.filter((from) => canTransition(from, to));
}

/** States that settle a vend: they need the owner's lease guard when they leave `pending`. */
export const SETTLED_STATES: readonly VendState[] = ['closed', 'expired'];

/** Whether an owner is still working on the vend: running and within its lease. */
export function ownerIsLive(owner: VendOwner | undefined, nowMs: number): boolean {
  return owner?.state === 'running' && Date.parse(owner.leaseUntil) >= nowMs;
}

/**
 * Whether a vend in `state` may move to `to` now. Settling a pending vend also needs its owner
 * gone: failed, done, or silent past its lease.
 */
export function mayMove(
  record: { state: VendState; owner?: VendOwner | undefined },
  to: VendState,
  nowMs: number,
): boolean {
  if (!canTransition(record.state, to)) return false;
  if (record.state === 'pending' && SETTLED_STATES.includes(to)) return !ownerIsLive(record.owner, nowMs);
  return true;
}

/**
 * Whether a later trigger should ask if the vend's owner execution still runs: the vend is
 * pending under an owner that holds its lease (else the claim alone takes over) and whose
 * execution ARN is known.
 */
export function ownerToCheck(
  record: { state: VendState; owner?: VendOwner | undefined },
  nowMs: number,
): string | undefined {
  if (record.state !== 'pending' || !ownerIsLive(record.owner, nowMs)) return undefined;
  return record.owner?.executionArn;
}
