import { describe, expect, it } from 'vitest';
import {
  type EventPattern,
  explainMismatch,
  findMismatch,
  matchesPattern,
} from '#core/deploy/event-pattern.ts';

/** An event in the EventBridge envelope, with the given detail. */
function event(detail: Record<string, unknown>, envelope: Record<string, unknown> = {}) {
  return {
    version: '0',
    id: '0d4b7e3a-1111-2222-3333-444455556666',
    'detail-type': 'Order Placed',
    source: 'com.example.shop',
    account: '111111111111',
    time: '2024-03-01T12:00:00Z',
    region: 'eu-west-1',
    resources: ['arn:aws:s3:::example-bucket'],
    detail,
    ...envelope,
  };
}

type Case = [name: string, pattern: EventPattern, event: unknown, expected: boolean];

function check(pattern: EventPattern, input: unknown, expected: boolean) {
  // Act
  const matched = matchesPattern(pattern, input);
  const path = explainMismatch(pattern, input);
  // Assess
  expect(matched).toBe(expected);
  expect(path === null).toBe(expected);
}

describe('matchesPattern', () => {
  describe('exact values', () => {
    const cases: Case[] = [
      ['string equals', { source: ['com.example.shop'] }, event({}), true],
      ['string differs', { source: ['com.example.other'] }, event({}), false],
      ['one of several values (OR)', { source: ['a', 'com.example.shop'] }, event({}), true],
      [
        'all fields must match (AND)',
        { source: ['com.example.shop'], region: ['us-east-1'] },
        event({}),
        false,
      ],
      ['matching is case-sensitive', { source: ['COM.EXAMPLE.SHOP'] }, event({}), false],
      ['number equals number', { detail: { quantity: [3] } }, event({ quantity: 3 }), true],
      [
        'number equals the same number written differently',
        { detail: { price: [300] } },
        event({ price: 3e2 }),
        true,
      ],
      ['a string does not equal a number', { detail: { quantity: ['3'] } }, event({ quantity: 3 }), false],
      ['a number does not equal a string', { detail: { quantity: [3] } }, event({ quantity: '3' }), false],
      ['boolean equals boolean', { detail: { gift: [true] } }, event({ gift: true }), true],
      ['boolean differs', { detail: { gift: [true] } }, event({ gift: false }), false],
      ['null matches null', { detail: { coupon: [null] } }, event({ coupon: null }), true],
      ['null does not match an empty string', { detail: { coupon: [null] } }, event({ coupon: '' }), false],
      ['empty string matches empty string', { detail: { note: [''] } }, event({ note: '' }), true],
      ['empty string does not match null', { detail: { note: [''] } }, event({ note: null }), false],
      ['a missing field does not match a literal', { detail: { note: ['x'] } }, event({}), false],
      ['a missing field does not match null', { detail: { note: [null] } }, event({}), false],
      ['an empty matcher list matches nothing', { detail: { note: [] } }, event({ note: 'x' }), false],
      [
        'a literal does not match an object value',
        { detail: { customer: ['x'] } },
        event({ customer: { id: 'x' } }),
        false,
      ],
    ];
    it.each(cases)('%s', (_name, pattern, input, expected) => check(pattern, input, expected));
  });

  describe('nested fields and arrays', () => {
    const cases: Case[] = [
      [
        'nested path',
        { detail: { customer: { tier: ['gold'] } } },
        event({ customer: { tier: 'gold' } }),
        true,
      ],
      [
        'nested path mismatch',
        { detail: { customer: { tier: ['gold'] } } },
        event({ customer: { tier: 'lead' } }),
        false,
      ],
      [
        'nested path through a scalar',
        { detail: { customer: { tier: ['gold'] } } },
        event({ customer: 'gold' }),
        false,
      ],
      [
        'nested path through null',
        { detail: { customer: { tier: ['gold'] } } },
        event({ customer: null }),
        false,
      ],
      ['array value: any element matches', { resources: ['arn:aws:s3:::example-bucket'] }, event({}), true],
      [
        'array value: intersection is empty',
        { detail: { tags: ['red', 'blue'] } },
        event({ tags: ['green'] }),
        false,
      ],
      [
        'array value: intersection is non-empty',
        { detail: { tags: ['red', 'blue'] } },
        event({ tags: ['green', 'blue'] }),
        true,
      ],
      ['an empty array matches no literal', { detail: { tags: ['red'] } }, event({ tags: [] }), false],
      [
        'nested arrays are flattened',
        { detail: { grid: [4] } },
        event({
          grid: [
            [1, 2],
            [3, [4]],
          ],
        }),
        true,
      ],
      [
        'array of objects: one element must match the sub-pattern',
        { detail: { items: { sku: ['B'], qty: [2] } } },
        event({
          items: [
            { sku: 'A', qty: 2 },
            { sku: 'B', qty: 2 },
          ],
        }),
        true,
      ],
      [
        'array of objects: fields from different elements do not combine',
        { detail: { items: { sku: ['B'], qty: [1] } } },
        event({
          items: [
            { sku: 'A', qty: 1 },
            { sku: 'B', qty: 2 },
          ],
        }),
        false,
      ],
      [
        'a pattern field must not read inherited properties',
        { detail: { constructor: [{ exists: true }] } },
        event({}),
        false,
      ],
    ];
    it.each(cases)('%s', (_name, pattern, input, expected) => check(pattern, input, expected));
  });

  describe('prefix and suffix', () => {
    const cases: Case[] = [
      ['prefix matches the start', { time: [{ prefix: '2024-03-01' }] }, event({}), true],
      ['prefix does not match the middle', { time: [{ prefix: '03-01' }] }, event({}), false],
      ['prefix is case-sensitive', { source: [{ prefix: 'COM.' }] }, event({}), false],
      [
        'prefix ignoring case',
        { source: [{ prefix: { 'equals-ignore-case': 'COM.EXAMPLE' } }] },
        event({}),
        true,
      ],
      [
        'prefix only applies to strings',
        { detail: { code: [{ prefix: '4' }] } },
        event({ code: 404 }),
        false,
      ],
      ['prefix on an array element', { resources: [{ prefix: 'arn:aws:s3' }] }, event({}), true],
      [
        'suffix matches the end',
        { detail: { file: [{ suffix: '.png' }] } },
        event({ file: 'cat.png' }),
        true,
      ],
      ['suffix mismatch', { detail: { file: [{ suffix: '.png' }] } }, event({ file: 'cat.png.txt' }), false],
      [
        'suffix is case-sensitive',
        { detail: { file: [{ suffix: '.png' }] } },
        event({ file: 'CAT.PNG' }),
        false,
      ],
      [
        'suffix ignoring case',
        { detail: { file: [{ suffix: { 'equals-ignore-case': '.png' } }] } },
        event({ file: 'CAT.PNG' }),
        true,
      ],
    ];
    it.each(cases)('%s', (_name, pattern, input, expected) => check(pattern, input, expected));
  });

  describe('anything-but', () => {
    const cases: Case[] = [
      [
        'a different string',
        { detail: { state: [{ 'anything-but': 'initializing' }] } },
        event({ state: 'running' }),
        true,
      ],
      [
        'the excluded string',
        { detail: { state: [{ 'anything-but': 'initializing' }] } },
        event({ state: 'initializing' }),
        false,
      ],
      ['a different number', { detail: { limit: [{ 'anything-but': 123 }] } }, event({ limit: 5 }), true],
      ['the excluded number', { detail: { limit: [{ 'anything-but': 123 }] } }, event({ limit: 123 }), false],
      [
        'a list of strings: outside',
        { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
        event({ state: 'ok' }),
        true,
      ],
      [
        'a list of strings: inside',
        { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
        event({ state: 'stopped' }),
        false,
      ],
      [
        'a list of numbers: inside',
        { detail: { limit: [{ 'anything-but': [100, 200, 300] }] } },
        event({ limit: 200 }),
        false,
      ],
      [
        'a list of numbers: outside',
        { detail: { limit: [{ 'anything-but': [100, 200, 300] }] } },
        event({ limit: 250 }),
        true,
      ],
      [
        'a missing field never matches',
        { detail: { state: [{ 'anything-but': 'initializing' }] } },
        event({}),
        false,
      ],
      [
        'prefix: does not start with it',
        { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
        event({ state: 'running' }),
        true,
      ],
      [
        'prefix: starts with it',
        { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
        event({ state: 'initial' }),
        false,
      ],
      [
        'suffix: ends with it',
        { detail: { file: [{ 'anything-but': { suffix: '.png' } }] } },
        event({ file: 'a.png' }),
        false,
      ],
      [
        'suffix: does not end with it',
        { detail: { file: [{ 'anything-but': { suffix: '.png' } }] } },
        event({ file: 'a.gif' }),
        true,
      ],
      [
        'ignore case: a casing variant is excluded too',
        { detail: { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] } },
        event({ state: 'INITIALIZING' }),
        false,
      ],
      [
        'ignore case list: outside',
        { detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['a', 'b'] } }] } },
        event({ state: 'C' }),
        true,
      ],
      [
        'wildcard: excluded path',
        { detail: { path: [{ 'anything-but': { wildcard: '*/lib/*' } }] } },
        event({ path: '/usr/lib/x.so' }),
        false,
      ],
      [
        'wildcard: other path',
        { detail: { path: [{ 'anything-but': { wildcard: '*/lib/*' } }] } },
        event({ path: '/usr/bin/x' }),
        true,
      ],
      [
        'array value: one element outside the list is enough',
        { detail: { tags: [{ 'anything-but': 'red' }] } },
        event({ tags: ['red', 'blue'] }),
        true,
      ],
      [
        'array value: every element excluded',
        { detail: { tags: [{ 'anything-but': ['red', 'blue'] }] } },
        event({ tags: ['red', 'blue'] }),
        false,
      ],
    ];
    it.each(cases)('%s', (_name, pattern, input, expected) => check(pattern, input, expected));
  });

  describe('numeric', () => {
    const cases: Case[] = [
      [
        'inside an open-closed range',
        { detail: { price: [{ numeric: ['>', 0, '<=', 5] }] } },
        event({ price: 5 }),
        true,
      ],
      [
        'at the open end',
        { detail: { price: [{ numeric: ['>', 0, '<=', 5] }] } },
        event({ price: 0 }),
        false,
      ],
      [
        'above the range',
        { detail: { price: [{ numeric: ['>', 0, '<=', 5] }] } },
        event({ price: 5.01 }),
        false,
      ],
      ['equality', { detail: { price: [{ numeric: ['=', 100] }] } }, event({ price: 100 }), true],
      ['greater or equal', { detail: { price: [{ numeric: ['>=', 10] }] } }, event({ price: 10 }), true],
      ['less than', { detail: { price: [{ numeric: ['<', 10] }] } }, event({ price: -3 }), true],
      [
        'a numeric string is not a number',
        { detail: { price: [{ numeric: ['>', 0] }] } },
        event({ price: '5' }),
        false,
      ],
      [
        'any array element in range',
        { detail: { price: [{ numeric: ['>', 10] }] } },
        event({ price: [1, 20] }),
        true,
      ],
      [
        'an unknown operator matches nothing',
        { detail: { price: [{ numeric: ['!=', 1] } as never] } },
        event({ price: 2 }),
        false,
      ],
      [
        'an operand without a bound matches nothing',
        { detail: { price: [{ numeric: ['>'] }] } },
        event({ price: 2 }),
        false,
      ],
    ];
    it.each(cases)('%s', (_name, pattern, input, expected) => check(pattern, input, expected));
  });

  describe('exists', () => {
    const cases: Case[] = [
      [
        'exists: true on a present field',
        { detail: { coupon: [{ exists: true }] } },
        event({ coupon: 'X' }),
        true,
      ],
      [
        'exists: true on a null field',
        { detail: { coupon: [{ exists: true }] } },
        event({ coupon: null }),
        true,
      ],
      ['exists: true on a missing field', { detail: { coupon: [{ exists: true }] } }, event({}), false],
      ['exists: false on a missing field', { detail: { coupon: [{ exists: false }] } }, event({}), true],
      [
        'exists: false on a present field',
        { detail: { coupon: [{ exists: false }] } },
        event({ coupon: 'X' }),
        false,
      ],
      [
        'exists: false when the parent is missing',
        { detail: { customer: { tier: [{ exists: false }] } } },
        event({}),
        true,
      ],
      [
        'exists works on leaves only: an object is not a leaf',
        { detail: { customer: [{ exists: true }] } },
        event({ customer: { a: 1 } }),
        false,
      ],
      [
        'exists: true on an empty array',
        { detail: { tags: [{ exists: true }] } },
        event({ tags: [] }),
        false,
      ],
      [
        'exists: false on an empty array',
        { detail: { tags: [{ exists: false }] } },
        event({ tags: [] }),
        true,
      ],
    ];
    it.each(cases)('%s', (_name, pattern, input, expected) => check(pattern, input, expected));
  });

  describe('equals-ignore-case and wildcard', () => {
    const cases: Case[] = [
      [
        'ignore case: different casing',
        { detail: { name: [{ 'equals-ignore-case': 'alice' }] } },
        event({ name: 'ALICE' }),
        true,
      ],
      [
        'ignore case: a different word',
        { detail: { name: [{ 'equals-ignore-case': 'alice' }] } },
        event({ name: 'alicia' }),
        false,
      ],
      [
        'wildcard: one star',
        { detail: { file: [{ wildcard: 'dir/*.png' }] } },
        event({ file: 'dir/a/b.png' }),
        true,
      ],
      [
        'wildcard: anchored at both ends',
        { detail: { file: [{ wildcard: 'dir/*.png' }] } },
        event({ file: 'x/dir/a.png' }),
        false,
      ],
      [
        'wildcard: star may match nothing',
        { detail: { file: [{ wildcard: 'a*b' }] } },
        event({ file: 'ab' }),
        true,
      ],
      [
        'wildcard: two stars',
        { detail: { arn: [{ wildcard: 'arn:*:iam::*:role/Admin' }] } },
        event({ arn: 'arn:aws:iam::111111111111:role/Admin' }),
        true,
      ],
      [
        'wildcard: an escaped star is literal',
        { detail: { file: [{ wildcard: 'a\\*b' }] } },
        event({ file: 'a*b' }),
        true,
      ],
      [
        'wildcard: an escaped star matches only a star',
        { detail: { file: [{ wildcard: 'a\\*b' }] } },
        event({ file: 'axb' }),
        false,
      ],
      [
        'wildcard: regex characters are literal',
        { detail: { file: [{ wildcard: 'a.c' }] } },
        event({ file: 'abc' }),
        false,
      ],
      ['wildcard: only strings', { detail: { code: [{ wildcard: '4*' }] } }, event({ code: 404 }), false],
    ];
    it.each(cases)('%s', (_name, pattern, input, expected) => check(pattern, input, expected));
  });

  describe('$or', () => {
    const pattern: EventPattern = {
      source: ['com.example.shop'],
      detail: { $or: [{ payment: ['credit', 'debit'] }, { total: [{ numeric: ['>', 1000] }] }] },
    };
    const cases: Case[] = [
      ['first alternative', pattern, event({ payment: 'credit', total: 5 }), true],
      ['second alternative', pattern, event({ payment: 'cash', total: 5000 }), true],
      ['no alternative', pattern, event({ payment: 'cash', total: 5 }), false],
      [
        'alternatives AND with sibling fields',
        pattern,
        event({ payment: 'credit' }, { source: 'other' }),
        false,
      ],
      [
        'top-level $or across fields',
        { $or: [{ region: ['us-east-1'] }, { detail: { vip: [true] } }] },
        event({ vip: true }),
        true,
      ],
      ['an empty $or matches nothing', { $or: [] }, event({}), false],
    ];
    it.each(cases)('%s', (_name, pattern, input, expected) => check(pattern, input, expected));
  });

  describe('malformed patterns and events', () => {
    const cases: Case[] = [
      [
        'an operator object with two keys',
        { detail: { a: [{ prefix: 'x', suffix: 'y' } as never] } },
        event({ a: 'xy' }),
        false,
      ],
      [
        'an unknown operator',
        { detail: { a: [{ cidr: '10.0.0.0/8' } as never] } },
        event({ a: '10.0.0.1' }),
        false,
      ],
      ['a scalar where a list belongs', { detail: { a: 'x' as never } }, event({ a: 'x' }), false],
      ['an event that is not an object', { source: ['x'] }, 'not an event', false],
      ['an event that is null', { source: ['x'] }, null, false],
      ['an empty pattern matches any object', {}, event({}), true],
    ];
    it.each(cases)('%s', (_name, pattern, input, expected) => check(pattern, input, expected));
  });
});

