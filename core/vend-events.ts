/**
 * Account-vend events: the EventBridge patterns (one source for the CDK rules and the local
 * router) and the normalisation of a matched event into a bootstrap request.
 *
 * Error policy: vend events come from AWS services, at least once and in shapes we only partly
 * control, so a bad one is IGNORED with a reason (logged, never a crash, never a write). A replay
 * request comes from an operator, who should see why it was refused, so an invalid replay throws
 * InvalidRequestError, the fatal error the state machine reports.
 */
import { ungovernedRegions } from './config.ts';
import { ConfigurationError, InvalidRequestError } from './errors.ts';
import { type EventPattern, matchesPattern } from './event-pattern.ts';

export type { EventPattern } from './event-pattern.ts';

export const REPLAY_SOURCE = 'runas-bootstrapper';
export const REPLAY_DETAIL_TYPE = 'Bootstrap Account Requested';

/** The detail-type AWS services use for events they log to CloudTrail themselves. */
export const SERVICE_EVENT_DETAIL_TYPE = 'AWS Service Event via CloudTrail';

/** The EventBridge limit on an event's size. Anything larger did not come through EventBridge. */
export const MAX_EVENT_BYTES = 256 * 1024;

/** The longest `reason` a replay request may carry. */
export const MAX_REPLAY_REASON_LENGTH = 256;

/** ASCII only: `\d` would be ASCII too, but spelling it out keeps Unicode digits out by construction. */
const ACCOUNT_ID = /^[0-9]{12}$/;

export type Trigger =
  | 'organizations-create-account'
  | 'controltower-create-managed-account'
  | 'controltower-update-managed-account'
  | 'organizations-account-joined'
  | 'replay';

export type RuleId =
  | 'organizations-create-account-succeeded'
  | 'controltower-create-managed-account-succeeded'
  | 'controltower-update-managed-account-succeeded'
  | 'organizations-account-joined'
  | 'replay-request';

export interface VendEventRule {
  /** Stable kebab-case id; CDK construct ids and logs use it. */
  id: RuleId;
  description: string;
  pattern: EventPattern;
  /** The trigger that `normalize` reports for an event this rule matches. */
  trigger: Trigger;
  /**
   * Where EventBridge delivers the event. Organizations delivers only to us-east-1, so a stack
   * whose home region is elsewhere needs these rules in a us-east-1 forwarder as well.
   */
  deliveredIn: 'us-east-1' | 'home-region';
}

/**
 * The rules that start a bootstrap. Control Tower create and update are two rules rather than one
 * `$or`: their status objects have different keys, and CDK's EventPattern type cannot express `$or`.
 * `managementAccountId`, when given, restricts replay requests to events put by that account.
 */
