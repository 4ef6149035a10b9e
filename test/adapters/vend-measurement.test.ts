import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type LocalCloud, startLocalCloud } from '@runas-bootstrapper/local-cloud';
import { baseScenario, clientConfig } from '@runas-bootstrapper/local-cloud/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PipelineHistory } from '#adapters/pipeline-history.ts';
import { VendLedger } from '#adapters/vend-ledger.ts';
import { measureUnownedVends, recordVendVerification } from '#adapters/vend-measurement.ts';
import { recordVendRepairs } from '#adapters/vend-repairs.ts';
import type { RepairResult } from '#core/follow-up/follow-up.ts';
import type { VendVerification } from '#core/vend/enforcement-record.ts';
import { createLedgerTable } from '#local/runtime/ledger-table.ts';

/**
 * Measuring a vend once, on the real ledger adapter against the local cloud's DynamoDB: the
 * conditional writes that decide who measures are judged by a real expression evaluator.
 */
let cloud: LocalCloud;
let ledger: VendLedger;
let account = 220000000000;

const JOINED = '2026-11-30T10:00:00.000Z';
const at = (seconds: number) => new Date(Date.parse(JOINED) + seconds * 1000).toISOString();
const clean = { failed: 0, refused: 0 };
const both = {
  'us-east-1': { verifiedAt: at(40), action: 'created' },
  'eu-west-1': { verifiedAt: at(50), action: 'updated' },
};

/** A vend in two governed regions, claimed by `owner`. */
async function claimedVend(owner: string) {
  account += 1;
  const key = { accountId: String(account), joinedAt: JOINED };
  const vend = { ...key, joinedMethod: 'CREATED', governedRegions: ['us-east-1', 'eu-west-1'], expiresAt: 0 };
  await ledger.recordTrigger(vend, { trigger: 'organizations-create-account', at: at(1), execution: owner });
  await ledger.claim(
    key,
    { execution: owner, claimedAt: at(1), leaseUntil: at(3600), state: 'running' },
    at(1),
  );
  return key;
}

function verification(
  vend: { accountId: string; joinedAt: string },
  execution: string,
  owner: VendVerification['owner'],
  regions: VendVerification['regions'] = both,
): VendVerification {
  return { vend, execution, regions, roleAssumableAt: at(20), ...(owner ? { owner } : {}) };
}

let pipeline: PipelineHistory;

function dependencies(measureGap: boolean | 'auto' = true) {
  const lza = { measureGap, pipelineName: 'AWSAccelerator-Pipeline' };
  return { ledger, pipeline, now: () => Date.parse(at(60)), config: { lza } };
}

const logged: Record<string, unknown>[] = [];
const logger = { info: (_message: string, extra: Record<string, unknown>) => logged.push(extra) };

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, scenario: baseScenario() });
  const config = clientConfig(cloud, 'us-east-1');
  ledger = new VendLedger(new DynamoDBClient(config), 'measurement-ledger');
  // The base scenario's organization has no LZA pipeline (a Control Tower organization without LZA).
  pipeline = new PipelineHistory(new CodePipelineClient(config), 'AWSAccelerator-Pipeline');
  await createLedgerTable(ledger, cloud.url, 'us-east-1', config.credentials as never);
});

afterAll(async () => {
  await cloud.close();
});

describe('recordVendVerification', () => {
  it('lets the owner store the exposure once, when every region is verified and nothing failed', async () => {
    // Prepare
    const vend = await claimedVend('owner');
    const owner = { summary: clean, outcome: 'enforced' as const };
    // Act
    const first = await recordVendVerification(dependencies(), verification(vend, 'owner', owner), logger);
    const again = await recordVendVerification(dependencies(), verification(vend, 'owner', owner), logger);
    // Assess
    expect(first).toEqual({ runAsVerifiedAt: at(50), exposureSeconds: 50, roleWaitSeconds: 20 });
    expect(again).toBeUndefined();
    expect(await ledger.get(vend)).toMatchObject({
      state: 'verified',
      measuredAt: at(60),
      exposureSeconds: 50,
    });
    expect(logged.at(-2)).toMatchObject({ ...vend, owner: true, measures: true, exposureSeconds: 50 });
  });

  it('closes the measured vend at verification with a note when measureGap is auto and there is no LZA pipeline', async () => {
    // Prepare
    const vend = await claimedVend('owner');
    const owner = { summary: clean, outcome: 'enforced' as const };
    // Act
    const measured = await recordVendVerification(
      dependencies('auto'),
      verification(vend, 'owner', owner),
      logger,
    );
    // Assess
    expect(measured?.exposureSeconds).toBe(50);
    expect(await ledger.get(vend)).toMatchObject({
      state: 'closed',
      note: 'no LZA pipeline AWSAccelerator-Pipeline: closed at verification (lza.measureGap auto)',
      gapMeasuredAt: at(60),
    });
  });

  it('leaves the measured vend to the follow-up when measureGap is true, pipeline or not', async () => {
    // Prepare
    const vend = await claimedVend('owner');
    const owner = { summary: clean, outcome: 'enforced' as const };
    // Act
    await recordVendVerification(dependencies(true), verification(vend, 'owner', owner), logger);
    // Assess
    expect(await ledger.get(vend)).toMatchObject({ state: 'verified' });
  });

  it('closes the measured vend at once when gap measurement is off', async () => {
    // Prepare
    const vend = await claimedVend('owner');
    const owner = { summary: clean, outcome: 'enforced' as const };
    // Act
    await recordVendVerification(dependencies(false), verification(vend, 'owner', owner), logger);
    // Assess
    expect(await ledger.get(vend)).toMatchObject({
      state: 'closed',
      note: 'gap measurement is off (lza.measureGap is false)',
      gapMeasuredAt: at(60),
    });
  });

  it('gives the claim up when a region failed here, so a later execution measures the vend', async () => {
    // Prepare
    const vend = await claimedVend('owner');
    const owner = { summary: { failed: 1, refused: 0 }, outcome: 'enforced' as const };
    // Act
    const measured = await recordVendVerification(dependencies(), verification(vend, 'owner', owner), logger);
    // Assess
    expect(measured).toBeUndefined();
    expect(await ledger.get(vend)).toMatchObject({
      state: 'pending',
      owner: { execution: 'owner', state: 'failed' },
    });
  });

  it('records a non-owner’s verifications without touching the claim', async () => {
    // Prepare
    const vend = await claimedVend('owner');
    // Act
    const measured = await recordVendVerification(
      dependencies(),
      verification(vend, 'duplicate', undefined),
      logger,
    );
    // Assess
    expect(measured).toBeUndefined();
    expect(logged.at(-1)).toMatchObject({ owner: false, measures: false, exposureSeconds: 50 });
    expect(await ledger.get(vend)).toMatchObject({
      state: 'pending',
      regions: { 'us-east-1': { verifiedAt: at(40) }, 'eu-west-1': { verifiedAt: at(50) } },
      owner: { execution: 'owner', state: 'running' },
    });
  });
});

