/**
 * The vend-rule table: for each kind of event that starts a bootstrap, the EventBridge pattern
 * (one source for the CDK rules and the local router) and the normaliser that turns such an event
 * into a bootstrap request, or into a reason to ignore it. `normalize` (core/vend/normalize.ts) finds
 * the rule for an event's kind and hands the event to its normaliser.
 */
import { ungovernedRegions } from '../config/config.ts';
import { type EventPattern, matchesPattern } from '../deploy/event-pattern.ts';
import { ConfigurationError, InvalidRequestError } from '../shared/errors.ts';
import { isRecord, type JsonObject } from '../shared/records.ts';
import { parseEventTimestamp } from './event-time.ts';
import {
  accountIdProblem,
  type BootstrapRequest,
  ignore,
  isAccountId,
  type NormalizeOptions,
  type NormalizeResult,
  path,
  quote,
  quoteList,
  type Trigger,
  vendRequest,
} from './request.ts';

export type { EventPattern } from '../deploy/event-pattern.ts';

export const REPLAY_SOURCE = 'runas-bootstrapper';
export const REPLAY_DETAIL_TYPE = 'Bootstrap Account Requested';

/** The detail-type AWS services use for events they log to CloudTrail themselves. */
export const SERVICE_EVENT_DETAIL_TYPE = 'AWS Service Event via CloudTrail';

/** The longest `reason` a replay request may carry. */
export const MAX_REPLAY_REASON_LENGTH = 256;

export type RuleId =
  | 'organizations-create-account-succeeded'
  | 'controltower-create-managed-account-succeeded'
  | 'controltower-update-managed-account-succeeded'
  | 'organizations-account-joined'
  | 'replay-request';

/**
 * What kind of event a rule is for, by exact value: the envelope `source`, the `detail-type` and
 * `detail.eventName` (either may be left open). An event of the rule's kind goes to the rule's
 * normaliser even when it fails the pattern's other filters, so that a failed vend is ignored
 * with its reason rather than as an unknown shape.
 */
export interface EventKind {
  source: string;
  detailType?: string;
  eventName?: string;
}

/** Turns an event of the rule's kind into a request for `trigger`, or a reason to ignore it. */
export type RuleNormalizer = (
  event: JsonObject,
  options: NormalizeOptions,
  trigger: Trigger,
) => NormalizeResult;

export interface VendEventRule {
  /** Stable kebab-case id; CDK construct ids and logs use it. */
  id: RuleId;
  description: string;
  kind: EventKind;
  pattern: EventPattern;
  /** The trigger of every request this rule's normaliser makes. */
  trigger: Trigger;
  /**
   * Where EventBridge delivers the event. Organizations delivers only to us-east-1, so a stack
   * whose home region is elsewhere needs these rules in a us-east-1 forwarder as well.
   */
  deliveredIn: 'us-east-1' | 'home-region';
  normalize: RuleNormalizer;
}

const CREATE_ACCOUNT_RESULT: EventKind = {
  source: 'aws.organizations',
  detailType: SERVICE_EVENT_DETAIL_TYPE,
  eventName: 'CreateAccountResult',
};
const CREATE_MANAGED_ACCOUNT: EventKind = {
  source: 'aws.controltower',
  detailType: SERVICE_EVENT_DETAIL_TYPE,
  eventName: 'CreateManagedAccount',
};
const UPDATE_MANAGED_ACCOUNT: EventKind = {
  source: 'aws.controltower',
  detailType: SERVICE_EVENT_DETAIL_TYPE,
  eventName: 'UpdateManagedAccount',
};
// The shape of this event is unconfirmed: match the event name only, read the rest defensively.
const ACCOUNT_JOINED: EventKind = { source: 'aws.organizations', eventName: 'AccountJoinedOrganization' };
const REPLAY: EventKind = { source: REPLAY_SOURCE, detailType: REPLAY_DETAIL_TYPE };

/**
 * The rules that start a bootstrap. Control Tower create and update are two rules rather than one
 * `$or`: their status objects have different keys, and CDK's EventPattern type cannot express `$or`.
 * `managementAccountId`, when given, restricts replay requests to events put by that account.
 */
export function vendEventRules(options: { managementAccountId?: string } = {}): VendEventRule[] {
  const { managementAccountId } = options;
  if (managementAccountId !== undefined && !isAccountId(managementAccountId)) {
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
      kind: CREATE_ACCOUNT_RESULT,
      pattern: succeededPattern(CREATE_ACCOUNT_RESULT, 'createAccountStatus'),
      normalize: normalizeCreateAccountResult,
    },
    {
      id: 'controltower-create-managed-account-succeeded',
      description:
        'Control Tower CreateManagedAccount with state SUCCEEDED (Account Factory, AFT, LZA <= 1.14)',
      trigger: 'controltower-create-managed-account',
      deliveredIn: 'home-region',
      kind: CREATE_MANAGED_ACCOUNT,
      pattern: succeededPattern(CREATE_MANAGED_ACCOUNT, 'createManagedAccountStatus'),
      normalize: managedAccountNormalizer('createManagedAccountStatus'),
    },
    {
      id: 'controltower-update-managed-account-succeeded',
      description:
        'Control Tower UpdateManagedAccount with state SUCCEEDED (also reported for a retried create)',
      trigger: 'controltower-update-managed-account',
      deliveredIn: 'home-region',
      kind: UPDATE_MANAGED_ACCOUNT,
      pattern: succeededPattern(UPDATE_MANAGED_ACCOUNT, 'updateManagedAccountStatus'),
      normalize: managedAccountNormalizer('updateManagedAccountStatus'),
    },
    {
      id: 'organizations-account-joined',
      description:
        'Organizations AccountJoinedOrganization (an account created in or invited to the organization)',
      trigger: 'organizations-account-joined',
      deliveredIn: 'us-east-1',
      kind: ACCOUNT_JOINED,
      pattern: kindPattern(ACCOUNT_JOINED),
      normalize: normalizeAccountJoined,
    },
    {
      id: 'replay-request',
      description: `Operator replay: ${REPLAY_DETAIL_TYPE} from ${REPLAY_SOURCE}`,
      trigger: 'replay',
      deliveredIn: 'home-region',
      kind: REPLAY,
      pattern: kindPattern(
        REPLAY,
        managementAccountId === undefined ? {} : { account: [managementAccountId] },
      ),
      normalize: normalizeReplay,
    },
  ];
}

