import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { NAG_REASONS } from './nag-reasons.ts';

/** How long an undeliverable event waits in a dead-letter queue for an operator (the SQS maximum). */
export const DEAD_LETTER_RETENTION = Duration.days(14);

/**
 * The dead-letter queue for EventBridge targets: events that could not be delivered after every
 * retry land here, so a missed vend can be replayed rather than silently lost.
 */
export class EventDeadLetterQueue extends Construct {
  readonly queue: sqs.Queue;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.queue = new sqs.Queue(this, 'Queue', {
      // SQS-managed SSE: EventBridge cannot use the AWS-managed aws/sqs KMS key.
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: DEAD_LETTER_RETENTION,
      // The messages expire after 14 days anyway; a queue left behind by teardown would only confuse.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.queue).acknowledge({ id: 'AwsSolutions-SQS3', reason: NAG_REASONS.deadLetterQueue });
  }
}
