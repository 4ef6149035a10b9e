/**
 * A small EventBridge event-pattern matcher, so the local runtime routes events with the very
 * patterns the CDK rules deploy, and `explain-event` can say why an event was not routed.
 *
 * Semantics follow the EventBridge content-filtering documentation:
 * - fields in one object are ANDed; the values listed for one field are ORed;
 * - matching happens on leaf values only; an array in the event matches when any element does;
 * - an object pattern against an array of objects matches when any one element matches it whole;
 * - a field that is absent, or holds an object, has no leaf value (only `exists: false` matches it).
 * Operators: literals, `prefix`, `suffix` (both optionally `{equals-ignore-case}`), `anything-but`
 * (literal, list, `{prefix}`, `{suffix}`, `{equals-ignore-case}`, `{wildcard}`), `exists`, `numeric`,
 * `equals-ignore-case`, `wildcard` and `$or`. An unknown or malformed operator matches nothing.
 * The matcher never throws, whatever the pattern or the event.
 */

import { isRecord, type JsonObject } from '../shared/records.ts';

export type PatternLiteral = string | number | boolean | null;

type IgnoreCase = { 'equals-ignore-case': string };

export type AnythingButOperand =
  | PatternLiteral
  | PatternLiteral[]
  | { prefix: string }
  | { suffix: string }
  | { 'equals-ignore-case': string | string[] }
  | { wildcard: string | string[] };

export type PatternOperator =
  | { prefix: string | IgnoreCase }
  | { suffix: string | IgnoreCase }
  | { 'anything-but': AnythingButOperand }
  | { exists: boolean }
  | { numeric: Array<string | number> }
  | { 'equals-ignore-case': string }
  | { wildcard: string };

export type PatternMatcher = PatternLiteral | PatternOperator;

/** A JSON event pattern: leaf fields hold arrays of matchers, nested fields hold patterns. */
export interface EventPattern {
  $or?: EventPattern[];
  [field: string]: PatternMatcher[] | EventPattern | EventPattern[] | undefined;
}

/** Where and why an event failed a pattern. `path` is dotted from the event root, e.g. `detail.eventName`. */
export interface PatternMismatch {
  path: string;
  reason: string;
}

export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  return findMismatch(pattern, event) === null;
}

/** The path of the first field that failed, or null when the event matches. */
export function explainMismatch(pattern: EventPattern, event: unknown): string | null {
  return findMismatch(pattern, event)?.path ?? null;
}

