import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  createDefault,
  diffDocuments,
  isCompliant,
  MAX_DOCUMENT_BYTES,
  merge,
  parseDocument,
  planChange,
  type SessionDocument,
  sameContent,
  serializeDocument,
  sessionDocument,
} from '#core/document/preferences.ts';
import { PreferencesDocumentInvalidError } from '#core/shared/errors.ts';

const runAs = { enabled: true, defaultUser: 'ec2-user' };

// LZA's shape (docs/aws-behaviour.md#what-lza-writes-into-the-document): only the keys LZA writes, not the console's defaults.
const lzaLogging: SessionDocument = sessionDocument({
  s3BucketName: 'aws-accelerator-central-logs',
  s3KeyPrefix: 'session/111111111111/us-east-1',
  s3EncryptionEnabled: true,
  cloudWatchLogGroupName: 'aws-accelerator-sessionmanager-logs',
  cloudWatchEncryptionEnabled: true,
  cloudWatchStreamingEnabled: true,
  kmsKeyId: 'arn:aws:kms:us-east-1:111111111111:key/abc',
  runAsEnabled: false,
  runAsDefaultUser: '',
});

function expectInvalid(content: string, reason: RegExp) {
  let caught: unknown;
  try {
    parseDocument(content);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(PreferencesDocumentInvalidError);
  expect((caught as Error).name).toBe('PreferencesDocumentInvalidError');
  expect((caught as Error).message).toMatch(reason);
}

describe('parseDocument', () => {
  it('accepts a Standard_Stream 1.0 document and keeps unknown keys', () => {
    // Prepare
    const content = JSON.stringify({ ...lzaLogging, extra: { nested: [1, 2] } });
    // Act
    const doc = parseDocument(content);
    // Assess
    expect(doc.inputs.s3BucketName).toBe('aws-accelerator-central-logs');
    expect(doc.extra).toEqual({ nested: [1, 2] });
  });

  it.each([
    ['{"schemaVersion":', /neither JSON \(.*\) nor YAML \(.*\)/],
    ['[1,2]', /not an object/],
    ['"text"', /not an object/],
    ['null', /not an object/],
    ['{"schemaVersion":"2.2","sessionType":"Standard_Stream","inputs":{}}', /schemaVersion is "2.2"/],
    ['{"schemaVersion":1,"sessionType":"Standard_Stream","inputs":{}}', /schemaVersion is 1/],
    ['{"sessionType":"Standard_Stream","inputs":{}}', /schemaVersion is missing/],
    [
      '{"schemaVersion":"1.0","sessionType":"InteractiveCommands","inputs":{}}',
      /sessionType is "InteractiveCommands"/,
    ],
    ['{"schemaVersion":"1.0","sessionType":"Standard_Stream"}', /inputs is missing/],
    ['{"schemaVersion":"1.0","sessionType":"Standard_Stream","inputs":[]}', /inputs is not an object/],
    ['{"schemaVersion":"1.0","sessionType":"Standard_Stream","inputs":"x"}', /inputs is not an object/],
  ])('refuses %s', (content, reason) => {
    expectInvalid(content, reason);
  });
});

describe('merge', () => {
  it('sets only the RunAs keys, keeping every other key, value and the key order', () => {
    // Act
    const merged = merge(lzaLogging, runAs);
    // Assess
    expect(merged.inputs.runAsEnabled).toBe(true);
    expect(merged.inputs.runAsDefaultUser).toBe('ec2-user');
    expect(Object.keys(merged.inputs)).toEqual(Object.keys(lzaLogging.inputs));
    expect(Object.keys(merged)).toEqual(Object.keys(lzaLogging));
    expect({ ...merged.inputs, runAsEnabled: false, runAsDefaultUser: '' }).toEqual(lzaLogging.inputs);
  });

  it('corrects string booleans in the RunAs keys but keeps them in other keys', () => {
    // Prepare
    const doc = parseDocument(
      JSON.stringify({
        schemaVersion: '1.0',
        sessionType: 'Standard_Stream',
        inputs: { s3EncryptionEnabled: 'true', runAsEnabled: 'true', runAsDefaultUser: 'ec2-user' },
      }),
    );
    // Act
    const merged = merge(doc, runAs);
    // Assess
    expect(merged.inputs.runAsEnabled).toBe(true);
    expect(merged.inputs.s3EncryptionEnabled).toBe('true');
    expect(isCompliant(doc, runAs)).toBe(false);
    expect(isCompliant(merged, runAs)).toBe(true);
  });

  it('appends RunAs keys that did not exist', () => {
    // Prepare
    const doc: SessionDocument = { schemaVersion: '1.0', sessionType: 'Standard_Stream', inputs: { a: 1 } };
    // Act
    const merged = merge(doc, runAs);
    // Assess
    expect(Object.keys(merged.inputs)).toEqual(['a', 'runAsEnabled', 'runAsDefaultUser']);
  });

  it('disables RunAs without touching an existing user name', () => {
    // Prepare
    const doc = merge(lzaLogging, runAs);
    // Act
    const merged = merge(doc, { enabled: false, defaultUser: '' });
    // Assess
    expect(merged.inputs.runAsEnabled).toBe(false);
    expect(merged.inputs.runAsDefaultUser).toBe('ec2-user');
    expect(isCompliant(merged, { enabled: false, defaultUser: '' })).toBe(true);
  });

  it('does not mutate its input', () => {
    // Prepare
    const before = structuredClone(lzaLogging);
    // Act
    merge(lzaLogging, runAs);
    // Assess
    expect(lzaLogging).toEqual(before);
  });
});

describe('createDefault', () => {
  it('builds a complete valid document with real booleans and idleSessionTimeout "20"', () => {
    // Act
    const doc = createDefault(runAs);
    // Assess
    expect(parseDocument(serializeDocument(doc))).toEqual(doc);
    for (const key of [
      's3EncryptionEnabled',
      'cloudWatchEncryptionEnabled',
      'cloudWatchStreamingEnabled',
      'runAsEnabled',
    ]) {
      expect(typeof doc.inputs[key]).toBe('boolean');
    }
    expect(doc.inputs.idleSessionTimeout).toBe('20');
    expect(isCompliant(doc, runAs)).toBe(true);
  });
});

describe('isCompliant', () => {
  it.each([
    [{ runAsEnabled: true, runAsDefaultUser: 'ec2-user' }, true],
    [{ runAsEnabled: true, runAsDefaultUser: 'ubuntu' }, false],
    [{ runAsEnabled: 'true', runAsDefaultUser: 'ec2-user' }, false],
    [{ runAsEnabled: false, runAsDefaultUser: 'ec2-user' }, false],
    [{ runAsDefaultUser: 'ec2-user' }, false],
  ])('judges %j as %s', (inputs, expected) => {
    expect(isCompliant({ schemaVersion: '1.0', sessionType: 'Standard_Stream', inputs }, runAs)).toBe(
      expected,
    );
  });
});

describe('canonical comparison', () => {
  it('ignores key order and formatting but not values', () => {
    // Prepare
    const reordered = parseDocument(
      `{"inputs":${JSON.stringify(lzaLogging.inputs)},"sessionType":"Standard_Stream","schemaVersion":"1.0","description":"${lzaLogging.description}"}`,
    );
    // Assess
    expect(sameContent(reordered, lzaLogging)).toBe(true);
    expect(sameContent(merge(lzaLogging, runAs), lzaLogging)).toBe(false);
    expect(canonicalJson({ b: 1, a: { d: 1, c: 2 } })).toBe('{"a":{"c":2,"d":1},"b":1}');
  });
});

describe('serializeDocument', () => {
  it('falls back to compact JSON near the 64 KB limit and refuses beyond it', () => {
    // Prepare: a document whose pretty form is over the limit but whose compact form fits.
    const big = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`k${i}`, 'x'.repeat(8)]));
    const near: SessionDocument = { schemaVersion: '1.0', sessionType: 'Standard_Stream', inputs: big };
    const over: SessionDocument = { ...near, padding: 'y'.repeat(MAX_DOCUMENT_BYTES) };
    // Act
    const text = serializeDocument(near);
    // Assess
    expect(JSON.stringify(near, null, 2).length).toBeGreaterThan(MAX_DOCUMENT_BYTES);
    expect(text).toBe(JSON.stringify(near));
    expect(() => serializeDocument(over)).toThrow(PreferencesDocumentInvalidError);
  });
});

