import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { DeleteTableCommand, DynamoDBClient, waitUntilTableNotExists } from '@aws-sdk/client-dynamodb';
import {
  DisableRuleCommand,
  EnableRuleCommand,
  EventBridgeClient,
  ListRulesCommand,
  PutEventsCommand,
} from '@aws-sdk/client-eventbridge';
import { type LocalCloud, startLocalCloud } from '@runas-bootstrapper/local-cloud';
import { afterEach, describe, expect, it } from 'vitest';
import type { DoctorCheck } from '#cli/doctor-check.ts';
import { parseConfig } from '#core/config/config.ts';
import { PRODUCT_VERSION } from '#core/deploy/deployment.ts';
import { VEND_LEDGER_TABLE } from '#core/shared/names.ts';
import { REPLAY_DETAIL_TYPE, REPLAY_SOURCE } from '#core/vend/rules.ts';
import { pipelineDefaultsFor } from '#local/runtime/deployment.ts';
import { LocalRuntime } from '#local/runtime/runtime.ts';
import { onVirtualTime } from '#test/virtual-clock.ts';
import { cli } from './helpers.ts';

const MANAGEMENT = '999999999999';
const MEMBER = '111111111111';
let cloud: LocalCloud | undefined;
let runtime: LocalRuntime | undefined;

onVirtualTime();

afterEach(async () => {
  runtime?.stop();
  await runtime?.whenIdle();
  await cloud?.close();
  cloud = undefined;
  runtime = undefined;
});

/** The bootstrapper deployed on a local cloud whose home region is `homeRegion`. */
async function deployed(homeRegion: string, notify = true) {
  const input = {
    runAsDefaultUser: 'ec2-user',
    governedRegions: ['us-east-1', 'eu-west-1'],
    ...(notify ? { notifications: { email: 'oncall@example.com' } } : {}),
  };
  const dir = mkdtempSync(join(tmpdir(), 'runas-doctor-'));
  const configFile = join(dir, 'bootstrapper.config.json');
  writeFileSync(configFile, JSON.stringify({ ...input, homeRegion }));
  const config = parseConfig({ ...input, managementAccountId: MANAGEMENT, homeRegion });
  cloud = await startLocalCloud({
    port: 0,
    pipelineDefaults: pipelineDefaultsFor(config),
    scenario: {
      managementAccountId: MANAGEMENT,
      homeRegion,
      pipeline: { exists: true },
      accounts: [{ accountId: MEMBER, name: 'member', vend: { atSeconds: 0, via: 'none' } }],
    },
  });
  runtime = await LocalRuntime.start({ host: cloud, config, managementAccountId: MANAGEMENT, homeRegion });
  cloud.startTimeline();
  const args = (...command: string[]) => ['--config', configFile, '--endpoint-url', cloud!.url, ...command];
  return { cloud, runtime, dir, args };
}

async function doctor(args: string[]) {
  const result = await cli(...args, '--json');
  return { ...result, report: JSON.parse(result.out) as { healthy: boolean; checks: DoctorCheck[] } };
}

const statusOf = (checks: DoctorCheck[]) => Object.fromEntries(checks.map((c) => [c.check, c.status]));

describe('PRODUCT_VERSION', () => {
  it('is the package version, which the stacks output and doctor compares', async () => {
    // Prepare
    const pkg = (await import('../../package.json', { with: { type: 'json' } })).default as {
      version: string;
    };
    // Act / Assess
    expect(PRODUCT_VERSION).toBe(pkg.version);
  });
});

describe('local cloud CloudFormation', () => {
  it('describes the deployed stacks with their outputs, each in its own region', async () => {
    // Prepare
    const { cloud } = await deployed('eu-west-1');
    // Act
    const home = await new CloudFormationClient(cloud.clientConfig('eu-west-1')).send(
      new DescribeStacksCommand({ StackName: 'RunAsBootstrapper' }),
    );
    const forwarder = await new CloudFormationClient(cloud.clientConfig('us-east-1')).send(
      new DescribeStacksCommand({ StackName: 'RunAsBootstrapperForwarder' }),
    );
    const elsewhere = new CloudFormationClient(cloud.clientConfig('us-east-1')).send(
      new DescribeStacksCommand({ StackName: 'RunAsBootstrapper' }),
    );
    // Assess
    expect(home.Stacks?.[0]).toMatchObject({
      StackName: 'RunAsBootstrapper',
      StackStatus: 'CREATE_COMPLETE',
    });
    expect(home.Stacks?.[0]?.Outputs).toEqual(
      expect.arrayContaining([
        {
          OutputKey: 'BootstrapStateMachineArn',
          OutputValue: `arn:aws:states:eu-west-1:${MANAGEMENT}:stateMachine:runas-bootstrapper-bootstrap`,
        },
        { OutputKey: 'Version', OutputValue: PRODUCT_VERSION },
      ]),
    );
    expect(forwarder.Stacks?.[0]?.StackName).toBe('RunAsBootstrapperForwarder');
    await expect(elsewhere).rejects.toMatchObject({ name: 'ValidationError' });
  });
});