describe('measureUnownedVends', () => {
  it('measures each vend whose owner gave up after every region was verified, and only those', async () => {
    // Prepare: one verified everywhere, one still missing a region, one already measured.
    const gaveUp = await claimedVend('owner');
    const unverified = await claimedVend('owner');
    const measured = await claimedVend('owner');
    const failedOwner = { summary: { failed: 1, refused: 0 }, outcome: 'enforced' as const };
    await recordVendVerification(dependencies(), verification(gaveUp, 'owner', failedOwner), logger);
    await recordVendVerification(
      dependencies(),
      verification(unverified, 'owner', failedOwner, { 'us-east-1': both['us-east-1'] }),
      logger,
    );
    const owner = { summary: clean, outcome: 'enforced' as const };
    await recordVendVerification(dependencies(), verification(measured, 'owner', owner), logger);
    // Act
    const found = [];
    for await (const m of measureUnownedVends(ledger, [gaveUp, unverified, measured], 'follow-up', at(120)))
      found.push(m);
    // Assess
    expect(found).toEqual([{ runAsVerifiedAt: at(50), exposureSeconds: 50, roleWaitSeconds: 20 }]);
    expect(await ledger.get(gaveUp)).toMatchObject({
      state: 'verified',
      measuredAt: at(120),
      owner: { execution: 'follow-up', state: 'done' },
    });
    expect((await ledger.get(unverified))?.measuredAt).toBeUndefined();
    expect((await ledger.get(measured))?.owner?.execution).toBe('owner');
  });
});

describe('recordVendRepairs', () => {
  const repair = (
    vend: { accountId: string; joinedAt: string },
    region: string,
    outcome: object,
  ): RepairResult =>
    ({
      ...vend,
      region,
      pipelineExecutionId: 'run-1',
      stage: 'Deploy',
      securityResourcesAt: at(300),
      ...outcome,
    }) as RepairResult;

  it('writes each vend’s repairs and still-failing regions, yields them, and skips a vend the ledger lacks', async () => {
    // Prepare: a verified vend, then repaired in one region and failing in the other; and one the
    // ledger never held.
    const vend = await claimedVend('owner');
    await recordVendVerification(
      dependencies(),
      verification(vend, 'owner', { summary: clean, outcome: 'enforced' }),
      logger,
    );
    const unknown = { accountId: '299999999999', joinedAt: JOINED };
    const results = [
      repair(vend, 'us-east-1', { status: 'compliant', action: 'updated', verifiedAt: at(330) }),
      repair(unknown, 'us-east-1', { status: 'compliant', action: 'unchanged', verifiedAt: at(331) }),
      repair(vend, 'eu-west-1', { status: 'failed', error: 'AwsTransientError' }),
    ];
    // Act
    const yielded = [];
    for await (const written of recordVendRepairs(ledger, results)) yielded.push(written);
    // Assess
    expect(yielded.map((y) => y.vend)).toEqual([vend]);
    expect(yielded[0]?.repairs.map((r) => [r.region, r.action, r.reexposedSeconds])).toEqual([
      ['us-east-1', 'updated', 30],
      ['eu-west-1', 'failed', undefined],
    ]);
    const record = await ledger.get(vend);
    expect(record?.repairsFailed).toEqual(['eu-west-1']);
    expect(record?.repairs?.map((r) => r.region)).toEqual(['us-east-1', 'eu-west-1']);
    expect(record?.regions?.['us-east-1']?.reverifiedAfter).toBe(at(300));
    expect(record?.regions?.['eu-west-1']?.reverifiedAfter).toBeUndefined();
    expect(await ledger.get(unknown)).toBeUndefined();
  });
});
