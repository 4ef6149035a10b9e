import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';

export interface FailureTopicProps {
  /** Only alarms whose names start with this may publish (the stack name and a dash). */
  alarmNamePrefix: string;
  /** Subscribed when set (notifications.email). */
  email?: string;
}

/**
 * The topic every alarm notifies, `<stack>-failures`, encrypted with a key of its own. Only
 * CloudWatch alarms of this account whose names carry the prefix may publish to it or use the key.
 * Made in `scope` as `TopicKey` and `FailureTopic`.
 */
export function createFailureTopic(
  scope: Construct,
  props: FailureTopicProps,
): { topic: sns.Topic; key: kms.Key } {
  const stack = Stack.of(scope);
  const topicName = `${stack.stackName}-failures`;
  // Computed, not `topic.topicArn`: the key policy cannot refer to the topic that refers to the key.
  const topicArn = stack.formatArn({ service: 'sns', resource: topicName });
  const alarmArns = stack.formatArn({
    service: 'cloudwatch',
    resource: 'alarm',
    resourceName: `${props.alarmNamePrefix}*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  const fromOurAlarms = {
    StringEquals: { 'aws:SourceAccount': stack.account },
    ArnLike: { 'aws:SourceArn': alarmArns },
  };

  const key = new kms.Key(scope, 'TopicKey', {
    description: `${stack.stackName}: encrypts the failure notification topic`,
    enableKeyRotation: true,
    // It protects only notifications in flight; a retained key would outlive its topic for nothing.
    removalPolicy: RemovalPolicy.DESTROY,
    pendingWindow: Duration.days(7),
  });
  // CloudWatch itself needs the key to publish to an encrypted topic (the account's kms:* does not
  // extend to service principals); without it alarm notifications are dropped silently.
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'CloudWatchAlarmsPublishToFailureTopic',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: {
        ...fromOurAlarms,
        StringEquals: {
          ...fromOurAlarms.StringEquals,
          'kms:EncryptionContext:aws:sns:topicArn': topicArn,
        },
      },
    }),
  );

  const topic = new sns.Topic(scope, 'FailureTopic', {
    topicName,
    displayName: 'runas-bootstrapper failures',
    masterKey: key,
    enforceSSL: true,
  });
  topic.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'CloudWatchAlarmsPublish',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: fromOurAlarms,
    }),
  );
  if (props.email) topic.addSubscription(new EmailSubscription(props.email));
  return { topic, key };
}