describe('doctor', () => {
  it('passes on a healthy deployment with a forwarder (home eu-west-1), one line per check', async () => {
    // Prepare
    const { args } = await deployed('eu-west-1');
    // Act
    const { code, report } = await doctor(args('doctor'));
    const text = await cli(...args('doctor'));
    // Assess
    expect(report.checks[0]?.check).toBe('organization');
    expect(statusOf(report.checks)).toEqual({
      organization: 'ok',
      'home stack': 'ok',
      'forwarder stack': 'ok',
      versions: 'ok',
      rules: 'ok',
      'forwarding rules': 'ok',
      'bootstrap state machine': 'ok',
      'sweep state machine': 'ok',
      'follow-up state machine': 'ok',
      'vend ledger': 'ok',
      'failure topic': 'ok',
      alarms: 'ok',
      'LZA pipeline': 'ok',
      'Control Tower': 'ok',
      'member role': 'ok',
      config: 'ok',
    });
    expect(report.healthy).toBe(true);
    expect(code).toBe(0);
    expect(text.out).toContain('Healthy.');
  });

  it('names a disabled forwarding rule, with the command that fixes it, and exits 1', async () => {
    // Prepare
    const { cloud, args } = await deployed('eu-west-1');
    const events = new EventBridgeClient(cloud.clientConfig('us-east-1'));
    const { Rules = [] } = await events.send(
      new ListRulesCommand({ NamePrefix: 'RunAsBootstrapperForwarder-' }),
    );
    await events.send(new DisableRuleCommand({ Name: Rules[0]?.Name }));
    // Act
    const { code, report } = await doctor(args('doctor'));
    // Assess
    const broken = report.checks.find((c) => c.check === 'forwarding rules');
    expect(broken?.status).toBe('fail');
    expect(broken?.detail).toContain(`disabled: ${Rules[0]?.Name}`);
    expect(broken?.fix).toContain(`aws events enable-rule --region us-east-1 --name ${Rules[0]?.Name}`);
    expect(report.checks.filter((c) => c.status === 'fail')).toHaveLength(1);
    expect(code).toBe(1);
  });

  it('names a vend ledger that is gone, and exits 1', async () => {
    // Prepare
    const { cloud, args } = await deployed('eu-west-1');
    const dynamodb = new DynamoDBClient(cloud.clientConfig('eu-west-1'));
    await dynamodb.send(new DeleteTableCommand({ TableName: VEND_LEDGER_TABLE }));
    // DeleteTable returns while the table is still DELETING, as on AWS: wait until it is gone.
    await waitUntilTableNotExists({ client: dynamodb, maxWaitTime: 60 }, { TableName: VEND_LEDGER_TABLE });
    // Act
    const { code, report } = await doctor(args('doctor'));
    // Assess
    const broken = report.checks.find((c) => c.check === 'vend ledger');
    expect(broken?.status).toBe('fail');
    expect(broken?.detail).toContain('ResourceNotFoundException');
    expect(broken?.fix).toMatch(/redeploy the home stack/);
    expect(report.checks.filter((c) => c.status === 'fail')).toHaveLength(1);
    expect(code).toBe(1);
  });

  it('names an alarm in ALARM, and a topic nobody is subscribed to', async () => {
    // Prepare
    const { cloud, args } = await deployed('us-east-1', false);
    await new CloudWatchClient(cloud.clientConfig('us-east-1')).send(
      new SetAlarmStateCommand({
        AlarmName: 'RunAsBootstrapper-RegionsFailed',
        StateValue: 'ALARM',
        StateReason: 'Threshold Crossed: 1 datapoint [2.0] was greater than the threshold (0.0)',
      }),
    );
    // Act
    const { code, report } = await doctor(args('doctor'));
    // Assess
    const alarms = report.checks.find((c) => c.check === 'alarms');
    expect(alarms?.status).toBe('fail');
    expect(alarms?.detail).toBe(
      'in ALARM: RunAsBootstrapper-RegionsFailed (Threshold Crossed: 1 datapoint [2.0] was greater than the threshold (0.0))',
    );
    expect(report.checks.find((c) => c.check === 'failure topic')).toMatchObject({
      status: 'warn',
      detail: 'no subscription: nobody hears about failures',
      fix: expect.stringContaining('set notifications.email'),
    });
    expect(code).toBe(1);
  });

  it('checks the guardrail stack when the config enables the SCP, and fails when it is missing', async () => {
    // Prepare: deployed without the guardrail; the operator's config enables it.
    const { args, dir } = await deployed('us-east-1');
    const guarded = join(dir, 'guarded.json');
    writeFileSync(
      guarded,
      JSON.stringify({
        runAsDefaultUser: 'ec2-user',
        governedRegions: ['us-east-1', 'eu-west-1'],
        notifications: { email: 'oncall@example.com' },
        guardrail: { scp: { enabled: true, targetIds: ['r-ab12'] } },
      }),
    );
    // Act
    const { report } = await doctor([...args('doctor'), '--config', guarded]);
    const plain = await doctor(args('doctor'));
    // Assess
    expect(report.checks.find((c) => c.check === 'guardrail stack')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('RunAsBootstrapperGuardrail in us-east-1: ValidationError'),
    });
    expect(plain.report.checks.map((c) => c.check)).not.toContain('guardrail stack');
  });

  it('says when the LZA pipeline the config names does not exist, and names the one LZA runs as', async () => {
    // Prepare
    const { args, dir } = await deployed('us-east-1');
    const other = join(dir, 'other-pipeline.json');
    writeFileSync(
      other,
      JSON.stringify({
        runAsDefaultUser: 'ec2-user',
        governedRegions: ['us-east-1', 'eu-west-1'],
        notifications: { email: 'oncall@example.com' },
        lza: { pipelineName: 'Custom-Pipeline', measureGap: true },
      }),
    );
    // Act
    const { report } = await doctor([...args('doctor'), '--config', other]);
    // Assess
    expect(report.checks.find((c) => c.check === 'LZA pipeline')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining(
        'Custom-Pipeline not found in us-east-1; LZA runs here as AWSAccelerator-Pipeline',
      ),
      fix: expect.stringContaining('set lza.pipelineName to "AWSAccelerator-Pipeline"'),
    });
  });

  it('says when the stack was deployed with another config than --config', async () => {
    // Prepare
    const { args, dir } = await deployed('us-east-1');
    const other = join(dir, 'other.json');
    writeFileSync(
      other,
      JSON.stringify({ runAsDefaultUser: 'admin', governedRegions: ['us-east-1', 'eu-west-1'] }),
    );
    // Act
    const { code, report } = await doctor([...args('doctor'), '--config', other]);
    // Assess
    expect(statusOf(report.checks)).toMatchObject({
      config: 'fail',
      'forwarder stack': 'skip',
      'home stack': 'ok',
    });
    expect(code).toBe(1);
  });

  it('fails the home stack, and what hangs on it, when nothing is deployed', async () => {
    // Prepare
    const { runtime, args } = await deployed('us-east-1');
    runtime.stop();
    // Act
    const { code, report } = await doctor(args('doctor'));
    // Assess
    const home = report.checks.find((c) => c.check === 'home stack');
    expect(home).toMatchObject({ status: 'fail', fix: expect.stringContaining('npx cdk deploy --all') });
    expect(home?.detail).toContain('ValidationError');
    expect(statusOf(report.checks)).toMatchObject({ rules: 'fail', 'bootstrap state machine': 'skip' });
    expect(code).toBe(1);
  });
});

