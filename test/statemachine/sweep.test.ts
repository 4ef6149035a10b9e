import { throttlingError } from '@runas-bootstrapper/local-cloud';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SWEEP_STATE_MACHINE } from '#core/shared/names.ts';
import { type SweepAccountResult, type SweepTotals, sweepFailures, sweepIsClean } from '#core/sweep/sweep.ts';
import type { EventLog } from '#local/runtime/state-machine-events.ts';
import {
  compliantDocument,
  existingMember,
  FOREIGN_DOCUMENT,
  GOVERNED_REGIONS,
  lzaDocument,
  MANAGEMENT_ACCOUNT,
  type OperatorCloud,
  RUN_AS_USER,
  type ScenarioAccounts,
  startOperatorCloud,
} from '#test/cli/operator-cloud.ts';
import { injectFaults, internalError } from '#test/faults.ts';

interface SweepOutput {
  repair: boolean;
  regions: string[];
  maxConcurrency: number;
  totals: SweepTotals;
}

/** 45 plain drifted members, plus one account of each interesting kind: 53 members, three ListAccounts pages. */
const DRIFTED = Array.from({ length: 45 }, (_, i) => `1000000000${String(i).padStart(2, '0')}`);

function accounts(): ScenarioAccounts {
  return [
    existingMember(MANAGEMENT_ACCOUNT, 'management'),
    existingMember('111111111111', 'compliant', compliantDocument),
    existingMember('222222222222', 'lza-wrong-one-region-missing', {
      'us-east-1': lzaDocument('us-east-1', '222222222222'),
    }),
    existingMember('444444444444', 'foreign', {
      'us-east-1': FOREIGN_DOCUMENT,
      'eu-west-1': compliantDocument('eu-west-1', '444444444444'),
    }),
    existingMember('555555555555', 'no-role', undefined, { roles: {} }),
    existingMember('666666666666', 'suspended', undefined, { status: 'SUSPENDED' }),
    existingMember('888888888888', 'excluded', lzaDocument),
    ...DRIFTED.map((accountId) => existingMember(accountId, `workload-${accountId.slice(-2)}`, lzaDocument)),
  ];
}

async function sweep(env: OperatorCloud, input: Record<string, unknown>) {
  const record = env.runtime.startExecution(SWEEP_STATE_MACHINE, input);
  await record.done;
  return record;
}

