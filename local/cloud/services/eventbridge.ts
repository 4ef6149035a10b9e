import { AwsServiceError } from '../aws-error.ts';
import { makeEnvelope } from '../bus.ts';
import type { OperationContext, ServiceDefinition } from '../service-definition.ts';

/** EventBridge PutEvents (awsJson1_1, `AWSEvents.<Op>`) onto the one local bus. */

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
  },
};
