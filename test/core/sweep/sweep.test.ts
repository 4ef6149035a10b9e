import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_GOVERNED_REGIONS } from '#core/config/config.ts';
import { FATAL_ERROR_NAMES, RETRYABLE_ERROR_NAMES } from '#core/shared/errors.ts';
import {
  addSweepTotals,
  emptySweepTotals,
  MAX_FINDINGS,
  MAX_SWEEP_BATCH,
  ORGANIZATIONS_PAGE_SIZE,
  STATE_LIMIT_BYTES,
  type SweepAccountResult,
  type SweepFinding,
  type SweepRegionResult,
  type SweepTotals,
  selectSweepAccounts,
  sweepAccountStatus,
  sweepBatchSize,
  sweepFailures,
  sweepIsClean,
  tallySweepBatch,
} from '#core/sweep/sweep.ts';
import { recordSweepInput } from '#handlers/shared/schemas.ts';

const ok = (region: string): SweepRegionResult => ({ region, status: 'compliant' });
const drifted = (region: string): SweepRegionResult => ({
  region,
  status: 'drifted',
  error: 'VerificationFailedError',
});
const repaired = (region: string): SweepRegionResult => ({ region, status: 'repaired' });
const refused = (region: string): SweepRegionResult => ({
  region,
  status: 'refused',
  error: 'PreferencesDocumentInvalidError',
});
const failed = (region: string, error = 'AwsTransientError'): SweepRegionResult => ({
  region,
  status: 'failed',
  error,
});

/** A batch's totals with `count` findings (every account drifted in one region), ids from `first`. */
function batchOfFindings(count: number, first: number): SweepTotals {
  return tallySweepBatch(
    Array.from({ length: count }, (_, i) => ({
      accountId: String(first + i).padStart(12, '0'),
      regions: [drifted('us-east-1'), ok('eu-west-1')],
    })),
  );
}

describe('selectSweepAccounts', () => {
  it('visits ACTIVE members and counts the rest as inactive or excluded', () => {
    // Prepare
    const members = [
      { accountId: '111111111111', state: 'ACTIVE' },
      { accountId: '222222222222', state: 'SUSPENDED' },
      { accountId: '333333333333', state: 'PENDING_CLOSURE' },
      { accountId: '444444444444', state: 'ACTIVE' },
      { accountId: '555555555555', state: 'ACTIVE' },
      { accountId: '999999999999', state: 'ACTIVE' },
    ];
    // Act
    const selection = selectSweepAccounts(members, {
      excludeAccountIds: ['555555555555'],
      managementAccountId: '999999999999',
    });
    // Assess
    expect(selection).toEqual({ accountIds: ['111111111111', '444444444444'], inactive: 2, excluded: 2 });
  });

  it('counts an excluded account that is also inactive as excluded, once', () => {
    // Prepare
    const members = [
      { accountId: '222222222222', state: 'SUSPENDED' },
      { accountId: '999999999999', state: 'PENDING_CLOSURE' },
    ];
    // Act
    const selection = selectSweepAccounts(members, {
      excludeAccountIds: ['222222222222'],
      managementAccountId: '999999999999',
    });
    // Assess
    expect(selection).toEqual({ accountIds: [], inactive: 0, excluded: 2 });
  });

  it('counts the management account once when it is also listed in excludeAccountIds', () => {
    // Act
    const selection = selectSweepAccounts([{ accountId: '999999999999', state: 'ACTIVE' }], {
      excludeAccountIds: ['999999999999'],
      managementAccountId: '999999999999',
    });
    // Assess
    expect(selection).toEqual({ accountIds: [], inactive: 0, excluded: 1 });
  });

  it('visits every ACTIVE member when no management account is known', () => {
    // Act
    const selection = selectSweepAccounts(
      [
        { accountId: '111111111111', state: 'ACTIVE' },
        { accountId: '999999999999', state: 'ACTIVE' },
        { accountId: '333333333333', state: 'UNKNOWN' },
      ],
      { excludeAccountIds: [], managementAccountId: undefined },
    );
    // Assess
    expect(selection).toEqual({ accountIds: ['111111111111', '999999999999'], inactive: 1, excluded: 0 });
  });

  it('property: every member is visited, inactive or excluded, exactly once', () => {
    const member = fc.record({
      accountId: fc.integer({ min: 0, max: 30 }).map((n) => String(n).padStart(12, '0')),
      state: fc.constantFrom('ACTIVE', 'SUSPENDED', 'PENDING_CLOSURE'),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(member, { selector: (m) => m.accountId, maxLength: 30 }),
        fc.subarray(Array.from({ length: 31 }, (_, n) => String(n).padStart(12, '0'))),
        (members, excludeAccountIds) => {
          const selection = selectSweepAccounts(members, { excludeAccountIds });
          expect(selection.accountIds.length + selection.inactive + selection.excluded).toBe(members.length);
          for (const id of selection.accountIds) expect(excludeAccountIds).not.toContain(id);
        },
      ),
    );
  });
});

