import { AwsServiceError } from '../aws-error.ts';
import { makeEnvelope } from '../bus.ts';
import type { DeployedRule } from '../deployment.ts';
import {
  type Input,
  type OperationContext,
  optionalString,
  type ServiceDefinition,
} from '../service-definition.ts';

/**
 * EventBridge (awsJson1_1, `AWSEvents.<Op>`): PutEvents onto the one local bus, and the deployed
 * application's rules (list, describe, targets, enable, disable).
 */

const MAX_ENTRY_BYTES = 256 * 1024;

function entryError(code: string, message: string) {
  return { ErrorCode: code, ErrorMessage: message };
}

function putEntry(ctx: OperationContext, entry: Record<string, unknown>) {
  const source = entry.Source;
  const detailType = entry.DetailType;
  const detail = entry.Detail;
  if (typeof source !== 'string' || source.length === 0)
    return entryError(
      'InvalidArgument',
      'Parameter Source is not valid. Reason: Source is a required argument.',
    );
  if (typeof detailType !== 'string' || detailType.length === 0)
    return entryError(
      'InvalidArgument',
      'Parameter DetailType is not valid. Reason: DetailType is a required argument.',
    );
  if (typeof detail !== 'string')
    return entryError(
      'InvalidArgument',
      'Parameter Detail is not valid. Reason: Detail is a required argument.',
    );
  if (source.startsWith('aws.'))
    return entryError('NotAuthorizedForSourceException', 'Not authorized for the source.');
  if (Buffer.byteLength(JSON.stringify(entry), 'utf8') > MAX_ENTRY_BYTES)
    return entryError('InvalidArgument', 'Total size of the entries in the request is over the limit.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(detail);
  } catch {
    return entryError('MalformedDetail', 'Detail is malformed.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return entryError('MalformedDetail', 'Detail is malformed.');
  const time = typeof entry.Time === 'number' ? entry.Time * 1000 : ctx.world.clock.nowMs();
  const resources = Array.isArray(entry.Resources)
    ? entry.Resources.filter((r): r is string => typeof r === 'string')
    : [];
  const envelope = makeEnvelope({
    'detail-type': detailType,
    source,
    account: ctx.accountId,
    time,
    region: ctx.region,
    resources,
    detail: parsed as Record<string, unknown>,
  });
  ctx.world.bus.publish(envelope);
  return { EventId: envelope.id };
}

/** The deployed rules on the caller's default bus (its account and region). */
function rulesIn(ctx: OperationContext): DeployedRule[] {
  return (ctx.world.deployment?.rules ?? []).filter(
    (rule) => rule.region === ctx.region && rule.targets.length > 0 && ruleAccount(rule) === ctx.accountId,
  );
}

function ruleAccount(rule: DeployedRule): string | undefined {
  return rule.targets[0]?.RoleArn?.split(':')[4];
}

function ruleArn(ctx: OperationContext, name: string): string {
  return `arn:aws:events:${ctx.region}:${ctx.accountId}:rule/${name}`;
}

function namedRule(ctx: OperationContext, input: Input, key = 'Name'): DeployedRule {
  const name = optionalString(input, key);
  const rule = rulesIn(ctx).find((r) => r.name === name);
  if (!rule)
    throw new AwsServiceError(
      'ResourceNotFoundException',
      `Rule ${name ?? ''} does not exist on EventBus default.`,
    );
  return rule;
}

function ruleView(ctx: OperationContext, rule: DeployedRule) {
  return {
    Name: rule.name,
    Arn: ruleArn(ctx, rule.name),
    EventPattern: rule.eventPattern,
    State: rule.state,
    Description: rule.description,
    EventBusName: 'default',
  };
}

const ruleResource = (ctx: OperationContext, input: Input) =>
  ruleArn(ctx, optionalString(input, 'Name') ?? optionalString(input, 'Rule') ?? '*');

export const eventBridgeService: ServiceDefinition = {
  id: 'events',
  protocol: 'json1.1',
  targetPrefix: 'AWSEvents',
  accessDeniedStatus: 400,
  operations: {
    PutEvents: {
      resource: (ctx) => `arn:aws:events:${ctx.region}:${ctx.accountId}:event-bus/default`,
      handle(ctx, input) {
        const entries = input.Entries;
        if (!Array.isArray(entries) || entries.length < 1 || entries.length > 10) {
          throw new AwsServiceError(
            'ValidationException',
            `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and 10`,
          );
        }
        const results = entries.map((entry) =>
          typeof entry === 'object' && entry !== null
            ? putEntry(ctx, entry as Record<string, unknown>)
            : entryError('InvalidArgument', 'Entry is not an object.'),
        );
        return {
          FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length,
          Entries: results,
        };
      },
    },
    ListRules: {
      resource: (ctx) => `arn:aws:events:${ctx.region}:${ctx.accountId}:rule/*`,
      handle(ctx, input) {
        const prefix = optionalString(input, 'NamePrefix') ?? '';
        return {
          Rules: rulesIn(ctx)
            .filter((r) => r.name.startsWith(prefix))
            .map((r) => ruleView(ctx, r)),
        };
      },
    },
    DescribeRule: {
      resource: ruleResource,
      handle: (ctx, input) => ({ ...ruleView(ctx, namedRule(ctx, input)), CreatedBy: ctx.accountId }),
    },
    ListTargetsByRule: {
      resource: ruleResource,
      handle: (ctx, input) => ({ Targets: namedRule(ctx, input, 'Rule').targets }),
    },
    EnableRule: {
      resource: ruleResource,
      handle(ctx, input) {
        namedRule(ctx, input).state = 'ENABLED';
        return {};
      },
    },
    DisableRule: {
      resource: ruleResource,
      handle(ctx, input) {
        namedRule(ctx, input).state = 'DISABLED';
        return {};
      },
    },
  },
};
