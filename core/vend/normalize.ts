/**
 * Turn an event into a bootstrap request, or into a reason to ignore it: the envelope checks every
 * event gets, then the normaliser of the vend rule for the event's kind (core/vend/rules.ts).
 *
 * Error policy: vend events come from AWS services, at least once and in shapes we only partly
 * control, so a bad one is IGNORED with a reason (logged, never a crash, never a write). A replay
 * request comes from an operator, who should see why it was refused, so an invalid replay throws
 * InvalidRequestError, the fatal error the state machine reports.
 */
import { InvalidRequestError } from '../shared/errors.ts';
import { isRecord, type JsonObject } from '../shared/records.ts';
import { ignore, type NormalizeOptions, type NormalizeResult, quote } from './request.ts';
import { RULES, ruleForKind } from './rules.ts';

export type {
  BootstrapRequest,
  IgnoreCode,
  NormalizeOptions,
  NormalizeResult,
  Trigger,
} from './request.ts';

/** The EventBridge limit on an event's size. Anything larger did not come through EventBridge. */
export const MAX_EVENT_BYTES = 256 * 1024;

/** The sources of the service events the rules start a bootstrap for. */
const SERVICE_SOURCES = new Set(
  RULES.filter((rule) => rule.trigger !== 'replay').map((rule) => rule.kind.source),
);

/**
 * Throws InvalidRequestError only for an invalid replay request (see the file comment).
 */
export function normalize(event: unknown, options: NormalizeOptions): NormalizeResult {
  if (!isRecord(event)) return ignore('not-an-object', 'event is not a JSON object');
  const rule = ruleForKind(event);
  const replay = rule?.trigger === 'replay';

  const size = jsonByteLength(event);
  if (size === undefined) {
    if (replay) throw new InvalidRequestError('replay request is not serialisable as JSON');
    return ignore('not-json', 'event is not serialisable as JSON');
  }
  if (size > MAX_EVENT_BYTES) {
    const reason = `event is ${size} bytes, over the EventBridge limit of ${MAX_EVENT_BYTES}`;
    if (replay) throw new InvalidRequestError(`replay request ${reason}`);
    return ignore('oversized', reason);
  }
  return rule ? rule.normalize(event, options, rule.trigger) : unrecognised(event);
}

/** An event of no rule's kind: a service event with no detail object, or an unknown shape. */
function unrecognised(event: JsonObject): NormalizeResult {
  const detail = event.detail;
  const eventName = isRecord(detail) ? detail.eventName : undefined;
  const shape = `source=${quote(event.source)}, detail-type=${quote(event['detail-type'])}, eventName=${quote(eventName)}`;
  if (!isRecord(detail) && SERVICE_SOURCES.has(event.source as string)) {
    return ignore('detail-not-object', `event detail is not an object (${shape})`);
  }
  return ignore('unknown-shape', `event matches no known vend shape (${shape})`);
}

function jsonByteLength(value: unknown): number | undefined {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? undefined : new TextEncoder().encode(text).length;
  } catch {
    return undefined;
  }
}
