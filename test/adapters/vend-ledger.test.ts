import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type LocalCloud, startLocalCloud } from '@runas-bootstrapper/local-cloud';
import { baseScenario, clientConfig } from '@runas-bootstrapper/local-cloud/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VendLedger } from '#adapters/vend-ledger.ts';
import { createLedgerTable } from '#local/runtime/ledger-table.ts';

/**
 * The ledger adapter against the local cloud's DynamoDB (dynalite behind the cloud's SigV4), so
 * that its conditional writes are judged by a real implementation of DynamoDB's expression language.
 */
let cloud: LocalCloud;
let ledger: VendLedger;
let table = 0;

const JOINED = '2026-11-30T10:00:00.000Z';
const at = (seconds: number) => new Date(Date.parse(JOINED) + seconds * 1000).toISOString();
const trigger = (execution: string, name = 'organizations-create-account') => ({
  trigger: name,
  at: at(1),
  execution,
});
const vend = (accountId = '210000000001') => ({
  accountId,
  joinedAt: JOINED,
  joinedMethod: 'CREATED',
  governedRegions: ['us-east-1', 'eu-west-1'],
  expiresAt: 1_900_000_000,
});
const owner = (execution: string, leaseUntil = at(3600)) => ({
  execution,
  claimedAt: at(1),
  leaseUntil,
  state: 'running' as const,
});

beforeAll(async () => {
  // One cloud for the suite (the fixture's startCloud closes its clouds after each test).
  cloud = await startLocalCloud({ port: 0, scenario: baseScenario() });
});

afterAll(async () => {
  await cloud.close();
});

async function freshLedger(): Promise<VendLedger> {
  const client = new DynamoDBClient(clientConfig(cloud, 'us-east-1'));
  table += 1;
  const fresh = new VendLedger(client, `ledger-${table}`);
  const config = clientConfig(cloud, 'us-east-1');
  await createLedgerTable(fresh, cloud.url, 'us-east-1', config.credentials as never);
  return fresh;
}

