import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { CodePipelineClient, ListPipelineExecutionsCommand } from '@aws-sdk/client-codepipeline';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { InstallationProbe } from '#adapters/installation-probe.ts';

const dynamodb = mockClient(DynamoDBClient);
const sns = mockClient(SNSClient);
const cloudWatch = mockClient(CloudWatchClient);
const codePipeline = mockClient(CodePipelineClient);
const TOPIC = 'arn:aws:sns:us-east-1:111122223333:failures';

function probe() {
  const config = { region: 'us-east-1', maxAttempts: 1 };
  return new InstallationProbe({
    dynamodb: new DynamoDBClient(config),
    sns: new SNSClient(config),
    cloudWatch: new CloudWatchClient(config),
    codePipeline: new CodePipelineClient(config),
  });
}

describe('InstallationProbe', () => {
  beforeEach(() => {
    dynamodb.reset();
    sns.reset();
    cloudWatch.reset();
    codePipeline.reset();
  });

  it("reads a table's status", async () => {
    // Prepare
    dynamodb.on(DescribeTableCommand, { TableName: 'ledger' }).resolves({ Table: { TableStatus: 'ACTIVE' } });

    // Act / Assess
    expect(await probe().tableStatus('ledger')).toBe('ACTIVE');
  });

  it("lists a topic's subscriptions across pages, pending ones included", async () => {
    // Prepare
    sns
      .on(ListSubscriptionsByTopicCommand, { TopicArn: TOPIC, NextToken: undefined })
      .resolves({
        Subscriptions: [
          { SubscriptionArn: 'PendingConfirmation', Protocol: 'email', Endpoint: 'ops@example.com' },
        ],
        NextToken: 'n',
      })
      .on(ListSubscriptionsByTopicCommand, { TopicArn: TOPIC, NextToken: 'n' })
      .resolves({
        Subscriptions: [{ SubscriptionArn: `${TOPIC}:abc`, Protocol: 'https', Endpoint: 'https://hook' }],
      });

    // Act
    const subscriptions = await probe().topicSubscriptions(TOPIC);

    // Assess
    expect(subscriptions).toEqual([
      { subscriptionArn: 'PendingConfirmation', protocol: 'email', endpoint: 'ops@example.com' },
      { subscriptionArn: `${TOPIC}:abc`, protocol: 'https', endpoint: 'https://hook' },
    ]);
  });

  it('lists the alarms with a name prefix across pages, with their state and reason', async () => {
    // Prepare
    cloudWatch
      .on(DescribeAlarmsCommand, { AlarmNamePrefix: 'RunAsBootstrapper-', NextToken: undefined })
      .resolves({ MetricAlarms: [{ AlarmName: 'RunAsBootstrapper-a', StateValue: 'OK' }], NextToken: 'n' })
      .on(DescribeAlarmsCommand, { AlarmNamePrefix: 'RunAsBootstrapper-', NextToken: 'n' })
      .resolves({
        MetricAlarms: [
          { AlarmName: 'RunAsBootstrapper-b', StateValue: 'ALARM', StateReason: 'threshold crossed' },
        ],
      });

    // Act
    const alarms = await probe().alarmsNamed('RunAsBootstrapper-');

    // Assess
    expect(alarms).toEqual([
      { name: 'RunAsBootstrapper-a', state: 'OK' },
      { name: 'RunAsBootstrapper-b', state: 'ALARM', reason: 'threshold crossed' },
    ]);
  });

  it('proves a pipeline readable with one execution listed, and lets a missing one fail as AWS said', async () => {
    // Prepare
    codePipeline
      .on(ListPipelineExecutionsCommand, { pipelineName: 'AWSAccelerator-Pipeline' })
      .resolves({ pipelineExecutionSummaries: [] })
      .on(ListPipelineExecutionsCommand, { pipelineName: 'Nope' })
      .rejects(Object.assign(new Error('not found'), { name: 'PipelineNotFoundException' }));

    // Act
    await probe().assertPipelineReadable('AWSAccelerator-Pipeline');
    const missing = await probe()
      .assertPipelineReadable('Nope')
      .catch((e: unknown) => e);

    // Assess
    expect(codePipeline).toHaveReceivedCommandWith(ListPipelineExecutionsCommand, {
      pipelineName: 'AWSAccelerator-Pipeline',
      maxResults: 1,
    });
    expect(missing).toMatchObject({ name: 'PipelineNotFoundException' });
  });
});
