import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './helpers.ts';
import {
  existingMember,
  lzaDocument,
  type OperatorCloud,
  RUN_AS_USER,
  startOperatorCloud,
} from './operator-cloud.ts';

describe('operator round trip: check, replay --wait, check, plan', () => {
  let env: OperatorCloud;

  beforeAll(async () => {
    env = await startOperatorCloud([
      existingMember('111111111111', 'no-document'),
      existingMember('222222222222', 'lza-runas-off', lzaDocument),
    ]);
  });

  afterAll(async () => {
    await env.close();
  });

  it('a missing or LZA-style document fails check, replay fixes it, check passes, plan shows no change', async () => {
    // Prepare
    const accounts = ['--account-id', '111111111111', '222222222222'];
    // Act + Assess: before
    const before = await cli(...env.args('check', ...accounts, '--json'));
    expect(before.code).toBe(1);
    expect((JSON.parse(before.out).results as { status: string }[]).map((r) => r.status)).toEqual([
      'missing',
      'missing',
      'drifted',
      'drifted',
    ]);

    // Act + Assess: replay through the replay rule, and wait for it
    const replay = await cli(
      ...env.args(
        'replay',
        ...accounts,
        '--reason',
        'round trip',
        '--wait',
        '--state-machine-arn',
        env.stateMachineArn,
        '--poll-interval',
        '0.05',
        '--json',
      ),
    );
    expect(replay.code).toBe(0);
    expect(JSON.parse(replay.out).results).toEqual([
      expect.objectContaining({ accountId: '111111111111', via: 'events', status: 'SUCCEEDED' }),
      expect.objectContaining({ accountId: '222222222222', via: 'events', status: 'SUCCEEDED' }),
    ]);

    // Act + Assess: after
    const after = await cli(...env.args('check', ...accounts));
    expect(after.code).toBe(0);
    expect(after.out).toContain('4/4 compliant.');

    const writes = env.writeCalls();
    const plan = await cli(...env.args('plan', ...accounts, '--json'));
    expect(plan.code).toBe(0);
    expect((JSON.parse(plan.out).results as { action: string }[]).map((r) => r.action)).toEqual([
      'none',
      'none',
      'none',
      'none',
    ]);
    expect(env.writeCalls()).toBe(writes);

    // The LZA logging settings survived; only RunAs changed.
    const document = env.cloud.state.document('222222222222', 'eu-west-1');
    const latest = document?.versions.find((v) => v.version === document.latestVersion);
    expect(JSON.parse(latest?.content ?? '{}')).toEqual({
      ...lzaDocument('eu-west-1', '222222222222'),
      inputs: {
        ...lzaDocument('eu-west-1', '222222222222').inputs,
        runAsEnabled: true,
        runAsDefaultUser: RUN_AS_USER,
      },
    });
  });
});