describe('VendLedger on the local cloud', () => {
  beforeAll(async () => {
    ledger = await freshLedger();
  });

  it('creates a vend on first sight and appends every later trigger to the same record', async () => {
    // Act
    const first = await ledger.recordTrigger(vend(), trigger('a'));
    const second = await ledger.recordTrigger(vend(), trigger('b', 'organizations-account-joined'));
    // Assess
    expect(first).toMatchObject({ state: 'pending', regions: {}, writes: {}, repairs: [] });
    expect(second.triggers.map((t) => t.execution)).toEqual(['a', 'b']);
    expect(await ledger.vendsOf('210000000001')).toHaveLength(1);
  });

  it('lets exactly one of many concurrent executions claim the vend', async () => {
    // Prepare
    const key = vend('210000000002');
    await ledger.recordTrigger(key, trigger('x'));
    // Act
    const claims = await Promise.all(
      Array.from({ length: 8 }, (_, i) => ledger.claim(key, owner(`e${i}`), at(2))),
    );
    // Assess
    expect(claims.filter(Boolean)).toHaveLength(1);
    const record = await ledger.get(key);
    expect(record?.owner?.execution).toBe(`e${claims.indexOf(true)}`);
  });

  it('hands the vend over when the owner failed or went silent past its lease, never when it is done', async () => {
    // Prepare
    const failed = vend('210000000003');
    await ledger.recordTrigger(failed, trigger('x'));
    await ledger.claim(failed, owner('first'), at(2));
    const silent = vend('210000000004');
    await ledger.recordTrigger(silent, trigger('x'));
    await ledger.claim(silent, owner('first', at(60)), at(2));
    // Act
    const beforeFailure = await ledger.claim(failed, owner('second'), at(3));
    await ledger.finishOwnership(failed, 'first', { failed: true });
    const afterFailure = await ledger.claim(failed, owner('second'), at(4));
    const withinLease = await ledger.claim(silent, owner('second'), at(59));
    const pastLease = await ledger.claim(silent, owner('second'), at(61));
    // Assess
    expect([beforeFailure, afterFailure, withinLease, pastLease]).toEqual([false, true, false, true]);
    expect((await ledger.get(failed))?.owner).toMatchObject({ execution: 'second', state: 'running' });
  });

  it('keeps the earliest verification of each region and the first write, whatever order they arrive in', async () => {
    // Prepare
    const key = vend('210000000005');
    await ledger.recordTrigger(key, trigger('x'));
    // Act: the writer records last, with a later verification than a reader that came after its write.
    await ledger.recordVerification(
      key,
      { 'us-east-1': { verifiedAt: at(50), action: 'unchanged' } },
      at(45),
    );
    const record = await ledger.recordVerification(
      key,
      {
        'us-east-1': { verifiedAt: at(48), action: 'created', latestVersion: '1' },
        'eu-west-1': { verifiedAt: at(52), action: 'updated', latestVersion: '3', pruned: ['1', '2'] },
      },
      at(40),
    );
    // Assess
    expect(record.regions['us-east-1']).toEqual({
      verifiedAt: at(48),
      action: 'created',
      latestVersion: '1',
    });
    expect(record.writes).toEqual({
      'us-east-1': { action: 'created', verifiedAt: at(48), version: '1' },
      'eu-west-1': { action: 'updated', verifiedAt: at(52), version: '3', pruned: ['1', '2'] },
    });
    expect(record.roleAssumableAt).toBe(at(40));
  });

  it('stores the measurement once, only for the owner', async () => {
    // Prepare
    const key = vend('210000000006');
    await ledger.recordTrigger(key, trigger('x'));
    await ledger.claim(key, owner('owner'), at(2));
    const measurement = { runAsVerifiedAt: at(50), exposureSeconds: 50, roleWaitSeconds: 40 };
    // Act
    const stranger = await ledger.finishOwnership(key, 'stranger', { measurement, measuredAt: at(51) });
    const first = await ledger.finishOwnership(key, 'owner', { measurement, measuredAt: at(51) });
    const again = await ledger.finishOwnership(key, 'owner', { measurement, measuredAt: at(52) });
    // Assess
    expect([stranger, first, again]).toEqual([false, true, false]);
    expect(await ledger.get(key)).toMatchObject({
      state: 'verified',
      exposureSeconds: 50,
      measuredAt: at(51),
      owner: { execution: 'owner', state: 'done' },
    });
  });

  it('lists open vends, settles each once, and takes a settled vend off the open list', async () => {
    // Prepare
    const fresh = await freshLedger();
    const a = vend('210000000007');
    const b = vend('210000000008');
    await fresh.recordTrigger(a, trigger('x'));
    await fresh.recordTrigger(b, trigger('y'));
    // Act
    const open = (await fresh.openVends()).map((v) => v.accountId);
    const settled = await fresh.settle(
      a,
      { state: 'closed', gapClosedSeconds: 2500, note: 'done' },
      at(3000),
    );
    const twice = await fresh.settle(a, { state: 'expired' }, at(4000));
    // Assess
    expect(open.sort()).toEqual(['210000000007', '210000000008']);
    expect([settled, twice]).toEqual([true, false]);
    expect((await fresh.openVends()).map((v) => v.accountId)).toEqual(['210000000008']);
    expect(await fresh.get(a)).toMatchObject({
      state: 'closed',
      gapClosedSeconds: 2500,
      gapMeasuredAt: at(3000),
    });
    expect((await fresh.vendsSince(at(-1))).map((v) => v.accountId).sort()).toEqual([
      '210000000007',
      '210000000008',
    ]);
    expect(await fresh.vendsSince(at(1))).toEqual([]);
  });

  it('parks an invited account awaiting enrollment off the open list, and lets the enrollment claim it again', async () => {
    // Prepare
    const fresh = await freshLedger();
    const key = vend('210000000009');
    await fresh.recordTrigger(key, trigger('join', 'organizations-account-joined'));
    await fresh.claim(key, owner('join'), at(2));
    // Act
    await fresh.finishOwnership(key, 'join', { awaitingEnrollment: true });
    const parked = await fresh.get(key);
    const open = await fresh.openVends();
    const enrolled = await fresh.claim(key, owner('enrollment'), at(900));
    // Assess
    expect(parked?.state).toBe('awaiting-enrollment');
    expect(open).toEqual([]);
    expect(enrolled).toBe(true);
    expect(await fresh.get(key)).toMatchObject({ state: 'pending', owner: { execution: 'enrollment' } });
    expect((await fresh.openVends()).map((v) => v.accountId)).toEqual(['210000000009']);
  });

  it('appends repairs and marks each repaired region re-verified after its Security_Resources', async () => {
    // Prepare
    const key = vend('210000000010');
    await ledger.recordTrigger(key, trigger('x'));
    await ledger.recordVerification(
      key,
      { 'us-east-1': { verifiedAt: at(50) }, 'eu-west-1': { verifiedAt: at(51) } },
      at(40),
    );
    const repair = (region: string, action: string) => ({
      pipelineExecutionId: 'run-1',
      stage: 'Deploy',
      region,
      securityResourcesAt: at(2000),
      action,
      ...(action === 'updated' ? { verifiedAt: at(2004), reexposedSeconds: 4 } : {}),
    });
    // Act
    await ledger.recordRepairs(
      key,
      [repair('us-east-1', 'updated'), repair('eu-west-1', 'failed')],
      ['eu-west-1'],
    );
    // Assess
    const record = await ledger.get(key);
    expect(record?.repairs.map((r) => `${r.region}:${r.action}`)).toEqual([
      'us-east-1:updated',
      'eu-west-1:failed',
    ]);
    expect(record?.repairsFailed).toEqual(['eu-west-1']);
    expect(record?.regions['us-east-1']?.reverifiedAfter).toBe(at(2000));
    expect(record?.regions['eu-west-1']?.reverifiedAfter).toBeUndefined();
  });
});