export function vendEventRules(options: { managementAccountId?: string } = {}): VendEventRule[] {
  const { managementAccountId } = options;
  if (managementAccountId !== undefined && !ACCOUNT_ID.test(managementAccountId)) {
    throw new ConfigurationError(
      `managementAccountId: ${quote(managementAccountId)} is not a 12-digit account id`,
    );
  }
  return [
    {
      id: 'organizations-create-account-succeeded',
      description:
        'Organizations CreateAccountResult with state SUCCEEDED (CreateAccount, including LZA >= 1.15)',
      trigger: 'organizations-create-account',
      deliveredIn: 'us-east-1',
      pattern: {
        source: ['aws.organizations'],
        'detail-type': [SERVICE_EVENT_DETAIL_TYPE],
        detail: {
          eventName: ['CreateAccountResult'],
          serviceEventDetails: { createAccountStatus: { state: ['SUCCEEDED'] } },
        },
      },
    },
    {
      id: 'controltower-create-managed-account-succeeded',
      description:
        'Control Tower CreateManagedAccount with state SUCCEEDED (Account Factory, AFT, LZA <= 1.14)',
      trigger: 'controltower-create-managed-account',
      deliveredIn: 'home-region',
      pattern: {
        source: ['aws.controltower'],
        'detail-type': [SERVICE_EVENT_DETAIL_TYPE],
        detail: {
          eventName: ['CreateManagedAccount'],
          serviceEventDetails: { createManagedAccountStatus: { state: ['SUCCEEDED'] } },
        },
      },
    },
    {
      id: 'controltower-update-managed-account-succeeded',
      description:
        'Control Tower UpdateManagedAccount with state SUCCEEDED (also reported for a retried create)',
      trigger: 'controltower-update-managed-account',
      deliveredIn: 'home-region',
      pattern: {
        source: ['aws.controltower'],
        'detail-type': [SERVICE_EVENT_DETAIL_TYPE],
        detail: {
          eventName: ['UpdateManagedAccount'],
          serviceEventDetails: { updateManagedAccountStatus: { state: ['SUCCEEDED'] } },
        },
      },
    },
    {
      // The shape of this event is unconfirmed: match the event name only, read the rest defensively.
      id: 'organizations-account-joined',
      description:
        'Organizations AccountJoinedOrganization (an account created in or invited to the organization)',
      trigger: 'organizations-account-joined',
      deliveredIn: 'us-east-1',
      pattern: {
        source: ['aws.organizations'],
        detail: { eventName: ['AccountJoinedOrganization'] },
      },
    },
    {
      id: 'replay-request',
      description: `Operator replay: ${REPLAY_DETAIL_TYPE} from ${REPLAY_SOURCE}`,
      trigger: 'replay',
      deliveredIn: 'home-region',
      pattern: {
        source: [REPLAY_SOURCE],
        'detail-type': [REPLAY_DETAIL_TYPE],
        ...(managementAccountId === undefined ? {} : { account: [managementAccountId] }),
      },
    },
  ];
}

/** The rules without the management-account restriction on replays (tools, tests, explain-event). */
export const RULES: readonly VendEventRule[] = vendEventRules();

/** The rules whose pattern matches the event, so tools can explain routing. */
export function matchingRules(event: unknown, rules: readonly VendEventRule[] = RULES): VendEventRule[] {
  return rules.filter((rule) => matchesPattern(rule.pattern, event));
}

/**
 * A JSON pattern in the shape of CDK's `events.EventPattern` (camelCase `detailType`), for the stacks.
 * Unknown top-level keys are dropped; the five used by the rules above are carried over.
 */
export interface CdkEventPatternShape {
  source?: string[];
  detailType?: string[];
  account?: string[];
  region?: string[];
  detail?: Record<string, unknown>;
}

export function toCdkEventPattern(pattern: EventPattern): CdkEventPatternShape {
  const out: CdkEventPatternShape = {};
  const strings = (value: unknown) =>
    Array.isArray(value) ? value.filter((v) => typeof v === 'string') : undefined;
  const source = strings(pattern.source);
  const detailType = strings(pattern['detail-type']);
  const account = strings(pattern.account);
  const region = strings(pattern.region);
  if (source) out.source = source;
  if (detailType) out.detailType = detailType;
  if (account) out.account = account;
  if (region) out.region = region;
  if (isObject(pattern.detail)) out.detail = pattern.detail;
  return out;
}

export interface BootstrapRequest {
  accountId: string;
  trigger: Trigger;
  /** ISO-8601 UTC. For replays and joins, not a vend: the request or join time. */
  vendedAt: string;
  /** Non-empty subset of the governed regions, in the order given. */
  regions: string[];
  reason?: string;
  /** The EventBridge event id, when the event carried one. */
  eventId?: string;
}

export type IgnoreCode =
  | 'not-an-object'
  | 'oversized'
  | 'not-json'
  | 'unknown-shape'
  | 'detail-not-object'
  | 'missing-status'
  | 'not-succeeded'
  | 'cloudtrail-error'
  | 'missing-account-id'
  | 'account-id-not-available'
  | 'invalid-account-id'
  | 'ambiguous-account-id'
  | 'excluded-account'
  | 'no-timestamp'
  | 'management-account';

