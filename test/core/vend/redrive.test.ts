import { describe, expect, it } from 'vitest';
import { MAX_REDRIVES, planRedrives, redrivesOf } from '#core/vend/redrive.ts';
import { JOINED, vendRecord } from '#test/fixtures/vend-record.ts';

const NOW = Date.parse(JOINED) + 2 * 3_600_000;
const context = { managementAccountId: '999999999999', region: 'us-east-1', vendWindowHours: 24 };
const failedOwner = { execution: 'a', claimedAt: JOINED, leaseUntil: JOINED, state: 'failed' as const };
const redriveTrigger = (n: number) => ({
  trigger: 'replay',
  at: JOINED,
  execution: `r${n}`,
  eventId: `redrive-x-${n}`,
});

describe('the reconciler re-drive', () => {
  it('re-drives a pending vend whose owner failed with a region unverified, as a replay from the management account', () => {
    // Prepare
    const vend = vendRecord({ owner: failedOwner, regions: { 'us-east-1': { verifiedAt: JOINED } } });
    // Act
    const plan = planRedrives([vend], NOW, context);
    // Assess
    expect(plan.exhausted).toEqual([]);
    expect(plan.redrive).toEqual([
      expect.objectContaining({
        source: 'runas-bootstrapper',
        'detail-type': 'Bootstrap Account Requested',
        account: '999999999999',
        id: `redrive-${vend.accountId}-${Date.parse(JOINED)}-1`,
        detail: expect.objectContaining({ accountId: vend.accountId }),
      }),
    ]);
  });

  it('leaves alone a vend whose owner still works, one verified everywhere, and one past the vend window', () => {
    const live = vendRecord({
      owner: { ...failedOwner, state: 'running', leaseUntil: new Date(NOW + 60_000).toISOString() },
    });
    const verified = vendRecord({
      owner: failedOwner,
      regions: { 'us-east-1': { verifiedAt: JOINED }, 'eu-west-1': { verifiedAt: JOINED } },
    });
    const old = vendRecord({ owner: failedOwner });
    expect(planRedrives([live, verified], NOW, context)).toEqual({ redrive: [], exhausted: [] });
    expect(planRedrives([old], Date.parse(JOINED) + 25 * 3_600_000, context)).toEqual({
      redrive: [],
      exhausted: [],
    });
  });

  it(`stops after ${MAX_REDRIVES} re-drives and reports the vend as exhausted`, () => {
    // Prepare
    const triggers = Array.from({ length: MAX_REDRIVES }, (_, i) => redriveTrigger(i + 1));
    const vend = vendRecord({ owner: failedOwner, triggers });
    // Act
    const plan = planRedrives([vend], NOW, context);
    // Assess
    expect(redrivesOf(vend)).toBe(MAX_REDRIVES);
    expect(plan).toEqual({ redrive: [], exhausted: [{ accountId: vend.accountId, joinedAt: JOINED }] });
  });
});