describe('sweep state machine (statemachine/sweep.asl.json on aws-local-stepfunctions)', () => {
  let env: OperatorCloud;

  beforeAll(async () => {
    // Batches of 20 accounts (one ListAccounts page each): three batches, three map runs.
    // Modelled AWS latencies: on virtual time without them every account would be swept in the
    // same simulated instant, and how many ran at once could not be read from the timestamps.
    env = await startOperatorCloud(
      accounts(),
      { excludeAccountIds: ['888888888888'] },
      { sweepBatchSize: 20, modelledLatency: true },
    );
  });

  afterAll(async () => {
    await env.close();
  });

  it('check mode reports drift in every batch, skips suspended and excluded accounts, and writes nothing', async () => {
    // Prepare
    const writesBefore = env.writeCalls();
    // Act
    const record = await sweep(env, { repair: false, maxConcurrency: 5 });
    // Assess
    expect(record.status, record.cause).toBe('SUCCEEDED');
    const output = record.output as SweepOutput;
    expect(output).toMatchObject({ repair: false, regions: GOVERNED_REGIONS, maxConcurrency: 5 });
    const { totals } = output;
    // 45 drifted + compliant + lza-wrong + foreign + no-role; management, excluded and suspended skipped.
    expect(totals.accountsChecked).toBe(49);
    expect(totals.skippedExcluded).toBe(2);
    expect(totals.skippedInactive).toBe(1);
    expect(totals.accountsCompliant).toBe(1);
    expect(totals.driftDetected).toBe(45 * 2 + 2);
    expect(totals.driftRepaired).toBe(0);
    expect(totals.regionsRefused).toBe(1);
    expect(totals.accountsRoleUnavailable).toBe(1);
    expect(totals.findings).toHaveLength(48);
    expect(totals.findings.find((f) => f.accountId === '222222222222')).toEqual({
      accountId: '222222222222',
      status: 'drifted',
      regions: { 'us-east-1': 'drifted', 'eu-west-1': 'drifted' },
    });
    expect(totals.findings.find((f) => f.accountId === '444444444444')).toEqual({
      accountId: '444444444444',
      status: 'refused',
      regions: { 'us-east-1': 'refused' },
    });
    expect(totals.findings.find((f) => f.accountId === '555555555555')).toMatchObject({
      status: 'role-unavailable',
      error: 'RoleWaitTimeoutError',
    });
    expect(env.writeCalls()).toBe(writesBefore);
  });

  it('never runs more accounts at once than maxConcurrency, and reports one map run per batch', async () => {
    // Prepare
    // Iteration events are forwarded asynchronously but keep the child execution's timestamps:
    // order by time, an ending before a start in the same millisecond.
    const ends = (e: EventLog) => (e.type === 'MapIterationStarted' ? 1 : 0);
    const peakOf = (events: EventLog[]) => {
      let running = 0;
      let peak = 0;
      const iterations = events
        .filter((e) => e.parentState?.name === 'SweepAccounts')
        .sort((a, b) => a.timestamp - b.timestamp || ends(a) - ends(b));
      for (const event of iterations) {
        if (event.type === 'MapIterationStarted') running += 1;
        if (event.type === 'MapIterationSucceeded' || event.type === 'MapIterationFailed') running -= 1;
        peak = Math.max(peak, running);
      }
      return peak;
    };
    // Act
    const record = await sweep(env, { repair: false, maxConcurrency: 3 });
    // Assess
    expect(record.status).toBe('SUCCEEDED');
    expect(peakOf(record.events)).toBe(3);
    // 53 members in batches of 20: three map runs, every visited account counted once.
    const runs = env.runtime.mapRuns(record);
    expect(runs).toHaveLength(3);
    const counts = runs.map((run) => run.description.itemCounts!);
    expect(counts.reduce((sum, c) => sum + (c.total ?? 0), 0)).toBe(49);
    for (const run of runs) {
      expect(run.description).toMatchObject({ status: 'SUCCEEDED', maxConcurrency: 3 });
      expect(run.description.itemCounts).toMatchObject({ failed: 0, running: 0, pending: 0 });
      expect(run.description.itemCounts?.succeeded).toBe(run.description.itemCounts?.total);
    }
    expect(runs[0]!.mapRunArn).toMatch(/:mapRun:runas-bootstrapper-sweep\/SweepAccounts:/);
  });

  it('repair mode writes the drifted regions, keeps every existing key, leaves the foreign document alone, and a second sweep finds nothing', async () => {
    // Act
    const first = await sweep(env, { repair: true });
    const writesAfterFirst = env.writeCalls();
    const second = await sweep(env, { repair: true });
    // Assess
    expect(first.status, first.cause).toBe('SUCCEEDED');
    const totals = (first.output as SweepOutput).totals;
    expect(totals.driftDetected).toBe(45 * 2 + 2);
    expect(totals.driftRepaired).toBe(45 * 2 + 2);
    expect(totals.regionsRefused).toBe(1);
    expect(totals.accountsRoleUnavailable).toBe(1);
    for (const accountId of [...DRIFTED.slice(0, 3), '222222222222']) {
      for (const region of GOVERNED_REGIONS) {
        const document = env.cloud.state.document(accountId, region);
        const content = JSON.parse(document!.versions.at(-1)!.content) as { inputs: Record<string, unknown> };
        expect(content.inputs).toMatchObject({ runAsEnabled: true, runAsDefaultUser: RUN_AS_USER });
      }
    }
    // LZA's logging keys survived the merge.
    const merged = JSON.parse(
      env.cloud.state.document(DRIFTED[0]!, 'eu-west-1')!.versions.at(-1)!.content,
    ) as {
      inputs: Record<string, unknown>;
    };
    expect(merged.inputs.cloudWatchLogGroupName).toBe('aws-accelerator-sessionmanager-logs');
    expect(merged.inputs.s3BucketName).toBe(`aws-accelerator-central-logs-${MANAGEMENT_ACCOUNT}-eu-west-1`);
    // The foreign document is exactly as it was.
    const foreign = env.cloud.state.document('444444444444', 'us-east-1')!;
    expect(foreign.versions).toHaveLength(1);
    expect(JSON.parse(foreign.versions[0]!.content)).toEqual(FOREIGN_DOCUMENT);
    // The excluded account was not touched.
    expect(env.writeCalls('888888888888')).toBe(0);
    // Idempotent: nothing left to repair, nothing written.
    const again = (second.output as SweepOutput).totals;
    expect(again.driftDetected).toBe(0);
    expect(again.accountsCompliant).toBe(45 + 2);
    expect(env.writeCalls()).toBe(writesAfterFirst);
  });

  it('fails with a clear error, before visiting any account, for a region that is not governed', async () => {
    // Prepare
    const assumes = env.cloud.state.callCount({ operation: 'sts:AssumeRole' });
    // Act
    const record = await sweep(env, { regions: ['ap-south-1'] });
    // Assess
    expect(record.status).toBe('FAILED');
    expect(record.error).toBe('InvalidRequestError');
    expect(record.cause).toMatch(/ap-south-1 are not governed/);
    expect(env.cloud.state.callCount({ operation: 'sts:AssumeRole' })).toBe(assumes);
  });

  it('refuses unknown input keys instead of guessing', async () => {
    // Act
    const record = await sweep(env, { repiar: true });
    // Assess
    expect(record.status).toBe('FAILED');
    expect(record.cause).toMatch(/repiar/);
  });
});