describe('sweepAccountStatus', () => {
  it.each([
    ['compliant', [ok('us-east-1'), ok('eu-west-1')]],
    ['repaired', [ok('us-east-1'), repaired('eu-west-1')]],
    ['drifted', [drifted('us-east-1'), repaired('eu-west-1')]],
    ['refused', [refused('us-east-1'), drifted('eu-west-1'), repaired('ap-south-1')]],
    ['failed', [failed('us-east-1'), refused('eu-west-1'), drifted('ap-south-1'), repaired('sa-east-1')]],
  ] as const)('is %s when that is the worst region outcome', (expected, regions) => {
    // Act
    const status = sweepAccountStatus({ accountId: '111111111111', regions: [...regions] });
    // Assess
    expect(status).toBe(expected);
  });

  it('does not depend on the order of the regions', () => {
    // Prepare
    const regions = [repaired('us-east-1'), failed('eu-west-1'), drifted('ap-south-1'), refused('sa-east-1')];
    // Act
    const statuses = [regions, [...regions].reverse()].map((r) =>
      sweepAccountStatus({ accountId: '111111111111', regions: r }),
    );
    // Assess
    expect(statuses).toEqual(['failed', 'failed']);
  });

  it('is compliant for an account with no region results at all (an empty region list)', () => {
    // Act / Assess
    expect(sweepAccountStatus({ accountId: '111111111111', regions: [] })).toBe('compliant');
  });

  it.each(['RoleWaitTimeoutError', 'RoleNotAssumableError'])(
    'is role-unavailable for a role probe that ended with %s',
    (roleError) => {
      // Act / Assess
      expect(sweepAccountStatus({ accountId: '111111111111', roleError })).toBe('role-unavailable');
    },
  );

  it.each([
    'ThrottlingError',
    'AwsTransientError',
    'Lambda.ServiceException',
    'States.Timeout',
    'InvalidRequestError',
  ])('is failed, not role-unavailable, for a role probe that ended with %s', (roleError) => {
    // Act / Assess
    expect(sweepAccountStatus({ accountId: '111111111111', roleError })).toBe('failed');
  });

  it('is failed for an account with neither regions nor a role error', () => {
    // Act / Assess
    expect(sweepAccountStatus({ accountId: '111111111111' })).toBe('failed');
  });
});

