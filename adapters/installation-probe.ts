import { type CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { type CodePipelineClient, ListPipelineExecutionsCommand } from '@aws-sdk/client-codepipeline';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ListSubscriptionsByTopicCommand, type SNSClient } from '@aws-sdk/client-sns';
import { allPages } from './pages.ts';

export interface TopicSubscription {
  /** `PendingConfirmation` until the endpoint confirms, then the subscription's ARN. */
  subscriptionArn: string;
  protocol?: string;
  endpoint?: string;
}

export interface AlarmState {
  name: string;
  state: string;
  reason?: string;
}

export interface InstallationProbeClients {
  dynamodb: DynamoDBClient;
  sns: SNSClient;
  cloudWatch: CloudWatchClient;
  codePipeline: CodePipelineClient;
}

/**
 * The read-only calls `doctor` makes to judge an installation's resources beyond its stacks,
 * state machines and rules. SDK errors propagate: doctor reports them as AWS said them.
 */
export class InstallationProbe {
  readonly #clients: InstallationProbeClients;

  constructor(clients: InstallationProbeClients) {
    this.#clients = clients;
  }

  /** A DynamoDB table's status (`ACTIVE`, `CREATING`, ...). */
  async tableStatus(tableName: string): Promise<string | undefined> {
    const { Table } = await this.#clients.dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
    return Table?.TableStatus;
  }

  /** Every subscription of the topic, across pages. */
  async topicSubscriptions(topicArn: string): Promise<TopicSubscription[]> {
    return allPages(
      (NextToken) =>
        this.#clients.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken })),
      (page): TopicSubscription[] =>
        (page.Subscriptions ?? []).flatMap((s) =>
          s.SubscriptionArn
            ? [
                {
                  subscriptionArn: s.SubscriptionArn,
                  ...(s.Protocol ? { protocol: s.Protocol } : {}),
                  ...(s.Endpoint ? { endpoint: s.Endpoint } : {}),
                },
              ]
            : [],
        ),
    );
  }

  /** Every metric alarm whose name starts with `prefix`, across pages. */
  async alarmsNamed(prefix: string): Promise<AlarmState[]> {
    return allPages(
      (NextToken) =>
        this.#clients.cloudWatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: prefix, NextToken })),
      (page): AlarmState[] =>
        (page.MetricAlarms ?? []).flatMap((a) =>
          a.AlarmName
            ? [
                {
                  name: a.AlarmName,
                  state: a.StateValue ?? 'INSUFFICIENT_DATA',
                  ...(a.StateReason ? { reason: a.StateReason } : {}),
                },
              ]
            : [],
        ),
    );
  }

  /** Resolves when the pipeline exists and can be read; PipelineNotFoundException otherwise. */
  async assertPipelineReadable(pipelineName: string): Promise<void> {
    await this.#clients.codePipeline.send(new ListPipelineExecutionsCommand({ pipelineName, maxResults: 1 }));
  }
}