export type NormalizeResult =
  | { kind: 'bootstrap'; request: BootstrapRequest }
  | { kind: 'ignore'; code: IgnoreCode; reason: string; accountId?: string };

export interface NormalizeOptions {
  governedRegions: string[];
  excludeAccountIds?: string[];
  /** When given, a replay whose envelope `account` differs is refused. */
  managementAccountId?: string;
}

/**
 * Turn an event into a bootstrap request, or into a reason to ignore it.
 * Throws InvalidRequestError only for an invalid replay request (see the file comment).
 */
export function normalize(event: unknown, options: NormalizeOptions): NormalizeResult {
  if (!isObject(event)) return ignore('not-an-object', 'event is not a JSON object');
  const replay = event.source === REPLAY_SOURCE && event['detail-type'] === REPLAY_DETAIL_TYPE;

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
  if (replay) return normalizeReplay(event, options);

  const detail = event.detail;
  const eventName = isObject(detail) ? detail.eventName : undefined;
  const shape = `source=${quote(event.source)}, detail-type=${quote(event['detail-type'])}, eventName=${quote(eventName)}`;
  if (!isObject(detail)) {
    return isKnownSource(event.source)
      ? ignore('detail-not-object', `event detail is not an object (${shape})`)
      : ignore('unknown-shape', `event matches no known vend shape (${shape})`);
  }
  const serviceEvent = event['detail-type'] === SERVICE_EVENT_DETAIL_TYPE;
  if (event.source === 'aws.organizations' && serviceEvent && eventName === 'CreateAccountResult') {
    return normalizeCreateAccountResult(event, detail, options);
  }
  if (event.source === 'aws.controltower' && serviceEvent && eventName === 'CreateManagedAccount') {
    return normalizeManagedAccount(event, detail, 'createManagedAccountStatus', options);
  }
  if (event.source === 'aws.controltower' && serviceEvent && eventName === 'UpdateManagedAccount') {
    return normalizeManagedAccount(event, detail, 'updateManagedAccountStatus', options);
  }
  if (event.source === 'aws.organizations' && eventName === 'AccountJoinedOrganization') {
    return normalizeAccountJoined(event, detail, options);
  }
  return ignore('unknown-shape', `event matches no known vend shape (${shape})`);
}

type JsonObject = Record<string, unknown>;

function normalizeCreateAccountResult(event: JsonObject, detail: JsonObject, options: NormalizeOptions) {
  const status = path(detail, 'serviceEventDetails', 'createAccountStatus');
  if (!isObject(status)) {
    return ignore(
      'missing-status',
      'CreateAccountResult has no serviceEventDetails.createAccountStatus object',
    );
  }
  if (status.state !== 'SUCCEEDED') {
    const failure =
      typeof status.failureReason === 'string' ? `, failureReason ${quote(status.failureReason, 200)}` : '';
    return ignore(
      'not-succeeded',
      `CreateAccountResult state is ${quote(status.state)}${failure}`,
      status.accountId,
    );
  }
  return vendRequest(
    event,
    status.accountId,
    'organizations-create-account',
    'CreateAccountResult',
    options,
    [status.completedTimestamp, detail.eventTime, event.time],
  );
}