describe('tallySweepBatch', () => {
  const results: SweepAccountResult[] = [
    { accountId: '600000000000', regions: [ok('us-east-1'), ok('eu-west-1')] },
    { accountId: '500000000000', regions: [drifted('us-east-1'), drifted('eu-west-1')] },
    { accountId: '400000000000', regions: [repaired('us-east-1'), ok('eu-west-1')] },
    { accountId: '300000000000', regions: [refused('us-east-1'), repaired('eu-west-1')] },
    { accountId: '200000000000', regions: [failed('us-east-1'), drifted('eu-west-1')] },
    { accountId: '110000000000', roleError: 'RoleWaitTimeoutError' },
    { accountId: '100000000000', roleError: 'ThrottlingError' },
  ];

  it('counts accounts and account × regions by outcome', () => {
    // Act
    const totals = tallySweepBatch(results, { inactive: 3, excluded: 2 });
    // Assess
    expect(totals).toMatchObject({
      accountsChecked: 7,
      accountsCompliant: 1,
      // drifted + repaired regions: 2 (500…) + 1 (400…) + 1 (300…) + 1 (200…).
      driftDetected: 5,
      driftRepaired: 2,
      regionsRefused: 1,
      regionsFailed: 1,
      accountsRoleUnavailable: 1,
      accountsFailed: 1,
      batchesFailed: 0,
      accountsUnswept: 0,
      skippedInactive: 3,
      skippedExcluded: 2,
      findingsOmitted: 0,
    });
  });

  it('lists every account that is not compliant as a finding, sorted by account id, with its non-compliant regions', () => {
    // Act
    const { findings } = tallySweepBatch(results);
    // Assess
    expect(findings).toEqual([
      { accountId: '100000000000', status: 'failed', regions: {}, error: 'ThrottlingError' },
      { accountId: '110000000000', status: 'role-unavailable', regions: {}, error: 'RoleWaitTimeoutError' },
      {
        accountId: '200000000000',
        status: 'failed',
        regions: { 'us-east-1': 'failed', 'eu-west-1': 'drifted' },
      },
      {
        accountId: '300000000000',
        status: 'refused',
        regions: { 'us-east-1': 'refused', 'eu-west-1': 'repaired' },
      },
      { accountId: '400000000000', status: 'repaired', regions: { 'us-east-1': 'repaired' } },
      {
        accountId: '500000000000',
        status: 'drifted',
        regions: { 'us-east-1': 'drifted', 'eu-west-1': 'drifted' },
      },
    ]);
  });

  it('does not count an account whose regions failed as a failed account (its regions are counted)', () => {
    // Act
    const totals = tallySweepBatch([{ accountId: '200000000000', regions: [failed('us-east-1')] }]);
    // Assess
    expect(totals).toMatchObject({ regionsFailed: 1, accountsFailed: 0, accountsRoleUnavailable: 0 });
  });

  it('counts a batch whose Map failed as a whole as one failed batch with its accounts unswept', () => {
    // Act
    const totals = tallySweepBatch([], { inactive: 1, excluded: 0 }, { accounts: 20 });
    // Assess
    expect(totals).toEqual({
      ...emptySweepTotals(),
      batchesFailed: 1,
      accountsUnswept: 20,
      skippedInactive: 1,
    });
    expect(sweepIsClean(totals)).toBe(false);
    expect(sweepFailures(totals)).toBe(20);
  });

  it('is empty for an empty batch', () => {
    // Act / Assess
    expect(tallySweepBatch([])).toEqual(emptySweepTotals());
  });
});