describe('local EventBridge rules', () => {
  it('deliver nothing while disabled, like EventBridge, and again once enabled', async () => {
    // Prepare
    const { cloud, runtime } = await deployed('us-east-1');
    const events = new EventBridgeClient(cloud.clientConfig('us-east-1'));
    const replay = {
      Entries: [
        {
          Source: REPLAY_SOURCE,
          DetailType: REPLAY_DETAIL_TYPE,
          Detail: JSON.stringify({ accountId: MEMBER, regions: ['eu-west-1'] }),
        },
      ],
    };
    const { Rules = [] } = await events.send(
      new ListRulesCommand({ NamePrefix: 'RunAsBootstrapper-Replay' }),
    );
    const delivered = async () => {
      await events.send(new PutEventsCommand(replay));
      // The bus delivers on the next turn of the event loop.
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      return runtime.executions().length;
    };
    // Act
    await events.send(new DisableRuleCommand({ Name: Rules[0]?.Name }));
    const whileDisabled = await delivered();
    await events.send(new EnableRuleCommand({ Name: Rules[0]?.Name }));
    const onceEnabled = await delivered();
    // Assess
    expect(Rules).toHaveLength(1);
    expect(whileDisabled).toBe(0);
    expect(onceEnabled).toBe(1);
  });
});

describe('replay and sweep find their state machines through CloudFormation on the local cloud', () => {
  it('replays with --via sfn --wait and sweeps without --state-machine-arn', async () => {
    // Prepare
    const { args } = await deployed('us-east-1');
    // Act
    const replay = await cli(
      ...args('replay', '--via', 'sfn', '--account-id', MEMBER, '--wait', '--reason', 'doctor'),
    );
    const sweep = await cli(...args('sweep', '--json'));
    // Assess
    expect(replay.err).not.toContain('--state-machine-arn');
    expect(replay.code).toBe(0);
    expect(sweep.err).not.toContain('--state-machine-arn');
    expect(JSON.parse(sweep.out).status).toBe('SUCCEEDED');
  });
});