describe('explainMismatch', () => {
  it('names the first failing field path', () => {
    // Prepare
    const pattern: EventPattern = { source: ['com.example.shop'], detail: { customer: { tier: ['gold'] } } };
    // Act
    const path = explainMismatch(pattern, event({ customer: { tier: 'lead' } }));
    // Assess
    expect(path).toBe('detail.customer.tier');
  });

  it('returns null for a matching event', () => {
    // Act
    const path = explainMismatch({ source: ['com.example.shop'] }, event({}));
    // Assess
    expect(path).toBeNull();
  });

  it('names the $or node when no alternative matches', () => {
    // Prepare
    const pattern: EventPattern = { detail: { $or: [{ a: ['1'] }, { b: ['2'] }] } };
    // Act
    const mismatch = findMismatch(pattern, event({ a: '3' }));
    // Assess
    expect(mismatch?.path).toBe('detail.$or');
    expect(mismatch?.reason).toContain('detail.a: expected ["1"], got "3"');
    expect(mismatch?.reason).toContain('detail.b: expected ["2"], got no value');
  });

  it('says what was expected and what was found', () => {
    // Act
    const mismatch = findMismatch({ source: ['a', 'b'] }, event({}));
    // Assess
    expect(mismatch).toEqual({ path: 'source', reason: 'expected ["a","b"], got "com.example.shop"' });
  });
});
