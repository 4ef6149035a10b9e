import { describe, expect, it } from 'vitest';
import type { RegionResult } from '#core/document/region-result.ts';
import { METRIC } from '#core/shared/metrics.ts';
import { summarizeEnforcement } from '#core/vend/enforcement.ts';
import {
  enforcementMetrics,
  enforcementOutcome,
  enforcementRecord,
  ownerFinish,
  verifiedRegions,
} from '#core/vend/enforcement-record.ts';

const VENDED = '2026-11-30T10:00:00.000Z';
const compliant: RegionResult = {
  region: 'us-east-1',
  status: 'compliant',
  action: 'updated',
  verifiedAt: '2026-11-30T10:01:00.000Z',
  latestVersion: '3',
  defaultVersion: '3',
  apply: { region: 'us-east-1', action: 'updated', versionAfter: '3', promoted: true, pruned: ['1'] },
};
const refused: RegionResult = {
  region: 'eu-west-1',
  status: 'refused',
  action: 'refused',
  error: 'X',
  cause: 'y',
};
const failed: RegionResult = { region: 'ap-south-1', status: 'failed', error: 'AwsTransientError' };
const measurement = { runAsVerifiedAt: compliant.verifiedAt, exposureSeconds: 60, roleWaitSeconds: 20 };

describe('summarizeEnforcement', () => {
  it('counts each status and measures the exposure only when every region is compliant', () => {
    // Act
    const all = summarizeEnforcement(VENDED, '2026-11-30T10:00:20.000Z', [compliant]);
    const some = summarizeEnforcement(VENDED, undefined, [compliant, refused, failed]);
    // Assess
    expect(all).toEqual({
      compliant: 1,
      failed: 0,
      refused: 0,
      roleWaitSeconds: 20,
      runAsVerifiedAt: compliant.verifiedAt,
      exposureSeconds: 60,
    });
    expect(some).toEqual({ compliant: 1, failed: 1, refused: 1, runAsVerifiedAt: compliant.verifiedAt });
  });
});

describe('enforcement record', () => {
  it('calls an invited account without a role awaiting enrollment, any other role failure unavailable', () => {
    expect(enforcementOutcome(false, true)).toBe('enforced');
    expect(enforcementOutcome(true, true)).toBe('awaiting-enrollment');
    expect(enforcementOutcome(true, false)).toBe('role-unavailable');
  });

  it('gives the ledger the compliant regions only, with their versions and pruned versions', () => {
    expect(verifiedRegions([compliant, refused, failed])).toEqual({
      'us-east-1': {
        verifiedAt: compliant.verifiedAt,
        action: 'updated',
        latestVersion: '3',
        defaultVersion: '3',
        pruned: ['1'],
      },
    });
  });

  it('lets the owner store the measurement only when nothing failed here; otherwise it gives the claim up', () => {
    const clean = { failed: 0, refused: 0 };
    expect(ownerFinish(measurement, clean, 'enforced')).toEqual({ measurement });
    expect(ownerFinish(measurement, { failed: 0, refused: 1 }, 'enforced')).toEqual({ failed: true });
    expect(ownerFinish(undefined, clean, 'enforced')).toEqual({ failed: true });
    expect(ownerFinish(undefined, clean, 'awaiting-enrollment')).toEqual({ awaitingEnrollment: true });
  });

  it('emits the region counts always, enrollment and exposure only when they apply', () => {
    // Prepare
    const summary = { compliant: 2, failed: 1, refused: 0 };
    // Act
    const plain = enforcementMetrics(summary, 'enforced', undefined);
    const full = enforcementMetrics(summary, 'awaiting-enrollment', measurement);
    // Assess
    expect(plain).toEqual([
      { name: METRIC.regionsCompliant, unit: 'Count', value: 2 },
      { name: METRIC.regionsFailed, unit: 'Count', value: 1 },
      { name: METRIC.regionsRefused, unit: 'Count', value: 0 },
    ]);
    expect(full.slice(3)).toEqual([
      { name: METRIC.accountsAwaitingEnrollment, unit: 'Count', value: 1 },
      { name: METRIC.vendToRunAsSeconds, unit: 'Seconds', value: 60 },
      { name: METRIC.roleWaitSeconds, unit: 'Seconds', value: 20 },
    ]);
  });

  it('returns the request, the summary and the outcome', () => {
    // Prepare
    const summary = summarizeEnforcement(VENDED, undefined, [failed]);
    const request = { accountId: '111111111111', trigger: 'replay', vendedAt: VENDED };
    // Act + Assess
    expect(enforcementRecord(request, undefined, summary, 'enforced', false)).toEqual({
      ...request,
      ...summary,
      measures: false,
      outcome: 'enforced',
    });
    expect(enforcementRecord(request, VENDED, summary, 'enforced', true)).toMatchObject({
      roleAssumableAt: VENDED,
      measures: true,
    });
  });
});
