import { AwsServiceError } from '../aws-error.ts';
import { optionalString, type ServiceDefinition } from '../service-definition.ts';
import { xmlEscape } from '../wire.ts';

/** SNS over the awsQuery protocol: the subscriptions of the deployed failure topic. */
export const snsService: ServiceDefinition = {
  id: 'sns',
  protocol: 'query',
  accessDeniedStatus: 403,
  operations: {
    ListSubscriptionsByTopic: {
      resource: (_ctx, input) => optionalString(input, 'TopicArn') ?? '*',
      handle(ctx, input) {
        const arn = optionalString(input, 'TopicArn');
        const topic = ctx.world.deployment?.topics.find((t) => t.arn === arn && t.region === ctx.region);
        if (!topic) throw new AwsServiceError('NotFound', 'Topic does not exist', 404);
        const owner = arn?.split(':')[4] ?? ctx.accountId;
        const members = topic.subscriptions
          .map(
            (s) =>
              `<member><SubscriptionArn>${xmlEscape(s.SubscriptionArn)}</SubscriptionArn><Owner>${owner}</Owner><Protocol>${xmlEscape(s.Protocol)}</Protocol><Endpoint>${xmlEscape(s.Endpoint)}</Endpoint><TopicArn>${xmlEscape(topic.arn)}</TopicArn></member>`,
          )
          .join('');
        return `<Subscriptions>${members}</Subscriptions>`;
      },
    },
  },
};
