import { describe, expect, it } from 'vitest';
import type { RegionResult } from '#core/document/region-result.ts';
import { summarizeEnforcement } from '#core/vend/enforcement.ts';
import { closureWhenMeasured, vendVerification } from '#core/vend/enforcement-record.ts';
import { canClaim, OWNER_LEASE_SLACK_MINUTES, runningOwner } from '#core/vend/ledger.ts';

const JOINED = '2026-11-30T10:00:00.000Z';
const NOW = '2026-11-30T10:05:00.000Z';
const compliant: RegionResult = {
  region: 'us-east-1',
  status: 'compliant',
  action: 'created',
  verifiedAt: '2026-11-30T10:01:00.000Z',
};
const failed: RegionResult = { region: 'eu-west-1', status: 'failed', error: 'AwsTransientError' };

describe('runningOwner', () => {
  it('claims a vend for an execution, leased to the given time plus the slack', () => {
    // Act
    const owner = runningOwner('exec-1', NOW, NOW);
    // Assess
    expect(owner).toEqual({
      execution: 'exec-1',
      claimedAt: NOW,
      leaseUntil: new Date(Date.parse(NOW) + OWNER_LEASE_SLACK_MINUTES * 60_000).toISOString(),
      state: 'running',
    });
  });

  it('holds the vend against other executions until the lease runs out', () => {
    // Prepare
    const owner = runningOwner('exec-1', NOW, NOW);
    const record = { state: 'pending' as const, owner };
    // Act / Assess
    expect(canClaim(record, Date.parse(NOW) + 60_000)).toBe(false);
    expect(canClaim(record, Date.parse(owner.leaseUntil) + 1)).toBe(true);
  });
});

describe('vendVerification', () => {
  const input = (owner: boolean) => ({
    request: { accountId: '111111111111', vendedAt: JOINED, owner },
    role: { assumableAt: '2026-11-30T10:00:30.000Z' },
    regions: [compliant, failed],
    execution: 'exec-1',
  });
  const summary = summarizeEnforcement(JOINED, '2026-11-30T10:00:30.000Z', [compliant, failed]);

  it('records the compliant regions and the role time for the vend, with the owner’s inputs for its owner', () => {
    // Act
    const verification = vendVerification(input(true), summary, 'enforced');
    // Assess
    expect(verification).toEqual({
      vend: { accountId: '111111111111', joinedAt: JOINED },
      execution: 'exec-1',
      regions: { 'us-east-1': { verifiedAt: compliant.verifiedAt, action: 'created' } },
      roleAssumableAt: '2026-11-30T10:00:30.000Z',
      owner: { summary, outcome: 'enforced' },
    });
  });

  it('has no owner part for an execution that does not own the vend, and no role time without a role', () => {
    // Act
    const verification = vendVerification({ ...input(false), role: undefined }, summary, 'role-unavailable');
    // Assess
    expect(verification).not.toHaveProperty('owner');
    expect(verification.roleAssumableAt).toBeUndefined();
  });
});

describe('closureWhenMeasured', () => {
  const lza = (measureGap: boolean | 'auto') => ({ measureGap, pipelineName: 'P' });

  it('closes a measured vend at once when gap measurement is off', () => {
    // Act / Assess
    expect(closureWhenMeasured(lza(true))).toBeUndefined();
    expect(closureWhenMeasured(lza(true), false)).toBeUndefined();
    expect(closureWhenMeasured(lza(false))).toEqual({
      state: 'closed',
      note: 'gap measurement is off (lza.measureGap is false)',
    });
  });

  it('closes at verification under auto only when the pipeline does not exist', () => {
    expect(closureWhenMeasured(lza('auto'), true)).toBeUndefined();
    expect(closureWhenMeasured(lza('auto'), false)).toEqual({
      state: 'closed',
      note: 'no LZA pipeline P: closed at verification (lza.measureGap auto)',
    });
  });
});
