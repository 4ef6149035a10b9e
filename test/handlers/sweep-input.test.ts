import { describe, expect, it } from 'vitest';
import { emptySweepTotals } from '#core/sweep/sweep.ts';
import { continuingSweep } from '#handlers/shared/schemas.ts';

const OPTIONS = {
  repair: false,
  maxConcurrency: 5,
  regions: ['us-east-1'],
  startedAt: '2026-11-30T10:00:00Z',
};

describe('continuingSweep', () => {
  it('takes the execution input (options, or nothing) for a first call', () => {
    // Act / Assess
    expect(continuingSweep(undefined)).toBeUndefined();
    expect(continuingSweep(null)).toBeUndefined();
    expect(continuingSweep({ repair: true, regions: ['us-east-1'] })).toBeUndefined();
  });

  it('reads the state carried between batches, with its defaults filled in', () => {
    // Prepare
    const carried = { options: OPTIONS, page: { nextToken: 't' }, totals: emptySweepTotals() };
    // Act
    const state = continuingSweep(carried);
    // Assess
    expect(state).toEqual({
      options: OPTIONS,
      page: { accountIds: [], nextToken: 't', skipped: { inactive: 0, excluded: 0 } },
      totals: emptySweepTotals(),
    });
  });

  it('refuses a carried state that is malformed rather than starting the sweep over', () => {
    // Act / Assess
    expect(() => continuingSweep({ options: OPTIONS, page: {}, totals: { accountsChecked: 'x' } })).toThrow();
  });
});
