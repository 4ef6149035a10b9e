import { AwsServiceError } from '../aws-error.ts';
import type { DeployedStack } from '../deployment.ts';
import { type OperationContext, optionalString, type ServiceDefinition } from '../service-definition.ts';
import { xmlEscape } from '../wire.ts';

/**
 * CloudFormation over the awsQuery protocol: DescribeStacks for the stacks registered with
 * `setDeployment`, in the region each one lives in. Like AWS, a name that matches no stack
 * in the caller's region is a ValidationError.
 */

function iso(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function stackXml(stack: DeployedStack): string {
  const outputs = Object.entries(stack.outputs)
    .map(
      ([key, value]) =>
        `<member><OutputKey>${xmlEscape(key)}</OutputKey><OutputValue>${xmlEscape(value)}</OutputValue></member>`,
    )
    .join('');
  return [
    '<member>',
    `<StackName>${xmlEscape(stack.name)}</StackName>`,
    `<StackId>${xmlEscape(stack.stackId)}</StackId>`,
    `<Description>${xmlEscape(stack.description)}</Description>`,
    `<CreationTime>${iso(stack.createdMs)}</CreationTime>`,
    `<StackStatus>${stack.status}</StackStatus>`,
    `<Outputs>${outputs}</Outputs>`,
    '</member>',
  ].join('');
}

function stacksIn(ctx: OperationContext): DeployedStack[] {
  return (ctx.world.deployment?.stacks ?? []).filter(
    (stack) => stack.region === ctx.region && ctx.accountId === stack.stackId.split(':')[4],
  );
}

export const cloudFormationService: ServiceDefinition = {
  id: 'cloudformation',
  protocol: 'query',
  accessDeniedStatus: 403,
  operations: {
    DescribeStacks: {
      resource: (ctx, input) =>
        `arn:aws:cloudformation:${ctx.region}:${ctx.accountId}:stack/${optionalString(input, 'StackName') ?? '*'}/*`,
      handle(ctx, input) {
        const name = optionalString(input, 'StackName');
        const stacks = stacksIn(ctx).filter(
          (s) => name === undefined || s.name === name || s.stackId === name,
        );
        if (name !== undefined && stacks.length === 0) {
          throw new AwsServiceError('ValidationError', `Stack with id ${name} does not exist`);
        }
        return `<Stacks>${stacks.map(stackXml).join('')}</Stacks>`;
      },
    },
  },
};
