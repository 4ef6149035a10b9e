import { describe, expect, it } from 'vitest';
import type { VendOwner, VendState } from '#core/vend/ledger.ts';
import {
  canTransition,
  mayMove,
  ownerIsLive,
  statesLeadingTo,
  VEND_STATES,
  VEND_TRANSITIONS,
} from '#core/vend/transitions.ts';

const NOW = Date.parse('2026-11-30T12:00:00.000Z');
const owner = (state: VendOwner['state'], leaseMs: number): VendOwner => ({
  execution: 'a',
  claimedAt: '2026-11-30T10:00:00.000Z',
  leaseUntil: new Date(leaseMs).toISOString(),
  state,
});

describe('the vend transition table', () => {
  it('lists exactly these transitions', () => {
    // Prepare + Act
    const edges = VEND_STATES.flatMap((from) => VEND_TRANSITIONS[from].map((to) => `${from} → ${to}`));
    // Assess
    expect(edges.sort()).toEqual(
      [
        'awaiting-enrollment → pending',
        'pending → awaiting-enrollment',
        'pending → closed',
        'pending → expired',
        'pending → pending',
        'pending → verified',
        'verified → closed',
        'verified → expired',
      ].sort(),
    );
  });

  it('never leaves a settled vend, and never verifies one again', () => {
    for (const settled of ['closed', 'expired'] as const) {
      for (const to of VEND_STATES) expect(canTransition(settled, to), `${settled} → ${to}`).toBe(false);
    }
    expect(statesLeadingTo('verified')).toEqual(['pending']);
  });

  it('never goes backwards: no state is reachable again once left for a later one', () => {
    // Prepare: the order of a vend's life; awaiting-enrollment sits before pending.
    const order: Record<VendState, number> = {
      'awaiting-enrollment': 0,
      pending: 1,
      verified: 2,
      closed: 3,
      expired: 3,
    };
    // Act + Assess: every edge either keeps its rank or raises it, except the one parking edge.
    for (const from of VEND_STATES) {
      for (const to of VEND_TRANSITIONS[from] as readonly VendState[]) {
        if (from === 'pending' && to === 'awaiting-enrollment') continue;
        expect(order[to], `${from} → ${to}`).toBeGreaterThanOrEqual(order[from]);
      }
    }
  });

  it('gives each write the states it may leave', () => {
    expect(statesLeadingTo('pending').sort()).toEqual(['awaiting-enrollment', 'pending']);
    expect(statesLeadingTo('closed').sort()).toEqual(['pending', 'verified']);
    expect(statesLeadingTo('expired').sort()).toEqual(['pending', 'verified']);
    expect(statesLeadingTo('awaiting-enrollment')).toEqual(['pending']);
  });
});

describe('mayMove', () => {
  it('never settles a pending vend whose owner runs within its lease', () => {
    const live = { state: 'pending' as const, owner: owner('running', NOW + 1) };
    expect(ownerIsLive(live.owner, NOW)).toBe(true);
    expect(mayMove(live, 'expired', NOW)).toBe(false);
    expect(mayMove(live, 'closed', NOW)).toBe(false);
    expect(mayMove(live, 'verified', NOW)).toBe(true);
  });

  it('settles a pending vend whose owner failed, finished or went silent past its lease', () => {
    for (const gone of [owner('failed', NOW + 1), owner('done', NOW + 1), owner('running', NOW - 1)])
      expect(mayMove({ state: 'pending', owner: gone }, 'expired', NOW), gone.state).toBe(true);
    expect(mayMove({ state: 'pending' }, 'closed', NOW)).toBe(true);
  });

  it('follows the table for the other states', () => {
    expect(mayMove({ state: 'verified' }, 'expired', NOW)).toBe(true);
    expect(mayMove({ state: 'expired' }, 'verified', NOW)).toBe(false);
    expect(mayMove({ state: 'closed' }, 'closed', NOW)).toBe(false);
  });
});