describe('planChange', () => {
  it('creates when missing, updates with a key diff, does nothing when compliant, refuses foreign content', () => {
    // Act
    const create = planChange(undefined, runAs);
    const update = planChange(JSON.stringify(lzaLogging), runAs);
    const none = planChange(JSON.stringify(merge(lzaLogging, runAs)), runAs);
    const refuse = planChange('{"schemaVersion":"1.0","sessionType":"Port","inputs":{}}', runAs);
    // Assess
    expect(create.kind).toBe('create');
    expect(update).toMatchObject({
      kind: 'update',
      changes: [
        { key: 'inputs.runAsEnabled', kind: 'changed', before: false, after: true },
        { key: 'inputs.runAsDefaultUser', kind: 'changed', before: '', after: 'ec2-user' },
      ],
    });
    expect(none.kind).toBe('none');
    expect(refuse).toMatchObject({ kind: 'refuse', reason: expect.stringMatching(/sessionType/) });
  });

  it('reports added and removed keys', () => {
    expect(diffDocuments({ a: 1, b: { c: 1 } }, { b: { d: 2 }, e: 3 })).toEqual([
      { key: 'a', kind: 'removed', before: 1 },
      { key: 'b.c', kind: 'removed', before: 1 },
      { key: 'b.d', kind: 'added', after: 2 },
      { key: 'e', kind: 'added', after: 3 },
    ]);
  });
});