function normalizeManagedAccount(
  event: JsonObject,
  detail: JsonObject,
  statusKey: 'createManagedAccountStatus' | 'updateManagedAccountStatus',
  options: NormalizeOptions,
) {
  const eventName = String(detail.eventName);
  const status = path(detail, 'serviceEventDetails', statusKey);
  if (!isObject(status)) {
    return ignore('missing-status', `${eventName} has no serviceEventDetails.${statusKey} object`);
  }
  const accountId = path(status, 'account', 'accountId');
  if (status.state !== 'SUCCEEDED') {
    const message = typeof status.message === 'string' ? `: ${quote(status.message, 200)}` : '';
    return ignore('not-succeeded', `${eventName} state is ${quote(status.state)}${message}`, accountId);
  }
  const trigger =
    statusKey === 'createManagedAccountStatus'
      ? 'controltower-create-managed-account'
      : 'controltower-update-managed-account';
  return vendRequest(event, accountId, trigger, eventName, options, [
    status.completedTimestamp,
    detail.eventTime,
    event.time,
  ]);
}

/** Places the unconfirmed AccountJoinedOrganization record may carry the member's details. */
const JOINED_CONTAINERS = [
  'serviceEventDetails',
  'requestParameters',
  'responseElements',
  'additionalEventData',
];
const JOINED_TIME_KEYS = ['joinedTimestamp', 'joinedTime', 'joinedAt'];

function normalizeAccountJoined(event: JsonObject, detail: JsonObject, options: NormalizeOptions) {
  if (typeof detail.errorCode === 'string' && detail.errorCode !== '') {
    return ignore(
      'cloudtrail-error',
      `AccountJoinedOrganization reports errorCode ${quote(detail.errorCode)}`,
    );
  }
  // Each container and its direct child objects; `id` counts only under a child named `account`.
  // Never the envelope `account`, `recipientAccountId` or `userIdentity`: those name the management account.
  const ids: unknown[] = [];
  const times: unknown[] = [];
  for (const containerKey of JOINED_CONTAINERS) {
    const container = detail[containerKey];
    if (!isObject(container)) continue;
    const scopes: Array<[string, JsonObject]> = [[containerKey, container]];
    for (const [key, child] of Object.entries(container)) if (isObject(child)) scopes.push([key, child]);
    for (const [key, scope] of scopes) {
      if (Object.hasOwn(scope, 'accountId')) ids.push(scope.accountId);
      if (key === 'account' && Object.hasOwn(scope, 'id')) ids.push(scope.id);
      for (const timeKey of JOINED_TIME_KEYS) if (Object.hasOwn(scope, timeKey)) times.push(scope[timeKey]);
    }
  }
  const distinct = [...new Set(ids.filter((id) => id !== undefined && id !== null))];
  const valid = distinct.filter(isAccountId);
  if (valid.length > 1) {
    return ignore(
      'ambiguous-account-id',
      `AccountJoinedOrganization names several account ids: ${valid.join(', ')}`,
    );
  }
  const accountId = valid[0] ?? distinct[0];
  return vendRequest(event, accountId, 'organizations-account-joined', 'AccountJoinedOrganization', options, [
    ...times,
    detail.eventTime,
    event.time,
  ]);
}

function vendRequest(
  event: JsonObject,
  accountId: unknown,
  trigger: Trigger,
  eventName: string,
  options: NormalizeOptions,
  timestamps: unknown[],
): NormalizeResult {
  const problem = accountIdProblem(accountId);
  if (problem) return ignore(problem.code, `${eventName}: ${problem.reason}`);
  const id = accountId as string;
  if (options.managementAccountId === id) {
    return ignore(
      'management-account',
      `${eventName}: account ${id} is the management account, which is never bootstrapped (LZA manages its preferences)`,
      id,
    );
  }
  if (options.excludeAccountIds?.includes(id)) {
    return ignore('excluded-account', `account ${id} is excluded by configuration (excludeAccountIds)`, id);
  }
  const vendedAt = firstTimestamp(timestamps);
  if (vendedAt === undefined) return ignore('no-timestamp', `${eventName}: no readable timestamp`, id);
  const request: BootstrapRequest = {
    accountId: id,
    trigger,
    vendedAt,
    regions: [...options.governedRegions],
  };
  if (typeof event.id === 'string') request.eventId = event.id;
  return { kind: 'bootstrap', request };
}

