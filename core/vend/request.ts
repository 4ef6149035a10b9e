/**
 * What normalising a vend event produces: a bootstrap request, or a reason to ignore the event,
 * and the pieces every rule's normaliser builds them from.
 */

import { isRecord, type JsonObject } from '../shared/records.ts';
import { firstTimestamp } from './event-time.ts';

export type Trigger =
  | 'organizations-create-account'
  | 'controltower-create-managed-account'
  | 'controltower-update-managed-account'
  | 'organizations-account-joined'
  | 'replay';

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

/** ASCII only: `\d` would be ASCII too, but spelling it out keeps Unicode digits out by construction. */
const ACCOUNT_ID = /^[0-9]{12}$/;

export function isAccountId(value: unknown): value is string {
  return typeof value === 'string' && ACCOUNT_ID.test(value);
}

/** Why a value cannot be a member account id, or undefined when it can. */
export function accountIdProblem(value: unknown): { code: IgnoreCode; reason: string } | undefined {
  if (value === undefined || value === null || value === '') {
    return { code: 'missing-account-id', reason: 'no account id' };
  }
  if (value === 'Not Available')
    return { code: 'account-id-not-available', reason: 'account id is "Not Available"' };
  if (!isAccountId(value))
    return { code: 'invalid-account-id', reason: `${quote(value)} is not a 12-digit account id` };
  return undefined;
}

/** An ignore result; the account id is kept only when it is a valid one. */
export function ignore(code: IgnoreCode, reason: string, accountId?: unknown): NormalizeResult {
  return isAccountId(accountId)
    ? { kind: 'ignore', code, reason, accountId }
    : { kind: 'ignore', code, reason };
}

/**
 * The request for a service event that reported a vend: refused for a bad or excluded account,
 * for the management account, or when none of `timestamps` is readable (the first readable wins).
 */
export function vendRequest(
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

/** The value at `keys` below `value`, or undefined where a step is missing or not an object. */
export function path(value: unknown, ...keys: string[]): unknown {
  let current = value;
  for (const key of keys) {
    if (!isRecord(current) || !Object.hasOwn(current, key)) return undefined;
    current = current[key];
  }
  return current;
}

/** Quote an untrusted value for a message, bounded so a hostile event cannot flood the logs. */
export function quote(value: unknown, max = 64): string {
  let text: string;
  try {
    text = value === undefined ? 'undefined' : (JSON.stringify(value) ?? String(value));
  } catch {
    text = typeof value;
  }
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

/** Quote at most a few values, so a hostile list cannot flood the message. */
export function quoteList(values: unknown[]): string {
  const shown = values.slice(0, 5).map((value) => quote(value));
  return values.length > shown.length
    ? `${shown.join(', ')} and ${values.length - shown.length} more`
    : shown.join(', ');
}