// Arbitrary valid documents: any extra top-level keys and any inputs, including RunAs keys of any type.
const jsonValue = fc.jsonValue({ maxDepth: 3 });
const arbitraryDocument: fc.Arbitrary<SessionDocument> = fc
  .record({
    extra: fc.dictionary(
      fc.string().filter((k) => !['schemaVersion', 'sessionType', 'inputs', '__proto__'].includes(k)),
      jsonValue,
      { maxKeys: 4 },
    ),
    inputs: fc.dictionary(
      fc.string().filter((k) => k !== '__proto__'),
      jsonValue,
      { maxKeys: 8 },
    ),
    runAs: fc.record({ runAsEnabled: jsonValue, runAsDefaultUser: jsonValue }, { requiredKeys: [] }),
  })
  .map(({ extra, inputs, runAs: ra }) => ({
    ...extra,
    schemaVersion: '1.0' as const,
    sessionType: 'Standard_Stream' as const,
    inputs: { ...inputs, ...ra },
  }));
const arbitraryRunAs = fc.oneof(
  fc.record({
    enabled: fc.constant(true),
    defaultUser: fc.stringMatching(/^[A-Za-z0-9._][A-Za-z0-9._-]{0,31}$/),
  }),
  fc.record({ enabled: fc.constant(false), defaultUser: fc.constant('') }),
);

describe('merge properties', () => {
  it('preserves every non-RunAs key and value', () => {
    fc.assert(
      fc.property(arbitraryDocument, arbitraryRunAs, (doc, setting) => {
        const merged = merge(doc, setting);
        const strip = (d: SessionDocument) => {
          const { runAsEnabled: _e, runAsDefaultUser: _u, ...rest } = d.inputs;
          return { ...d, inputs: rest };
        };
        expect(canonicalJson(strip(merged))).toBe(canonicalJson(strip(doc)));
        expect(Object.keys(merged)).toEqual(Object.keys(doc));
      }),
    );
  });

  it('is idempotent: merge(merge(x)) equals merge(x)', () => {
    fc.assert(
      fc.property(arbitraryDocument, arbitraryRunAs, (doc, setting) => {
        const once = merge(doc, setting);
        expect(merge(once, setting)).toEqual(once);
        expect(planChange(serializeDocument(once), setting).kind).toBe('none');
      }),
    );
  });

  it('always yields a compliant document that survives a serialize/parse round trip', () => {
    fc.assert(
      fc.property(arbitraryDocument, arbitraryRunAs, (doc, setting) => {
        const merged = merge(doc, setting);
        expect(isCompliant(merged, setting)).toBe(true);
        expect(sameContent(parseDocument(serializeDocument(merged)), merged)).toBe(true);
      }),
    );
  });
});