/** Every account result the sweep recorded, as RecordSweep received them. */
function accountResults(record: { events: EventLog[] }): Map<string, SweepAccountResult> {
  const results = record.events
    .filter((e) => e.type === 'StateEntered' && e.state?.name === 'RecordSweep')
    .flatMap((e) => (e.state?.input as { results?: SweepAccountResult[] } | undefined)?.results ?? []);
  return new Map(results.map((r) => [r.accountId, r]));
}

describe('sweep state machine failure paths (targeted faults on the local cloud)', () => {
  const SSM_FAILING = '121212121212';
  const OPT_IN_OFF = '131313131313';
  const DEFAULT_DRIFT = '141414141414';
  let env: OperatorCloud;

  beforeAll(async () => {
    env = await startOperatorCloud([
      existingMember(MANAGEMENT_ACCOUNT, 'management'),
      existingMember('111111111111', 'compliant', compliantDocument),
      // The first test makes every SSM call in eu-west-1 answer 500; us-east-1 is fine.
      existingMember(SSM_FAILING, 'ssm-failing-in-eu-west-1', compliantDocument),
      // eu-west-1 not enabled in this account: every call there is rejected.
      existingMember(
        OPT_IN_OFF,
        'eu-west-1-not-enabled',
        { 'us-east-1': lzaDocument('us-east-1', OPT_IN_OFF) },
        { disabledRegions: ['eu-west-1'] },
      ),
      // us-east-1 compliant; eu-west-1 gets a compliant $LATEST that is not the default (below).
      existingMember(DEFAULT_DRIFT, 'default-not-compliant', {
        'us-east-1': compliantDocument('us-east-1', DEFAULT_DRIFT),
        'eu-west-1': lzaDocument('eu-west-1', DEFAULT_DRIFT),
      }),
    ]);
    await env.addUnpromotedVersion(DEFAULT_DRIFT, 'eu-west-1', compliantDocument('eu-west-1', DEFAULT_DRIFT));
  });

  afterAll(async () => {
    await env.close();
  });

  it('records a region whose SSM calls always fail as failed, leaves the rest alone, and still succeeds', async () => {
    // Prepare
    const undo = injectFaults(env.cloud, ({ operation, accountId, region }) =>
      operation.startsWith('ssm:') && accountId === SSM_FAILING && region === 'eu-west-1'
        ? internalError()
        : undefined,
    );
    // Act
    const record = await sweep(env, { repair: false }).finally(undo);
    // Assess
    expect(record.status, record.cause).toBe('SUCCEEDED');
    const { totals } = record.output as SweepOutput;
    expect(totals).toMatchObject({
      accountsChecked: 4,
      accountsCompliant: 1,
      // us-east-1 of the account without eu-west-1, and the $DEFAULT-only drift.
      driftDetected: 2,
      driftRepaired: 0,
      regionsRefused: 0,
      regionsFailed: 2,
      accountsRoleUnavailable: 0,
      accountsFailed: 0,
      batchesFailed: 0,
      accountsUnswept: 0,
    });
    expect(sweepIsClean(totals)).toBe(false);
    expect(sweepFailures(totals)).toBe(2);
    expect(totals.findings.find((f) => f.accountId === SSM_FAILING)).toEqual({
      accountId: SSM_FAILING,
      status: 'failed',
      regions: { 'eu-west-1': 'failed' },
    });
    expect(totals.findings.find((f) => f.accountId === OPT_IN_OFF)).toEqual({
      accountId: OPT_IN_OFF,
      status: 'failed',
      regions: { 'us-east-1': 'drifted', 'eu-west-1': 'failed' },
    });
    expect(totals.findings.find((f) => f.accountId === '111111111111')).toBeUndefined();
    // The 500s were retried (SDK and state machine) before the region was given up on.
    const results = accountResults(record);
    expect(results.get(SSM_FAILING)?.regions).toEqual([
      { region: 'us-east-1', status: 'compliant' },
      { region: 'eu-west-1', status: 'failed', error: 'AwsTransientError' },
    ]);
    expect(results.get(OPT_IN_OFF)?.regions).toContainEqual({
      region: 'eu-west-1',
      status: 'failed',
      error: 'UnrecognizedClientException',
    });
    // 1 + 4 state-machine attempts, each with the SDK's 4 attempts.
    expect(
      env.cloud.state.callCount({
        operation: 'ssm:GetDocument',
        accountId: SSM_FAILING,
        region: 'eu-west-1',
      }),
    ).toBe(5 * 4);
    // The failing region's neighbour made no failed call.
    const neighbour = env.cloud.state.calls({ accountId: SSM_FAILING, region: 'us-east-1' });
    expect(neighbour.length).toBeGreaterThan(0);
    for (const call of neighbour) expect(call.errors).toEqual({});
  });

  it('finds a compliant $LATEST that is not the $DEFAULT as drift, and repair promotes it without a new version', async () => {
    // Prepare
    const before = env.cloud.state.document(DEFAULT_DRIFT, 'eu-west-1')!;
    expect(before).toMatchObject({ latestVersion: '2', defaultVersion: '1' });
    // Act
    const check = await sweep(env, { repair: false });
    const updatesBefore = env.cloud.state.callCount({
      operation: 'ssm:UpdateDocument',
      accountId: DEFAULT_DRIFT,
    });
    const repair = await sweep(env, { repair: true });
    const again = await sweep(env, { repair: false });
    // Assess
    expect(check.status, check.cause).toBe('SUCCEEDED');
    expect((check.output as SweepOutput).totals.findings.find((f) => f.accountId === DEFAULT_DRIFT)).toEqual({
      accountId: DEFAULT_DRIFT,
      status: 'drifted',
      regions: { 'eu-west-1': 'drifted' },
    });
    expect(repair.status, repair.cause).toBe('SUCCEEDED');
    const totals = (repair.output as SweepOutput).totals;
    expect(totals.findings.find((f) => f.accountId === DEFAULT_DRIFT)).toEqual({
      accountId: DEFAULT_DRIFT,
      status: 'repaired',
      regions: { 'eu-west-1': 'repaired' },
    });
    // The $DEFAULT-only drift and us-east-1 of the account without eu-west-1.
    expect(totals).toMatchObject({ driftDetected: 2, driftRepaired: 2, regionsFailed: 1 });
    const after = env.cloud.state.document(DEFAULT_DRIFT, 'eu-west-1')!;
    expect(after).toMatchObject({ latestVersion: '2', defaultVersion: '2' });
    expect(after.versions).toHaveLength(2);
    const effective = JSON.parse(after.versions.find((v) => v.version === after.defaultVersion)!.content) as {
      inputs: Record<string, unknown>;
    };
    expect(effective.inputs).toMatchObject({ runAsEnabled: true, runAsDefaultUser: RUN_AS_USER });
    expect(env.cloud.state.callCount({ operation: 'ssm:UpdateDocument', accountId: DEFAULT_DRIFT })).toBe(
      updatesBefore,
    );
    expect(
      env.cloud.state.callCount({ operation: 'ssm:UpdateDocumentDefaultVersion', accountId: DEFAULT_DRIFT }),
    ).toBe(1);
    // Fixed for good: only the region that is not enabled is left.
    const last = (again.output as SweepOutput).totals;
    expect(last).toMatchObject({ driftDetected: 0, regionsFailed: 1, accountsCompliant: 3 });
  });
});