describe('VendLedger state changes follow the transition table', () => {
  it('never verifies an expired or closed vend again, whoever measures it late', async () => {
    // Prepare: the owner claimed, went silent past its lease; the reconciler expired the vend.
    const fresh = await freshLedger();
    const expired = vend('211000000001');
    await fresh.recordTrigger(expired, trigger('owner'));
    await fresh.claim(expired, owner('owner', at(60)), at(2));
    const expiredNow = await fresh.settle(expired, { state: 'expired', note: 'timed out' }, at(120));
    const closed = vend('211000000002');
    await fresh.recordTrigger(closed, trigger('owner'));
    await fresh.claim(closed, owner('owner', at(60)), at(2));
    await fresh.settle(closed, { state: 'closed', note: 'no LZA' }, at(120));
    const measurement = { runAsVerifiedAt: at(100), exposureSeconds: 100 };
    // Act: the owner measures after all.
    const late = await fresh.finishOwnership(expired, 'owner', { measurement, measuredAt: at(130) });
    const lateClosed = await fresh.finishOwnership(closed, 'owner', { measurement, measuredAt: at(130) });
    // Assess
    expect([expiredNow, late, lateClosed]).toEqual([true, false, false]);
    expect(await fresh.get(expired)).toMatchObject({ state: 'expired' });
    expect((await fresh.get(expired))?.measuredAt).toBeUndefined();
    expect(await fresh.get(closed)).toMatchObject({ state: 'closed' });
  });

  it('never expires or closes a pending vend whose owner is within its lease', async () => {
    // Prepare
    const fresh = await freshLedger();
    const key = vend('211000000003');
    await fresh.recordTrigger(key, trigger('owner'));
    await fresh.claim(key, owner('owner', at(600)), at(2));
    // Act
    const expireLive = await fresh.settle(key, { state: 'expired', note: 'x' }, at(300));
    const closeLive = await fresh.settle(key, { state: 'closed', note: 'x' }, at(300));
    const afterLease = await fresh.settle(key, { state: 'expired', note: 'x' }, at(601));
    // Assess
    expect([expireLive, closeLive, afterLease]).toEqual([false, false, true]);
    expect(await fresh.get(key)).toMatchObject({ state: 'expired' });
  });

  it('never claims a verified vend back to pending', async () => {
    // Prepare
    const fresh = await freshLedger();
    const key = vend('211000000004');
    await fresh.recordTrigger(key, trigger('owner'));
    await fresh.claim(key, owner('owner'), at(2));
    await fresh.finishOwnership(key, 'owner', {
      measurement: { runAsVerifiedAt: at(50), exposureSeconds: 50 },
      measuredAt: at(51),
    });
    // Act
    const claimed = await fresh.claim(key, owner('late', at(1)), at(7200));
    // Assess
    expect(claimed).toBe(false);
    expect(await fresh.get(key)).toMatchObject({ state: 'verified', owner: { execution: 'owner' } });
  });
});