function normalizeReplay(event: JsonObject, options: NormalizeOptions): NormalizeResult {
  const { governedRegions, managementAccountId } = options;
  if (managementAccountId !== undefined && event.account !== managementAccountId) {
    throw new InvalidRequestError(
      `replay request comes from account ${quote(event.account)}; only the management account ${managementAccountId} may send one`,
    );
  }
  const detail = event.detail;
  if (!isObject(detail)) throw new InvalidRequestError('replay request detail must be an object');
  const unknown = Object.keys(detail).filter((key) => !['accountId', 'regions', 'reason'].includes(key));
  if (unknown.length > 0) {
    throw new InvalidRequestError(
      `replay request detail has unknown field(s) ${quoteList(unknown)}; allowed: accountId, regions, reason`,
    );
  }
  const problem = accountIdProblem(detail.accountId);
  if (problem) throw new InvalidRequestError(`replay request accountId: ${problem.reason}`);
  const accountId = detail.accountId as string;
  if (managementAccountId !== undefined && accountId === managementAccountId) {
    throw new InvalidRequestError(
      `replay request accountId: ${accountId} is the management account, which is never bootstrapped`,
    );
  }

  let regions = [...governedRegions];
  if (detail.regions !== undefined) {
    const requested = detail.regions;
    if (!Array.isArray(requested) || !requested.every((region) => typeof region === 'string')) {
      throw new InvalidRequestError('replay request regions must be an array of region names');
    }
    if (requested.length === 0) {
      throw new InvalidRequestError(
        'replay request regions must not be empty; omit it to mean every governed region',
      );
    }
    const outside = ungovernedRegions(requested, governedRegions);
    if (outside.length > 0) {
      throw new InvalidRequestError(
        `replay request region(s) ${quoteList(outside)} not governed (governed: ${governedRegions.join(', ')})`,
      );
    }
    regions = [...new Set(requested)];
  }

  const reason = detail.reason;
  if (reason !== undefined && typeof reason !== 'string') {
    throw new InvalidRequestError('replay request reason must be a string');
  }
  if (reason !== undefined && [...reason].length > MAX_REPLAY_REASON_LENGTH) {
    throw new InvalidRequestError(
      `replay request reason is longer than ${MAX_REPLAY_REASON_LENGTH} characters`,
    );
  }

  if (options.excludeAccountIds?.includes(accountId)) {
    return ignore(
      'excluded-account',
      `account ${accountId} is excluded by configuration (excludeAccountIds)`,
      accountId,
    );
  }
  const vendedAt = parseEventTimestamp(event.time);
  if (vendedAt === undefined)
    throw new InvalidRequestError(`replay request time ${quote(event.time)} is not readable`);

  const request: BootstrapRequest = { accountId, trigger: 'replay', vendedAt, regions };
  if (reason !== undefined) request.reason = reason;
  if (typeof event.id === 'string') request.eventId = event.id;
  return { kind: 'bootstrap', request };
}

function accountIdProblem(value: unknown): { code: IgnoreCode; reason: string } | undefined {
  if (value === undefined || value === null || value === '') {
    return { code: 'missing-account-id', reason: 'no account id' };
  }
  if (value === 'Not Available')
    return { code: 'account-id-not-available', reason: 'account id is "Not Available"' };
  if (!isAccountId(value))
    return { code: 'invalid-account-id', reason: `${quote(value)} is not a 12-digit account id` };
  return undefined;
}

function isAccountId(value: unknown): value is string {
  return typeof value === 'string' && ACCOUNT_ID.test(value);
}

function ignore(code: IgnoreCode, reason: string, accountId?: unknown): NormalizeResult {
  return isAccountId(accountId)
    ? { kind: 'ignore', code, reason, accountId }
    : { kind: 'ignore', code, reason };
}

function isKnownSource(source: unknown): boolean {
  return source === 'aws.organizations' || source === 'aws.controltower';
}