/** The rules without the management-account restriction on replays (tools, tests, explain-event). */
export const RULES: readonly VendEventRule[] = vendEventRules();

/** The rules whose pattern matches the event, so tools can explain routing. */
export function matchingRules(event: unknown, rules: readonly VendEventRule[] = RULES): VendEventRule[] {
  return rules.filter((rule) => matchesPattern(rule.pattern, event));
}

/** The rule for the event's kind (see EventKind), whether or not the event passes its pattern. */
export function ruleForKind(
  event: JsonObject,
  rules: readonly VendEventRule[] = RULES,
): VendEventRule | undefined {
  const eventName = isRecord(event.detail) ? event.detail.eventName : undefined;
  return rules.find(
    ({ kind }) =>
      event.source === kind.source &&
      (kind.detailType === undefined || event['detail-type'] === kind.detailType) &&
      (kind.eventName === undefined || eventName === kind.eventName),
  );
}

/** The pattern that matches every event of a kind; `envelope` adds top-level fields, `detail` detail fields. */
function kindPattern(kind: EventKind, envelope: EventPattern = {}, detail: EventPattern = {}): EventPattern {
  return {
    source: [kind.source],
    ...(kind.detailType === undefined ? {} : { 'detail-type': [kind.detailType] }),
    ...envelope,
    ...(kind.eventName === undefined ? {} : { detail: { eventName: [kind.eventName], ...detail } }),
  };
}

/** Events of the kind whose `serviceEventDetails.<statusKey>.state` is SUCCEEDED. */
function succeededPattern(kind: EventKind, statusKey: string): EventPattern {
  return kindPattern(kind, {}, { serviceEventDetails: { [statusKey]: { state: ['SUCCEEDED'] } } });
}

// ---------------------------------------------------------------------------------------------
// The normalisers. Vend events come from AWS services, at least once and in shapes we only partly
// control, so a bad one is IGNORED with a reason. A replay comes from an operator, who should see
// why it was refused, so an invalid one throws InvalidRequestError.
//
// A service event's kind names `detail.eventName`, so its `detail` is an object by the time its
// normaliser runs.

function normalizeCreateAccountResult(
  event: JsonObject,
  options: NormalizeOptions,
  trigger: Trigger,
): NormalizeResult {
  const detail = event.detail as JsonObject;
  const status = path(detail, 'serviceEventDetails', 'createAccountStatus');
  if (!isRecord(status)) {
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
  return vendRequest(event, status.accountId, trigger, 'CreateAccountResult', options, [
    status.completedTimestamp,
    detail.eventTime,
    event.time,
  ]);
}

/** Control Tower's create and update events differ only in the key of their status object. */
function managedAccountNormalizer(
  statusKey: 'createManagedAccountStatus' | 'updateManagedAccountStatus',
): RuleNormalizer {
  return (event, options, trigger) => normalizeManagedAccount(event, statusKey, options, trigger);
}

function normalizeManagedAccount(
  event: JsonObject,
  statusKey: 'createManagedAccountStatus' | 'updateManagedAccountStatus',
  options: NormalizeOptions,
  trigger: Trigger,
): NormalizeResult {
  const detail = event.detail as JsonObject;
  const eventName = String(detail.eventName);
  const status = path(detail, 'serviceEventDetails', statusKey);
  if (!isRecord(status)) {
    return ignore('missing-status', `${eventName} has no serviceEventDetails.${statusKey} object`);
  }
  const accountId = path(status, 'account', 'accountId');
  if (status.state !== 'SUCCEEDED') {
    const message = typeof status.message === 'string' ? `: ${quote(status.message, 200)}` : '';
    return ignore('not-succeeded', `${eventName} state is ${quote(status.state)}${message}`, accountId);
  }
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

function normalizeAccountJoined(
  event: JsonObject,
  options: NormalizeOptions,
  trigger: Trigger,
): NormalizeResult {
  const detail = event.detail as JsonObject;
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
    if (!isRecord(container)) continue;
    const scopes: Array<[string, JsonObject]> = [[containerKey, container]];
    for (const [key, child] of Object.entries(container)) if (isRecord(child)) scopes.push([key, child]);
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
  return vendRequest(event, accountId, trigger, 'AccountJoinedOrganization', options, [
    ...times,
    detail.eventTime,
    event.time,
  ]);
}

function normalizeReplay(event: JsonObject, options: NormalizeOptions, trigger: Trigger): NormalizeResult {
  const { governedRegions, managementAccountId } = options;
  if (managementAccountId !== undefined && event.account !== managementAccountId) {
    throw new InvalidRequestError(
      `replay request comes from account ${quote(event.account)}; only the management account ${managementAccountId} may send one`,
    );
  }
  const detail = event.detail;
  if (!isRecord(detail)) throw new InvalidRequestError('replay request detail must be an object');
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

  const request: BootstrapRequest = { accountId, trigger, vendedAt, regions };
  if (reason !== undefined) request.reason = reason;
  if (typeof event.id === 'string') request.eventId = event.id;
  return { kind: 'bootstrap', request };
}