describe('addSweepTotals', () => {
  it('adds every count', () => {
    // Prepare
    const first = tallySweepBatch(
      [
        { accountId: '100000000000', regions: [ok('us-east-1')] },
        { accountId: '200000000000', regions: [repaired('us-east-1')] },
      ],
      { inactive: 1, excluded: 1 },
    );
    const second = tallySweepBatch(
      [
        { accountId: '300000000000', regions: [failed('us-east-1'), refused('eu-west-1')] },
        { accountId: '400000000000', roleError: 'RoleNotAssumableError' },
        { accountId: '500000000000', roleError: 'AwsTransientError' },
      ],
      { inactive: 0, excluded: 2 },
    );
    const third = tallySweepBatch([], { inactive: 4, excluded: 0 }, { accounts: 7 });
    // Act
    const totals = [first, second, third].reduce(addSweepTotals, emptySweepTotals());
    // Assess
    expect(totals).toMatchObject({
      accountsChecked: 5,
      accountsCompliant: 1,
      driftDetected: 1,
      driftRepaired: 1,
      regionsRefused: 1,
      regionsFailed: 1,
      accountsRoleUnavailable: 1,
      accountsFailed: 1,
      batchesFailed: 1,
      accountsUnswept: 7,
      skippedInactive: 5,
      skippedExcluded: 3,
      findingsOmitted: 0,
    });
    expect(totals.findings.map((f) => f.accountId)).toEqual([
      '200000000000',
      '300000000000',
      '400000000000',
      '500000000000',
    ]);
  });

  it(`keeps the first ${MAX_FINDINGS} findings over three batches of 60 and counts the other 80 as omitted`, () => {
    // Prepare
    const batches = [batchOfFindings(60, 100), batchOfFindings(60, 200), batchOfFindings(60, 300)];
    // Act
    const afterTwo = addSweepTotals(addSweepTotals(emptySweepTotals(), batches[0]!), batches[1]!);
    const totals = addSweepTotals(afterTwo, batches[2]!);
    // Assess
    expect(afterTwo.findings).toHaveLength(MAX_FINDINGS);
    expect(afterTwo.findingsOmitted).toBe(20);
    expect(totals.findings).toHaveLength(MAX_FINDINGS);
    expect(totals.findingsOmitted).toBe(80);
    expect(totals.findings.length + totals.findingsOmitted).toBe(180);
    expect(totals.driftDetected).toBe(180);
    // The earliest batches' findings are the ones kept.
    expect(totals.findings[0]!.accountId).toBe('000000000100');
    expect(totals.findings.at(-1)!.accountId).toBe('000000000239');
  });

  it('carries findings already omitted by a batch', () => {
    // Prepare
    const batch = { ...batchOfFindings(5, 100), findingsOmitted: 3 };
    // Act
    const totals = addSweepTotals({ ...emptySweepTotals(), findingsOmitted: 2 }, batch);
    // Assess
    expect(totals.findings).toHaveLength(5);
    expect(totals.findingsOmitted).toBe(5);
  });

  it('property: findings listed plus omitted always equals the findings reported', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 150 }), { maxLength: 8 }), (sizes) => {
        const totals = sizes.reduce(
          (running, size, i) => addSweepTotals(running, batchOfFindings(size, i * 1000)),
          emptySweepTotals(),
        );
        const reported = sizes.reduce((sum, size) => sum + size, 0);
        expect(totals.findings).toHaveLength(Math.min(MAX_FINDINGS, reported));
        expect(totals.findings.length + totals.findingsOmitted).toBe(reported);
      }),
    );
  });
});

describe('sweepIsClean and sweepFailures', () => {
  it('is clean with nothing found, and with every drift repaired', () => {
    // Act / Assess
    expect(sweepIsClean(emptySweepTotals())).toBe(true);
    expect(sweepIsClean({ ...emptySweepTotals(), driftDetected: 4, driftRepaired: 4 })).toBe(true);
    expect(sweepFailures({ ...emptySweepTotals(), driftDetected: 4, driftRepaired: 4 })).toBe(0);
  });

  it.each([
    ['drift not repaired', { driftDetected: 4, driftRepaired: 3 }, 0],
    ['a refused region', { regionsRefused: 1 }, 0],
    ['a failed region', { regionsFailed: 2 }, 2],
    ['an account without its role', { accountsRoleUnavailable: 1 }, 1],
    ['an account whose probe failed', { accountsFailed: 1 }, 1],
    ['a failed batch', { batchesFailed: 1, accountsUnswept: 20 }, 20],
  ] as const)('is not clean with %s', (_what, counts, failures) => {
    // Prepare
    const totals: SweepTotals = { ...emptySweepTotals(), ...counts };
    // Act / Assess
    expect(sweepIsClean(totals)).toBe(false);
    expect(sweepFailures(totals)).toBe(failures);
  });

  it('adds up every failure kind', () => {
    // Act / Assess
    expect(
      sweepFailures({
        ...emptySweepTotals(),
        regionsFailed: 1,
        accountsRoleUnavailable: 10,
        accountsFailed: 100,
        batchesFailed: 1,
        accountsUnswept: 1000,
        regionsRefused: 5,
        driftDetected: 5,
      }),
    ).toBe(1111);
  });
});

