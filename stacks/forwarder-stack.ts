import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { PRODUCT_VERSION, VERSION_OUTPUT } from '#core/deploy/deployment.ts';
import { type RuleId, vendEventRules } from '#core/vend/rules.ts';
import { pascalCase } from './construct-id.ts';
import { EventDeadLetterQueue } from './event-dead-letter-queue.ts';
import { toCdkEventPattern } from './event-pattern.ts';

export { FORWARDER_SUFFIX, forwarderRegionFor } from '#core/deploy/deployment.ts';

export interface ForwarderStackProps extends StackProps {
  /** The region of the bootstrapper stack, whose default bus receives the forwarded events. */
  homeRegion: string;
  /** The bootstrapper stack's account, when it is not this one (a hub account). */
  homeAccount?: string;
}

/**
 * Organizations delivers its events only in one region. This stack matches exactly the vend rules
 * that are delivered there and forwards each event, unchanged, to the home region's default bus,
 * where the bootstrapper's own rules match it again.
 */
export class ForwarderStack extends Stack {
  readonly rules: Partial<Record<RuleId, events.Rule>> = {};
  readonly deadLetterQueue: EventDeadLetterQueue;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: ForwarderStackProps) {
    super(scope, id, props);
    const homeBus = events.EventBus.fromEventBusArn(
      this,
      'HomeDefaultBus',
      this.formatArn({
        service: 'events',
        region: props.homeRegion,
        ...(props.homeAccount ? { account: props.homeAccount } : {}),
        resource: 'event-bus',
        resourceName: 'default',
      }),
    );
    this.deadLetterQueue = new EventDeadLetterQueue(this, 'ForwardDeadLetters');
    // One role for every forwarding rule; the target grants it events:PutEvents on the home bus only.
    this.role = new iam.Role(this, 'ForwardRole', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
      description: `Forwards Organizations vend events to the default bus in ${props.homeRegion}`,
    });
    for (const rule of vendEventRules().filter((r) => r.deliveredIn === 'us-east-1')) {
      this.rules[rule.id] = new events.Rule(this, `${pascalCase(rule.id)}Forward`, {
        description: `Forward to ${props.homeRegion}: ${rule.description}`.slice(0, 512),
        eventPattern: toCdkEventPattern(rule.pattern),
        targets: [
          new targets.EventBus(homeBus, { role: this.role, deadLetterQueue: this.deadLetterQueue.queue }),
        ],
      });
    }
    new CfnOutput(this, VERSION_OUTPUT, {
      description: 'runas-bootstrapper version (doctor compares it with the home stack)',
      value: PRODUCT_VERSION,
    });
  }
}
