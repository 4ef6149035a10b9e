import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '#cli/io.ts';
import { SWEEP_STATE_MACHINE } from '#core/shared/names.ts';
import type { SweepTotals } from '#core/sweep/sweep.ts';
import { cli } from './helpers.ts';
import {
  existingMember,
  lzaDocument,
  MANAGEMENT_ACCOUNT,
  type OperatorCloud,
  RUN_AS_USER,
  startOperatorCloud,
} from './operator-cloud.ts';

const ACCOUNT = '444444444444';
const FAST = ['--poll-interval', '0.05', '--timeout', '60'];

/**
 * A `Failed` version end to end: check names it, plan says how it is repaired, the real state
 * machine repairs it with a new version built from the last good one, and check agrees after.
 */
describe('a Failed $LATEST through check, plan and replay', () => {
  let env: OperatorCloud;

  beforeAll(async () => {
    env = await startOperatorCloud([
      existingMember(MANAGEMENT_ACCOUNT, 'management'),
      existingMember(
        ACCOUNT,
        'failed-latest',
        { 'us-east-1': lzaDocument('us-east-1', ACCOUNT) },
        { failDocumentWrites: { 'us-east-1': 1 } },
      ),
    ]);
    // Someone's compliant version 2 ends Failed: its content is right, its status is not.
    const v1 = lzaDocument('us-east-1', ACCOUNT);
    await env.addUnpromotedVersion(ACCOUNT, 'us-east-1', {
      ...v1,
      inputs: { ...v1.inputs, runAsEnabled: true, runAsDefaultUser: RUN_AS_USER, idleSessionTimeout: '45' },
    });
  });

  afterAll(async () => {
    await env.close();
  });

  it('check reports it failed, never compliant, and exits 1', async () => {
    // Act
    const { code, out } = await cli(
      ...env.args('check', '--account-id', ACCOUNT, '--regions', 'us-east-1', '--json'),
    );
    // Assess
    expect(code).toBe(EXIT.notCompliant);
    expect(JSON.parse(out).results).toEqual([
      expect.objectContaining({
        region: 'us-east-1',
        status: 'failed',
        latestVersion: '2',
        defaultVersion: '1',
        documentStatus: 'Failed',
      }),
    ]);
  });

  it('plan says it will write a new version from the default and make it the default', async () => {
    // Act
    const { code, out } = await cli(...env.args('plan', '--account-id', ACCOUNT, '--regions', 'us-east-1'));
    // Assess
    expect(code).toBe(EXIT.ok);
    expect(out).toContain(
      `${ACCOUNT} us-east-1: repair: $LATEST version 2 is Failed; write 3 from the default version 1 and make it the default; exact change to that version:`,
    );
    expect(out).toMatch(/^ {4}\+ {4}"runAsEnabled": true,$/m);
  });

  it('the sweep (same read-back as the bootstrap) calls it drift, not compliant, and writes nothing', async () => {
    // Prepare
    const writes = env.writeCalls(ACCOUNT);
    // Act
    const record = env.runtime.startExecution(SWEEP_STATE_MACHINE, { repair: false, regions: ['us-east-1'] });
    await record.done;
    // Assess
    expect(record.status, record.cause).toBe('SUCCEEDED');
    const { totals } = record.output as { totals: SweepTotals };
    expect(totals).toMatchObject({ accountsChecked: 1, accountsCompliant: 0, driftDetected: 1 });
    expect(totals.findings).toEqual([
      { accountId: ACCOUNT, status: 'drifted', regions: { 'us-east-1': 'drifted' } },
    ]);
    expect(env.writeCalls(ACCOUNT)).toBe(writes);
  });

  it('a replay repairs it through the real state machine, and check then agrees', async () => {
    // Act
    const replay = await cli(
      ...env.args(
        'replay',
        '--account-id',
        ACCOUNT,
        '--regions',
        'us-east-1',
        '--wait',
        '--state-machine-arn',
        env.stateMachineArn,
        ...FAST,
      ),
    );
    const after = await cli(
      ...env.args('check', '--account-id', ACCOUNT, '--regions', 'us-east-1', '--json'),
    );
    // Assess
    expect(replay.code).toBe(EXIT.ok);
    const doc = env.cloud.state.document(ACCOUNT, 'us-east-1');
    expect(doc).toMatchObject({ latestVersion: '3', defaultVersion: '3' });
    expect(doc?.versions.map((v) => v.status)).toEqual(['Active', 'Failed', 'Active']);
    expect(after.code).toBe(EXIT.ok);
    expect(JSON.parse(after.out).results[0]).toMatchObject({
      status: 'compliant',
      latestVersion: '3',
      defaultVersion: '3',
    });
  });
});