describe('sweepBatchSize and the 256 KiB state limit', () => {
  /** The longest error name the state machine can record for a region (the taxonomy's names). */
  const LONGEST_ERROR = [...RETRYABLE_ERROR_NAMES, ...FATAL_ERROR_NAMES].reduce((a, b) =>
    b.length > a.length ? b : a,
  );
  /**
   * Distinct region names as long as the longest real ones (ap-southeast-5, ap-northeast-3:
   * 14 characters); 36 of them, more than AWS has in one partition.
   */
  const LONG_REGIONS = ['ap', 'eu', 'us', 'me'].flatMap((prefix) =>
    Array.from({ length: 9 }, (_, i) => `${prefix}-southeast-${i + 1}`),
  );
  const accountId = (n: number) => String(100_000_000_000 + n);

  /** The largest state RecordSweep can receive for `regionCount` regions. */
  function worstCaseState(regionCount: number) {
    const regions = LONG_REGIONS.slice(0, regionCount);
    const batch = sweepBatchSize(regionCount);
    const accountIds = Array.from({ length: batch }, (_, i) => accountId(i));
    const findings: SweepFinding[] = Array.from({ length: MAX_FINDINGS }, (_, i) => ({
      accountId: accountId(500_000 + i),
      status: 'failed',
      regions: Object.fromEntries(regions.map((region) => [region, 'failed'])),
    }));
    return {
      options: { repair: true, maxConcurrency: 1000, regions, startedAt: '2030-12-31T23:59:59.999Z' },
      page: {
        accountIds,
        nextToken: 'n'.repeat(1024),
        roleDeadline: '2030-12-31T23:59:59.999Z',
        skipped: { inactive: 999_999, excluded: 999_999 },
      },
      totals: {
        ...emptySweepTotals(),
        accountsChecked: 999_999,
        driftDetected: 99_999_999,
        findings,
        findingsOmitted: 999_999,
      },
      results: accountIds.map((id) => ({
        accountId: id,
        regions: regions.map((region) => failed(region, LONGEST_ERROR)),
      })),
      // Set once a batch failed: carried with the state to the end.
      incomplete: `999 batch(es) failed as a whole, so 999999 account(s) were not swept (see the RecordSweep log); the other 999999 were`,
    };
  }

  it('measures with the longest error name of the taxonomy and 14-character region names', () => {
    // Assess
    expect(LONGEST_ERROR).toBe('PreferencesDocumentInvalidError');
    expect(new Set(LONG_REGIONS).size).toBe(LONG_REGIONS.length);
    for (const region of LONG_REGIONS) expect(region).toHaveLength(14);
  });

  it.each([1, 3, 10, 17, 25, 35, MAX_GOVERNED_REGIONS])(
    'keeps the worst-case RecordSweep state for %i region(s) under 90 per cent of the limit',
    (regionCount) => {
      // Prepare
      const state = worstCaseState(regionCount);
      // Act
      const bytes = Buffer.byteLength(JSON.stringify(state), 'utf8');
      // Assess
      // It is a state RecordSweep accepts.
      expect(recordSweepInput.safeParse(state).success).toBe(true);
      expect(state.results).toHaveLength(sweepBatchSize(regionCount));
      expect(bytes).toBeLessThanOrEqual(0.9 * STATE_LIMIT_BYTES);
    },
  );

  it('is a full page for one region, at most 200, at least one page', () => {
    // Act / Assess
    expect(sweepBatchSize(1)).toBe(MAX_SWEEP_BATCH);
    expect(sweepBatchSize(1000)).toBe(ORGANIZATIONS_PAGE_SIZE);
  });

  it(`property: within [${ORGANIZATIONS_PAGE_SIZE}, ${MAX_SWEEP_BATCH}] and never larger for more regions`, () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 500 }), fc.integer({ min: 0, max: 500 }), (regions, more) => {
        const size = sweepBatchSize(regions);
        expect(Number.isInteger(size)).toBe(true);
        expect(size).toBeGreaterThanOrEqual(ORGANIZATIONS_PAGE_SIZE);
        expect(size).toBeLessThanOrEqual(MAX_SWEEP_BATCH);
        expect(sweepBatchSize(regions + more)).toBeLessThanOrEqual(size);
      }),
    );
  });
});
