import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { REPLAY_DETAIL_TYPE, REPLAY_SOURCE } from '#core/vend/rules.ts';
import { cli } from './helpers.ts';
import {
  existingMember,
  FOREIGN_DOCUMENT,
  lzaDocument,
  MANAGEMENT_ACCOUNT,
  type OperatorCloud,
  startOperatorCloud,
} from './operator-cloud.ts';

const FAST = ['--poll-interval', '0.05', '--timeout', '60'];

describe('replay command', () => {
  let env: OperatorCloud;

  beforeAll(async () => {
    env = await startOperatorCloud([
      existingMember('111111111111', 'missing'),
      existingMember('222222222222', 'lza-wrong', { 'us-east-1': lzaDocument('us-east-1', '222222222222') }),
      existingMember('444444444444', 'foreign', { 'us-east-1': FOREIGN_DOCUMENT }),
    ]);
  });

  afterAll(async () => {
    await env.close();
  });

  const putEvents = () => env.cloud.state.callCount({ operation: 'events:PutEvents' });
  const startExecutions = () => env.cloud.state.callCount({ operation: 'states:StartExecution' });

  it('puts one replay event per account, with only accountId, regions and reason in the detail', async () => {
    // Act
    const { code, out } = await cli(
      ...env.args(
        'replay',
        '--account-id',
        '111111111111',
        '--regions',
        'eu-west-1',
        '--reason',
        'ticket OPS-1',
        '--no-wait',
        '--json',
      ),
    );
    await env.runtime.whenIdle();
    // Assess
    expect(code).toBe(0);
    const [result] = JSON.parse(out).results;
    expect(result).toMatchObject({ accountId: '111111111111', via: 'events', eventId: expect.any(String) });
    const execution = env.runtime.executions().find((e) => (e.input as { id: string }).id === result.eventId);
    expect(execution?.startedBy).toBe('rule/replay-request');
    expect(execution?.input).toMatchObject({
      source: REPLAY_SOURCE,
      'detail-type': REPLAY_DETAIL_TYPE,
      account: MANAGEMENT_ACCOUNT,
      detail: { accountId: '111111111111', regions: ['eu-west-1'], reason: 'ticket OPS-1' },
    });
    expect(Object.keys((execution?.input as { detail?: object } | undefined)?.detail ?? {}).sort()).toEqual([
      'accountId',
      'reason',
      'regions',
    ]);
    expect(execution?.status).toBe('SUCCEEDED');
  });

  it('follows by default, as sweep does: finds the execution the event started, to SUCCEEDED', async () => {
    // Act
    const { code, out, err } = await cli(
      ...env.args(
        'replay',
        '--account-id',
        '222222222222',
        '--state-machine-arn',
        env.stateMachineArn,
        ...FAST,
      ),
    );
    // Assess
    expect(code).toBe(0);
    expect(out).toMatch(/222222222222\s+SUCCEEDED/);
    expect(out).toContain('1/1 execution(s) succeeded.');
    expect(err).toMatch(/222222222222 {2}SUCCEEDED {2}arn:aws:states:us-east-1:999999999999:execution:/);
    expect(
      JSON.parse(env.cloud.state.document('222222222222', 'us-east-1')?.versions.at(-1)?.content ?? '{}'),
    ).toMatchObject({
      inputs: { runAsEnabled: true, runAsDefaultUser: 'ec2-user', s3KeyPrefix: 'session/222222222222' },
    });
  });

  it('--via sfn starts replay-<account>-<epoch> with the envelope the replay rule would deliver', async () => {
    // Prepare
    const before = Math.floor(Date.now() / 1000);
    // Act
    const { code, out } = await cli(
      ...env.args(
        'replay',
        '--via',
        'sfn',
        '--account-id',
        '111111111111',
        '--state-machine-arn',
        env.stateMachineArn,
        '--wait',
        '--json',
        ...FAST,
      ),
    );
    // Assess
    expect(code).toBe(0);
    const [result] = JSON.parse(out).results;
    expect(result).toMatchObject({ accountId: '111111111111', via: 'sfn', status: 'SUCCEEDED' });
    const execution = env.runtime.executions().find((e) => e.executionArn === result.executionArn);
    expect(execution?.name).toMatch(/^replay-111111111111-\d{10}$/);
    expect(Number(execution?.name.split('-').pop())).toBeGreaterThanOrEqual(before);
    expect(execution?.startedBy).toBe('StartExecution');
    expect(execution?.input).toEqual({
      version: '0',
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      'detail-type': REPLAY_DETAIL_TYPE,
      source: REPLAY_SOURCE,
      account: MANAGEMENT_ACCOUNT,
      time: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
      region: 'us-east-1',
      resources: [],
      detail: { accountId: '111111111111' },
    });
  });

  it('--wait exits 1 and names the error when an execution fails', async () => {
    // Act
    const { code, out } = await cli(
      ...env.args(
        'replay',
        '--via',
        'sfn',
        '--account-id',
        '444444444444',
        '--state-machine-arn',
        env.stateMachineArn,
        '--wait',
        ...FAST,
      ),
    );
    // Assess
    expect(code).toBe(1);
    expect(out).toMatch(/444444444444\s+FAILED\s+replay-444444444444-\d+\s+RegionsFailedError/);
    expect(out).toContain('0/1 execution(s) succeeded.');
  });

  describe('the state machine from the stack', () => {
    const cloudFormation = mockClient(CloudFormationClient);
    afterEach(() => cloudFormation.reset());
    afterAll(() => cloudFormation.restore());

    it('reads the BootstrapStateMachineArn output of the named stack', async () => {
      // Prepare
      cloudFormation.on(DescribeStacksCommand, { StackName: 'MyBootstrapper' }).resolves({
        Stacks: [
          {
            StackName: 'MyBootstrapper',
            CreationTime: new Date(),
            StackStatus: 'CREATE_COMPLETE',
            Outputs: [{ OutputKey: 'BootstrapStateMachineArn', OutputValue: env.stateMachineArn }],
          },
        ],
      });
      // Act
      const { code, out, err } = await cli(
        ...env.args(
          'replay',
          '--via',
          'sfn',
          '--account-id',
          '222222222222',
          '--stack-name',
          'MyBootstrapper',
          '--no-wait',
        ),
      );
      await env.runtime.whenIdle();
      // Assess
      expect(err).toBe('');
      expect(code).toBe(0);
      expect(out).toMatch(
        /222222222222\s+sfn\s+arn:aws:states:us-east-1:999999999999:execution:runas-bootstrapper-bootstrap:replay-222222222222-\s*\d+/,
      );
    });

    it('a stack that does not exist is a one-line usage error', async () => {
      // Prepare
      cloudFormation.on(DescribeStacksCommand).rejects(
        Object.assign(new Error('Stack with id RunAsBootstrapper does not exist'), {
          name: 'ValidationError',
        }),
      );
      const started = startExecutions();
      // Act
      const { code, err } = await cli(...env.args('replay', '--via', 'sfn', '--account-id', '111111111111'));
      // Assess
      expect(code).toBe(2);
      expect(err).toBe(
        'error: stack RunAsBootstrapper not found in us-east-1 (region from AWS_REGION); deploy it there, or pass --region, --stack-name or --state-machine-arn',
      );
      expect(startExecutions()).toBe(started);
    });
  });

  describe('user errors', () => {
    it('--via sfn names the stack it did not find, and starts nothing', async () => {
      // Prepare: the local cloud serves CloudFormation; this stack name is not deployed.
      const started = startExecutions();
      // Act
      const { code, err } = await cli(
        ...env.args('replay', '--via', 'sfn', '--account-id', '111111111111', '--stack-name', 'NotDeployed'),
      );
      // Assess
      expect(code).toBe(2);
      expect(err.split('\n')).toHaveLength(1);
      expect(err).toMatch(
        /^error: stack NotDeployed not found in us-east-1 \(region from AWS_REGION\); deploy it there, or pass --region, --stack-name or --state-machine-arn$/,
      );
      expect(startExecutions()).toBe(started);
    });

    it('--wait for a replay event needs the state machine too, and sends nothing without it', async () => {
      // Prepare
      const sent = putEvents();
      // Act
      const { code, err } = await cli(
        ...env.args('replay', '--account-id', '111111111111', '--wait', '--stack-name', 'NotDeployed'),
      );
      // Assess
      expect(code).toBe(2);
      expect(err).toMatch(/^error: stack NotDeployed not found/);
      expect(putEvents()).toBe(sent);
    });

    it.each([
      [['--account-id', '12345'], /^error: account id "12345" is not a 12-digit AWS account id$/],
      [
        ['--account-id', '111111111111', '--regions', 'ap-south-1'],
        /^error: region "ap-south-1" is not governed \(governed: us-east-1, eu-west-1\)/,
      ],
      [
        ['--account-id', '111111111111', '--reason', 'x'.repeat(257)],
        /^error: --reason is longer than 256 characters$/,
      ],
      [
        ['--account-id', '111111111111', '--state-machine-arn', 'arn:nope'],
        /^error: --state-machine-arn "arn:nope" is not a state machine ARN$/,
      ],
      [['--account-id', '111111111111', '--via', 'carrier-pigeon'], /argument 'carrier-pigeon' is invalid/],
    ])('%j is refused with exit code 2 before any call', async (args, message) => {
      // Prepare
      const sent = putEvents();
      const started = startExecutions();
      // Act
      const { code, err } = await cli(...env.args('replay', ...args));
      // Assess
      expect(code).toBe(2);
      expect(err).toMatch(message);
      expect(err).not.toMatch(/\n\s+at /);
      expect(putEvents()).toBe(sent);
      expect(startExecutions()).toBe(started);
    });

    it('the management account is refused before anything is sent: it is never bootstrapped', async () => {
      // Prepare
      const sent = putEvents();
      // Act
      const { code, err } = await cli(...env.args('replay', '--account-id', MANAGEMENT_ACCOUNT));
      // Assess
      expect(code).toBe(2);
      expect(err).toMatch(new RegExp(`^error: account ${MANAGEMENT_ACCOUNT} is the management account`));
      expect(err.trim().split('\n')).toHaveLength(1);
      expect(putEvents()).toBe(sent);
      expect(env.cloud.state.document(MANAGEMENT_ACCOUNT, 'us-east-1')).toBeUndefined();
    });

    it('an excluded account is refused: the workflow would ignore it', async () => {
      // Prepare
      const other = await startOperatorCloud([], { excludeAccountIds: ['111111111111'] });
      try {
        // Act
        const { code, err } = await cli(...other.args('replay', '--account-id', '111111111111'));
        // Assess
        expect(code).toBe(2);
        expect(err).toMatch(/^error: account\(s\) 111111111111 excluded by configuration/);
        expect(other.cloud.state.callCount({ operation: 'events:PutEvents' })).toBe(0);
      } finally {
        await other.close();
      }
    });
  });
});
