import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateAccountCommand,
  DescribeCreateAccountStatusCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { type LocalCloud, startLocalCloud } from '@runas-bootstrapper/local-cloud';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '#core/config/config.ts';
import { BOOTSTRAP_STATE_MACHINE } from '#core/shared/names.ts';
import { REPLAY_DETAIL_TYPE, REPLAY_SOURCE } from '#core/vend/rules.ts';
import { settle } from '#local/demo.ts';
import { pipelineDefaultsFor } from '#local/runtime/deployment.ts';
import { LocalRuntime } from '#local/runtime/runtime.ts';
import { onVirtualTime } from '#test/virtual-clock.ts';

const MANAGEMENT = '999999999999';
const config = parseConfig({ runAsDefaultUser: 'ec2-user', governedRegions: ['us-east-1', 'eu-west-1'] });
let cloud: LocalCloud | undefined;
let runtime: LocalRuntime | undefined;

onVirtualTime();

afterEach(async () => {
  runtime?.stop();
  await cloud?.close();
  cloud = undefined;
  runtime = undefined;
});

async function deployed(scenario: object = {}) {
  cloud = await startLocalCloud({
    port: 0,
    pipelineDefaults: pipelineDefaultsFor(config),
    scenario: {
      managementAccountId: MANAGEMENT,
      homeRegion: 'us-east-1',
      organizations: { createAccountSeconds: 5, roleReadySeconds: 10 },
      ...scenario,
    },
  });
  runtime = await LocalRuntime.start({
    host: cloud,
    config,
    managementAccountId: MANAGEMENT,
    homeRegion: 'us-east-1',
  });
  cloud.startTimeline();
  return { cloud, runtime };
}

describe('local runtime', () => {
  it('bootstraps an account created by any AWS client through Organizations CreateAccount', async () => {
    // Prepare
    const { cloud, runtime } = await deployed();
    const organizations = new OrganizationsClient(cloud.clientConfig('us-east-1'));
    // Act
    const { CreateAccountStatus } = await organizations.send(
      new CreateAccountCommand({ AccountName: 'from-sdk', Email: 'from-sdk@example.com' }),
    );
    await settle(cloud, runtime, { timeoutSeconds: 60 });
    // Assess
    const status = await organizations.send(
      new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: CreateAccountStatus!.Id! }),
    );
    const accountId = status.CreateAccountStatus!.AccountId!;
    expect(status.CreateAccountStatus!.State).toBe('SUCCEEDED');
    const [execution] = runtime.executions();
    expect(execution).toMatchObject({
      status: 'SUCCEEDED',
      startedBy: 'rule/organizations-create-account-succeeded',
    });
    for (const region of config.governedRegions) {
      const doc = cloud.state.document(accountId, region);
      expect(JSON.parse(doc!.versions.at(-1)!.content).inputs).toMatchObject({
        runAsEnabled: true,
        runAsDefaultUser: 'ec2-user',
      });
    }
  });

  it('routes a replay request put on the bus to the state machine', async () => {
    // Prepare
    const { cloud, runtime } = await deployed({
      accounts: [{ accountId: '111111111111', name: 'existing' }],
    });
    const events = new EventBridgeClient(cloud.clientConfig('us-east-1'));
    // Act
    await events.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: REPLAY_SOURCE,
            DetailType: REPLAY_DETAIL_TYPE,
            Detail: JSON.stringify({ accountId: '111111111111', regions: ['eu-west-1'] }),
          },
        ],
      }),
    );
    await settle(cloud, runtime, { timeoutSeconds: 60 });
    // Assess
    expect(runtime.executions()).toMatchObject([{ status: 'SUCCEEDED', startedBy: 'rule/replay-request' }]);
    expect(cloud.state.document('111111111111', 'eu-west-1')).toBeDefined();
    expect(cloud.state.document('111111111111', 'us-east-1')).toBeUndefined();
  });

  it('starts no execution for an event that matches no rule', async () => {
    // Prepare
    const { cloud, runtime } = await deployed();
    const events = new EventBridgeClient(cloud.clientConfig('us-east-1'));
    // Act
    await events.send(
      new PutEventsCommand({ Entries: [{ Source: 'my.app', DetailType: 'Something', Detail: '{}' }] }),
    );
    await settle(cloud, runtime, { timeoutSeconds: 10 });
    // Assess
    expect(runtime.executions()).toEqual([]);
  });

  it('backs the Step Functions API of the local cloud', async () => {
    // Prepare
    const { cloud, runtime } = await deployed();
    const sfn = new SFNClient(cloud.clientConfig('us-east-1'));
    const input = {
      source: 'aws.organizations',
      'detail-type': 'AWS Service Event via CloudTrail',
      detail: {},
    };
    // Act
    const started = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: runtime.stateMachineArn(BOOTSTRAP_STATE_MACHINE),
        name: 'by-sdk',
        input: JSON.stringify(input),
      }),
    );
    await runtime.whenIdle();
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    const duplicate = sfn.send(
      new StartExecutionCommand({
        stateMachineArn: runtime.stateMachineArn(BOOTSTRAP_STATE_MACHINE),
        name: 'by-sdk',
        input: '{}',
      }),
    );
    // Assess
    expect(described).toMatchObject({ status: 'SUCCEEDED', name: 'by-sdk' });
    expect(JSON.parse(described.output!)).toMatchObject({ action: 'ignore' });
    await expect(duplicate).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
  });

  it('answers StartExecution with the running execution for the same name and input, and refuses another input', async () => {
    // Prepare: a replay of an account whose role is not assumable for hours keeps AwaitRole waiting;
    // the event the replay rule delivered is the input.
    const { cloud, runtime } = await deployed({
      accounts: [
        { accountId: '111111111111', name: 'slow', roles: { OrganizationAccountAccessRole: 36_000 } },
      ],
    });
    await new EventBridgeClient(cloud.clientConfig('us-east-1')).send(
      new PutEventsCommand({
        Entries: [
          { Source: REPLAY_SOURCE, DetailType: REPLAY_DETAIL_TYPE, Detail: '{"accountId":"111111111111"}' },
        ],
      }),
    );
    while (runtime.executions().length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const delivered = runtime.executions()[0]!.input as Record<string, unknown>;
    const sfn = new SFNClient(cloud.clientConfig('us-east-1'));
    const start = (input: object) =>
      sfn.send(
        new StartExecutionCommand({
          stateMachineArn: runtime.stateMachineArn(BOOTSTRAP_STATE_MACHINE),
          name: 'replay-once',
          input: JSON.stringify(input),
        }),
      );
    // Act
    const first = await start(delivered);
    const again = await start(delivered);
    const other = start({ ...delivered, id: 'another-event' });
    // Assess
    expect(again).toMatchObject({ executionArn: first.executionArn, startDate: first.startDate });
    await expect(other).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
    const named = runtime.executions().filter((e) => e.name === 'replay-once');
    expect(named.map((e) => e.status)).toEqual(['RUNNING']);
  });
});