describe('sweep state machine role probe failures (targeted STS faults on the local cloud)', () => {
  const THROTTLED = '151515151515';
  const NO_ROLE = '161616161616';
  let env: OperatorCloud;

  beforeAll(async () => {
    env = await startOperatorCloud([
      existingMember(MANAGEMENT_ACCOUNT, 'management'),
      // Listed, and so probed, first.
      existingMember(THROTTLED, 'sts-throttled', compliantDocument),
      existingMember(NO_ROLE, 'no-role', undefined, { roles: {} }),
      existingMember('171717171717', 'compliant', compliantDocument),
    ]);
  });

  afterAll(async () => {
    await env.close();
  });

  it('records an account whose AssumeRole stays throttled as failed with ThrottlingError, one without a role as role-unavailable', async () => {
    // Prepare
    // One account at a time: the first probe (1 + 4 state-machine attempts, 4 SDK attempts each)
    // takes the first 20 AssumeRole calls, and every one of them is throttled.
    let throttled = 0;
    const undo = injectFaults(env.cloud, ({ operation }) => {
      if (operation !== 'sts:AssumeRole' || throttled >= 5 * 4) return undefined;
      throttled += 1;
      return throttlingError('sts');
    });
    // The SDK backs off from throttling in wall time (1 s base, full jitter): take no back-off.
    const random = vi.spyOn(Math, 'random').mockReturnValue(0);
    try {
      // Act
      const record = await sweep(env, { repair: false, maxConcurrency: 1 });
      // Assess
      expect(record.status, record.cause).toBe('SUCCEEDED');
      const { totals } = record.output as SweepOutput;
      expect(totals).toMatchObject({
        accountsChecked: 3,
        accountsCompliant: 1,
        accountsFailed: 1,
        accountsRoleUnavailable: 1,
        regionsFailed: 0,
        driftDetected: 0,
      });
      expect(sweepIsClean(totals)).toBe(false);
      expect(sweepFailures(totals)).toBe(2);
      expect(totals.findings).toEqual([
        { accountId: THROTTLED, status: 'failed', regions: {}, error: 'ThrottlingError' },
        { accountId: NO_ROLE, status: 'role-unavailable', regions: {}, error: 'RoleWaitTimeoutError' },
      ]);
      expect(throttled).toBe(20);
      // Then one denial per configured role for the account without one, and one success.
      expect(env.cloud.state.calls({ operation: 'sts:AssumeRole' })).toEqual([
        expect.objectContaining({ count: 23, errors: { Throttling: 20, AccessDenied: 2 } }),
      ]);
      // The throttled account was never visited in any region.
      expect(env.cloud.state.callCount({ accountId: THROTTLED })).toBe(0);
    } finally {
      random.mockRestore();
      undo();
    }
  });
});