/** Like `explainMismatch`, with a human-readable reason. */
export function findMismatch(pattern: EventPattern, event: unknown): PatternMismatch | null {
  return matchObject(pattern, event, '');
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function matchObject(pattern: unknown, value: unknown, path: string): PatternMismatch | null {
  if (!Array.isArray(value)) return matchFields(pattern, value, path);
  // Array-consistent: one element must satisfy the whole sub-pattern. An empty array has no fields.
  if (value.length === 0) return matchFields(pattern, undefined, path);
  let first: PatternMismatch | null = null;
  for (const element of value) {
    const mismatch = matchFields(pattern, element, path);
    if (mismatch === null) return null;
    first ??= mismatch;
  }
  return first;
}

function matchFields(pattern: unknown, value: unknown, path: string): PatternMismatch | null {
  if (!isRecord(pattern)) return { path: path || '(root)', reason: 'the pattern here is not an object' };
  // A scalar or missing value has no fields: every field in the pattern is absent.
  const object: JsonObject = isRecord(value) ? value : {};
  for (const [key, sub] of Object.entries(pattern)) {
    const mismatch = key === '$or' ? matchOr(sub, object, path) : matchField(key, sub, object, path);
    if (mismatch) return mismatch;
  }
  return null;
}

function matchOr(alternatives: unknown, object: JsonObject, path: string): PatternMismatch | null {
  const orPath = join(path, '$or');
  if (!Array.isArray(alternatives) || alternatives.length === 0) {
    return { path: orPath, reason: '$or must be a non-empty array of patterns' };
  }
  const reasons: string[] = [];
  for (const alternative of alternatives) {
    const mismatch = matchFields(alternative, object, path);
    if (mismatch === null) return null;
    reasons.push(`${mismatch.path}: ${mismatch.reason}`);
  }
  return { path: orPath, reason: `no alternative matched (${reasons.join('; ')})` };
}

function matchField(key: string, sub: unknown, object: JsonObject, path: string): PatternMismatch | null {
  const fieldPath = join(path, key);
  const value = Object.hasOwn(object, key) ? object[key] : undefined;
  if (Array.isArray(sub)) return matchLeaf(sub, value, fieldPath);
  if (isRecord(sub)) return matchObject(sub, value, fieldPath);
  return { path: fieldPath, reason: 'the pattern value must be an array of matchers or a nested pattern' };
}

function matchLeaf(matchers: unknown[], value: unknown, path: string): PatternMismatch | null {
  if (matchers.length === 0) return { path, reason: 'an empty matcher list matches nothing' };
  const leaves = leafValues(value);
  if (matchers.some((matcher) => matcherMatches(matcher, leaves))) return null;
  return {
    path,
    reason: `expected ${describe(matchers)}, got ${value === undefined ? 'no value' : describe(value)}`,
  };
}

function leafValues(value: unknown): unknown[] {
  if (value === undefined || isRecord(value)) return [];
  if (Array.isArray(value)) return value.flatMap(leafValues);
  return [value];
}

function isLiteral(value: unknown): value is PatternLiteral {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

function matcherMatches(matcher: unknown, leaves: unknown[]): boolean {
  if (isLiteral(matcher)) return leaves.some((leaf) => leaf === matcher);
  if (!isRecord(matcher)) return false;
  const entries = Object.entries(matcher);
  const [entry] = entries;
  if (entries.length !== 1 || !entry) return false;
  const [operator, operand] = entry;
  switch (operator) {
    case 'exists':
      if (typeof operand !== 'boolean') return false;
      return operand ? leaves.length > 0 : leaves.length === 0;
    case 'prefix':
      return leaves.some((leaf) => affixMatches(operand, leaf, (v, p) => v.startsWith(p)));
    case 'suffix':
      return leaves.some((leaf) => affixMatches(operand, leaf, (v, s) => v.endsWith(s)));
    case 'equals-ignore-case':
      return typeof operand === 'string' && leaves.some((leaf) => equalsIgnoreCase(leaf, operand));
    case 'wildcard':
      return typeof operand === 'string' && leaves.some((leaf) => wildcardMatches(operand, leaf));
    case 'numeric':
      return leaves.some((leaf) => numericMatches(operand, leaf));
    case 'anything-but':
      return leaves.some((leaf) => anythingButMatches(operand, leaf));
    default:
      return false;
  }
}

function affixMatches(
  operand: unknown,
  leaf: unknown,
  test: (value: string, affix: string) => boolean,
): boolean {
  if (typeof leaf !== 'string') return false;
  if (typeof operand === 'string') return test(leaf, operand);
  if (isRecord(operand) && Object.keys(operand).length === 1) {
    const affix = operand['equals-ignore-case'];
    if (typeof affix === 'string') return test(leaf.toLowerCase(), affix.toLowerCase());
  }
  return false;
}

function equalsIgnoreCase(leaf: unknown, operand: string): boolean {
  return typeof leaf === 'string' && leaf.toLowerCase() === operand.toLowerCase();
}

/** `*` matches any run of characters (including none); a backslash escapes the next character. */
function wildcardMatches(pattern: string, leaf: unknown): boolean {
  if (typeof leaf !== 'string') return false;
  let source = '';
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern.charAt(index);
    if (char === '\\' && index + 1 < pattern.length) {
      source += escapeRegExp(pattern.charAt(++index));
    } else if (char === '*') {
      source += '[\\s\\S]*';
    } else {
      source += escapeRegExp(char);
    }
  }
  return new RegExp(`^${source}$`).test(leaf);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

const NUMERIC_OPERATORS: Record<string, (left: number, right: number) => boolean> = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '=': (a, b) => a === b,
  '>=': (a, b) => a >= b,
  '>': (a, b) => a > b,
};

/** `[">", 0, "<=", 5]`: every (operator, number) pair must hold. Only JSON numbers match. */
function numericMatches(operand: unknown, leaf: unknown): boolean {
  if (
    typeof leaf !== 'number' ||
    !Array.isArray(operand) ||
    operand.length === 0 ||
    operand.length % 2 !== 0
  ) {
    return false;
  }
  for (let index = 0; index < operand.length; index += 2) {
    const operator = operand[index];
    const bound = operand[index + 1];
    const compare =
      typeof operator === 'string' && Object.hasOwn(NUMERIC_OPERATORS, operator)
        ? NUMERIC_OPERATORS[operator]
        : undefined;
    if (!compare || typeof bound !== 'number' || !Number.isFinite(bound)) return false;
    if (!compare(leaf, bound)) return false;
  }
  return true;
}

/** Matches a leaf that is NOT what the operand describes. String-shaped operands match only strings. */
function anythingButMatches(operand: unknown, leaf: unknown): boolean {
  if (isLiteral(operand)) return leaf !== operand;
  if (Array.isArray(operand))
    return operand.length > 0 && operand.every(isLiteral) && !operand.some((item) => item === leaf);
  const [entry, ...more] = isRecord(operand) ? Object.entries(operand) : [];
  if (!entry || more.length > 0 || typeof leaf !== 'string') return false;
  const [operator, value] = entry;
  const values = typeof value === 'string' ? [value] : Array.isArray(value) ? value : [];
  if (values.length === 0 || !values.every((item) => typeof item === 'string')) return false;
  switch (operator) {
    case 'prefix':
      return typeof value === 'string' && !leaf.startsWith(value);
    case 'suffix':
      return typeof value === 'string' && !leaf.endsWith(value);
    case 'equals-ignore-case':
      return !values.some((item) => equalsIgnoreCase(leaf, item));
    case 'wildcard':
      return !values.some((item) => wildcardMatches(item, leaf));
    default:
      return false;
  }
}

function describe(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined;
  }
  text ??= String(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
