import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderSweep, type SweepResult } from '#cli/commands/sweep.ts';
import { SWEEP_STATE_MACHINE } from '#core/shared/names.ts';
import { cli } from './helpers.ts';
import {
  compliantDocument,
  existingMember,
  FOREIGN_DOCUMENT,
  lzaDocument,
  MANAGEMENT_ACCOUNT,
  type OperatorCloud,
  startOperatorCloud,
} from './operator-cloud.ts';

describe('sweep command (local cloud and local runtime)', () => {
  let env: OperatorCloud;
  let sweepArn: string;
  const sweep = (...args: string[]) =>
    cli(...env.args('sweep', '--state-machine-arn', sweepArn, '--poll-interval', '0.05', ...args));

  beforeAll(async () => {
    env = await startOperatorCloud(
      [
        existingMember(MANAGEMENT_ACCOUNT, 'management'),
        existingMember('111111111111', 'compliant', compliantDocument),
        existingMember('222222222222', 'lza-wrong', lzaDocument),
        existingMember('333333333333', 'missing-in-one-region', {
          'us-east-1': compliantDocument('us-east-1', '333333333333'),
        }),
        existingMember('444444444444', 'foreign', {
          'us-east-1': FOREIGN_DOCUMENT,
          'eu-west-1': compliantDocument('eu-west-1', '444444444444'),
        }),
        existingMember('666666666666', 'suspended', undefined, { status: 'SUSPENDED' }),
      ],
      {},
      // A sweep takes simulated time only through AWS's latencies; --timeout is tested against them.
      { modelledLatency: true },
    );
    sweepArn = env.runtime.stateMachineArn(SWEEP_STATE_MACHINE);
  });

  afterAll(async () => {
    await env.close();
  });

  it('check mode: a summary and a findings table, nothing written, exit 1', async () => {
    // Prepare
    const writes = env.writeCalls();
    // Act
    const { code, out } = await sweep();
    // Assess
    expect(code).toBe(1);
    expect(out).toMatch(
      /^Sweep sweep-check-\d+ SUCCEEDED in [\d.]+ s: check only, nothing was written; regions us-east-1, eu-west-1\./,
    );
    expect(out).toMatch(/accounts checked\s+4\n/);
    expect(out).toMatch(/already compliant\s+1\n/);
    expect(out).toMatch(/regions drifted or missing\s+3\n/);
    expect(out).toMatch(/regions repaired\s+0\n/);
    expect(out).toMatch(/regions refused \(foreign or invalid document\)\s+1\n/);
    expect(out).toMatch(/accounts skipped: not ACTIVE\s+1\n/);
    expect(out).toMatch(/accounts skipped: excluded\s+1\n/);
    expect(out).toMatch(/222222222222\s+drifted\s+drifted\s+drifted\n/);
    expect(out).toMatch(/333333333333\s+drifted\s+compliant\s+drifted/);
    expect(out).toMatch(/444444444444\s+refused\s+refused\s+compliant/);
    expect(out).toContain('run sweep --repair to fix the drift');
    expect(env.writeCalls()).toBe(writes);
  });

  it('--repair repairs the drift and exits 1 only because of the refused foreign document; --json has the totals', async () => {
    // Act
    const { code, out } = await sweep('--repair', '--max-concurrency', '2', '--json');
    // Assess
    expect(code).toBe(1);
    const result = JSON.parse(out) as SweepResult;
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toMatchObject({ repair: true, maxConcurrency: 2 });
    expect(result.output?.totals).toMatchObject({
      accountsChecked: 4,
      driftDetected: 3,
      driftRepaired: 3,
      regionsRefused: 1,
      regionsFailed: 0,
    });
    expect(env.cloud.state.document('444444444444', 'us-east-1')?.versions).toHaveLength(1);
  });

  it('after a repair, a check sweep of the repaired regions is clean and exits 0', async () => {
    // Act
    const { code, out } = await sweep('--regions', 'eu-west-1');
    // Assess
    expect(code).toBe(0);
    expect(out).toMatch(/: check only, nothing was written; regions eu-west-1\./);
    expect(out).toContain('Every swept account × region is compliant now.');
  });

  it('--no-wait starts the sweep and prints its execution ARN', async () => {
    // Act
    const { code, out } = await sweep('--no-wait');
    await env.runtime.whenIdle();
    // Assess
    expect(code).toBe(0);
    expect(out).toMatch(
      /^Started sweep-check-\d+: arn:aws:states:us-east-1:999999999999:execution:runas-bootstrapper-sweep:sweep-check-\d+/,
    );
  });

  it('stops following at --timeout, says the sweep keeps running, and exits 3 without a verdict', async () => {
    // Act
    const { code, out } = await sweep('--timeout', '0.001');
    await env.runtime.whenIdle();
    // Assess
    expect(code).toBe(3);
    expect(out).toMatch(
      /^Stopped following sweep sweep-check-\d+: the sweep was still RUNNING after 0\.001 s and keeps running;/,
    );
    expect(out).toMatch(
      /\nExecution: arn:aws:states:us-east-1:999999999999:execution:runas-bootstrapper-sweep:sweep-check-\d+$/,
    );
  });

  it('says so when --state-machine-arn names a machine that is not the sweep', async () => {
    // Act
    const { code, err } = await cli(
      ...env.args('sweep', '--state-machine-arn', env.stateMachineArn, '--poll-interval', '0.05'),
    );
    await env.runtime.whenIdle();
    // Assess
    expect(code).toBe(2);
    expect(err).toMatch(/succeeded without a sweep summary: is --state-machine-arn the sweep state machine/);
  });

  it('renders a failed sweep with its error and cause, and a batch that was not swept', () => {
    // Prepare
    const executionArn =
      'arn:aws:states:us-east-1:999999999999:execution:runas-bootstrapper-sweep:sweep-repair-1';
    // Act
    const text = renderSweep({
      executionArn,
      status: 'FAILED',
      error: 'SweepIncompleteError',
      cause:
        '1 batch(es) failed as a whole, so 200 account(s) were not swept (see the RecordSweep log); the other 37 were',
    });
    // Assess
    expect(text).toBe(
      [
        'Sweep sweep-repair-1 FAILED.',
        'SweepIncompleteError: 1 batch(es) failed as a whole, so 200 account(s) were not swept (see the RecordSweep log); the other 37 were',
        `Execution: ${executionArn}`,
      ].join('\n'),
    );
  });

  describe('user errors', () => {
    it.each([
      [['--max-concurrency', '0'], /^error: --max-concurrency 0 is not a whole number from 1 to 1000$/],
      [['--max-concurrency', 'ten'], /^error: --max-concurrency ten is not a whole number from 1 to 1000$/],
      [['--regions', 'ap-south-1'], /^error: region "ap-south-1" is not governed/],
      [['--timeout', '-1'], /^error: --timeout -1 is not a positive number$/],
    ])('%j is refused with exit code 2 before any execution starts', async (args, message) => {
      // Prepare
      const executions = env.runtime.executions().length;
      // Act
      const { code, err } = await sweep(...args);
      // Assess
      expect(code).toBe(2);
      expect(err).toMatch(message);
      expect(env.runtime.executions()).toHaveLength(executions);
    });

    it('without --state-machine-arn, names the stack it did not find and what to pass', async () => {
      // Act: the local cloud serves CloudFormation; this stack name is not deployed.
      const { code, err } = await cli(...env.args('sweep', '--stack-name', 'NotDeployed'));
      // Assess
      expect(code).toBe(2);
      expect(err).toMatch(
        /^error: stack NotDeployed not found in us-east-1 \(region from AWS_REGION\); deploy it there, or pass --region, --stack-name or --state-machine-arn$/,
      );
    });

    it('a state machine that does not exist is a one-line error', async () => {
      // Act
      const { code, err } = await cli(
        ...env.args(
          'sweep',
          '--state-machine-arn',
          'arn:aws:states:us-east-1:999999999999:stateMachine:nope',
        ),
      );
      // Assess
      expect(code).toBe(3);
      expect(err).toMatch(/^error: StateMachineDoesNotExist: State Machine Does Not Exist/);
      expect(err.split('\n')).toHaveLength(1);
    });
  });
});