// ---------------------------------------------------------------------------------------------
// Timestamps

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** `2020-09-16T21:20:53Z`, `2020-09-16T21:20:53.123+00:00`, `2019-11-15T11:45:18+0000`. */
const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})$/;

/** `Sep 16, 2020 9:20:53 PM`, always UTC. Newer Java locales put a narrow no-break space before PM. */
const LOCALE = /^([A-Za-z]{3}) (\d{1,2}), (\d{4}),? (\d{1,2}):(\d{2}):(\d{2})[ \u00a0\u202f]?([AaPp][Mm])$/;

/**
 * Parse any timestamp format found in vend events into ISO-8601 UTC (`…Z`, milliseconds).
 * Returns undefined for anything else, including impossible dates and ISO without a zone
 * (which JavaScript would read as local time).
 */
export function parseEventTimestamp(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 64) return undefined;
  const text = value.trim();
  const iso = ISO.exec(text);
  if (iso) {
    const [, y, mo, d, h, mi, s, fraction, zone] = iso;
    const millis = Number((fraction ?? '0').padEnd(3, '0').slice(0, 3));
    const offsetMinutes = zone === 'Z' ? 0 : zoneOffsetMinutes(zone!);
    if (offsetMinutes === undefined) return undefined;
    return utc(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s), millis, offsetMinutes);
  }
  const locale = LOCALE.exec(text);
  if (locale) {
    const [, monthName, d, y, h, mi, s, meridiem] = locale;
    const month = MONTHS.indexOf(monthName!.toLowerCase()) + 1;
    const hour12 = Number(h);
    if (month === 0 || hour12 < 1 || hour12 > 12) return undefined;
    const hour = (hour12 % 12) + (meridiem!.toUpperCase() === 'PM' ? 12 : 0);
    return utc(Number(y), month, Number(d), hour, Number(mi), Number(s), 0, 0);
  }
  return undefined;
}

function zoneOffsetMinutes(zone: string): number | undefined {
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2, 4));
  if (hours > 23 || minutes > 59) return undefined;
  return sign * (hours * 60 + minutes);
}

function utc(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  millis: number,
  offsetMinutes: number,
): string | undefined {
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const local = new Date(Date.UTC(year, month - 1, day, hour, minute, second, millis));
  // Date.UTC rolls 31 Feb over into March; refuse instead. It also maps years 0-99 to 19xx.
  if (local.getUTCFullYear() !== year || local.getUTCMonth() !== month - 1 || local.getUTCDate() !== day) {
    return undefined;
  }
  return new Date(local.getTime() - offsetMinutes * 60_000).toISOString();
}

function firstTimestamp(candidates: unknown[]): string | undefined {
  for (const candidate of candidates) {
    const parsed = parseEventTimestamp(candidate);
    if (parsed !== undefined) return parsed;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Small helpers

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function path(value: unknown, ...keys: string[]): unknown {
  let current = value;
  for (const key of keys) {
    if (!isObject(current) || !Object.hasOwn(current, key)) return undefined;
    current = current[key];
  }
  return current;
}

/** Quote an untrusted value for a message, bounded so a hostile event cannot flood the logs. */
function quote(value: unknown, max = 64): string {
  let text: string;
  try {
    text = value === undefined ? 'undefined' : (JSON.stringify(value) ?? String(value));
  } catch {
    text = typeof value;
  }
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

/** Quote at most a few values, so a hostile list cannot flood the message. */
function quoteList(values: unknown[]): string {
  const shown = values.slice(0, 5).map((value) => quote(value));
  return values.length > shown.length
    ? `${shown.join(', ')} and ${values.length - shown.length} more`
    : shown.join(', ');
}

function jsonByteLength(value: unknown): number | undefined {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? undefined : new TextEncoder().encode(text).length;
  } catch {
    return undefined;
  }
}
