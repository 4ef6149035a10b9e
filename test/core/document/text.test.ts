import fc from 'fast-check';
import { type Node as JsonNode, parseTree } from 'jsonc-parser';
import { describe, expect, it } from 'vitest';
import { textDiff } from '#cli/text-diff.ts';
import { planChange } from '#core/document/preferences.ts';
import { applyInputEdits, readDocumentText, visible } from '#core/document/text.ts';
import { PreferencesDocumentInvalidError } from '#core/shared/errors.ts';

const on = { enabled: true, defaultUser: 'ec2-user' };
const off = { enabled: false, defaultUser: '' };

/** The text `planChange` would write (fails the test unless it is an update). */
function merged(text: string, runAs = on): string {
  const plan = planChange(text, runAs);
  if (plan.kind !== 'update') throw new Error(`expected an update, got ${JSON.stringify(plan)}`);
  return plan.text;
}

describe('in-place JSON merge', () => {
  it('keeps big integers, 1e400, 1.50, escapes and integer-like keys exactly where they were', () => {
    // Prepare
    const text = [
      '{',
      '  "schemaVersion": "1.0",',
      '  "sessionType": "Standard_Stream",',
      '  "inputs": {',
      '    "s3BucketName": "logs\\u002dbucket",',
      '    "10": 12345678901234567890,',
      '    "2": 1.50,',
      '    "huge": 1e400,',
      '    "runAsEnabled": false,',
      '    "runAsDefaultUser": ""',
      '  }',
      '}',
    ].join('\n');
    // Act
    const result = merged(text);
    // Assess
    expect(result).toBe(
      text
        .replace('"runAsEnabled": false', '"runAsEnabled": true')
        .replace('"runAsDefaultUser": ""', '"runAsDefaultUser": "ec2-user"'),
    );
  });

  it('keeps CRLF line ends and tab indentation when it inserts the keys', () => {
    // Prepare
    const text =
      '{\r\n\t"schemaVersion": "1.0",\r\n\t"sessionType": "Standard_Stream",\r\n\t"inputs": {\r\n\t\t"idleSessionTimeout": "20"\r\n\t}\r\n}\r\n';
    // Act
    const result = merged(text);
    // Assess
    expect(result).toBe(
      '{\r\n\t"schemaVersion": "1.0",\r\n\t"sessionType": "Standard_Stream",\r\n\t"inputs": {\r\n\t\t"idleSessionTimeout": "20",\r\n\t\t"runAsEnabled": true,\r\n\t\t"runAsDefaultUser": "ec2-user"\r\n\t}\r\n}\r\n',
    );
  });

  it('keeps a compact document compact', () => {
    // Prepare
    const text = '{"schemaVersion":"1.0","sessionType":"Standard_Stream","inputs":{"a":[1,2]}}';
    // Act
    const result = merged(text);
    // Assess
    expect(result).not.toContain('\n');
    expect(
      result.startsWith('{"schemaVersion":"1.0","sessionType":"Standard_Stream","inputs":{"a":[1,2],'),
    ).toBe(true);
    expect(JSON.parse(result).inputs).toEqual({
      a: [1, 2],
      runAsEnabled: true,
      runAsDefaultUser: 'ec2-user',
    });
  });

  it('changes only the value of a repeated key in a nested object it does not own', () => {
    // Prepare: runAsEnabled also appears outside `inputs`; only inputs.runAsEnabled is ours.
    const text =
      '{"schemaVersion":"1.0","sessionType":"Standard_Stream","runAsEnabled":"top","inputs":{"shellProfile":{"runAsEnabled":"nested"},"runAsEnabled":false,"runAsDefaultUser":"ec2-user"}}';
    // Act
    const result = merged(text);
    // Assess
    expect(result).toBe(text.replace('"runAsEnabled":false', '"runAsEnabled":true'));
  });

  it.each([
    [
      'two inputs objects',
      '{"schemaVersion":"1.0","sessionType":"Standard_Stream","inputs":{},"inputs":{}}',
      'inputs',
    ],
    [
      'runAsEnabled twice',
      '{"schemaVersion":"1.0","sessionType":"Standard_Stream","inputs":{"runAsEnabled":true,"runAsEnabled":false}}',
      'inputs.runAsEnabled',
    ],
  ])('refuses %s: which one Session Manager reads is ambiguous', (_name, text, key) => {
    // Act
    const plan = planChange(text, on);
    // Assess
    expect(plan).toEqual({
      kind: 'refuse',
      reason: `duplicate key ${key}: which one Session Manager reads is ambiguous; remove the duplicate by hand`,
    });
  });

  it('with RunAs off leaves an absent user absent and a string user alone (no write)', () => {
    // Prepare
    const absent = '{"schemaVersion":"1.0","sessionType":"Standard_Stream","inputs":{"runAsEnabled":false}}';
    const kept =
      '{"schemaVersion":"1.0","sessionType":"Standard_Stream","inputs":{"runAsEnabled":false,"runAsDefaultUser":"old"}}';
    // Act / Assess
    expect(planChange(absent, off).kind).toBe('none');
    expect(planChange(kept, off).kind).toBe('none');
    expect(merged(kept.replace('false', 'true'), off)).toBe(kept);
  });
});

describe('in-place YAML merge', () => {
  it('keeps comments, quoting and layout, and stays YAML', () => {
    // Prepare
    const text = [
      '# Session Manager preferences, kept by hand',
      "schemaVersion: '1.0'",
      'sessionType: Standard_Stream',
      'inputs:',
      '  s3BucketName: ""    # no S3 logging',
      "  idleSessionTimeout: '20'",
      '  runAsEnabled: false',
      "  runAsDefaultUser: 'nobody'",
      '  shellProfile:',
      '    linux: exec bash -l',
      '# end',
      '',
    ].join('\n');
    // Act
    const plan = planChange(text, on);
    // Assess
    expect(plan).toMatchObject({ kind: 'update', format: 'YAML' });
    expect(plan.kind === 'update' && plan.text).toBe(
      text.replace('runAsEnabled: false', 'runAsEnabled: true').replace("'nobody'", "'ec2-user'"),
    );
  });

  it('inserts missing keys after the last key of a block mapping, with its indentation', () => {
    // Prepare
    const text =
      'schemaVersion: "1.0"\nsessionType: Standard_Stream\ninputs:\n    maxSessionDuration: "60"\n';
    // Act
    const result = merged(text);
    // Assess
    expect(result).toBe(`${text}    runAsEnabled: true\n    runAsDefaultUser: ec2-user\n`);
  });

  it('quotes a user name that YAML would read as something else', () => {
    // Prepare
    const text =
      'schemaVersion: "1.0"\nsessionType: Standard_Stream\ninputs:\n  runAsEnabled: true\n  runAsDefaultUser: x\n';
    // Act
    const result = merged(text, { enabled: true, defaultUser: 'null' });
    // Assess
    expect(result).toBe(text.replace('runAsDefaultUser: x', 'runAsDefaultUser: "null"'));
  });

  it.each([
    [
      'inputs is an alias',
      "base: &b\n  runAsEnabled: false\nschemaVersion: '1.0'\nsessionType: Standard_Stream\ninputs: *b\n",
    ],
    [
      'the value carries a !!str tag',
      "schemaVersion: '1.0'\nsessionType: Standard_Stream\ninputs:\n  runAsEnabled: !!str false\n",
    ],
  ])('refuses, without throwing, a YAML document it cannot edit in place: %s', (_name, text) => {
    // Act
    const plan = planChange(text, on);
    // Assess
    expect(plan).toEqual({
      kind: 'refuse',
      reason:
        'cannot set inputs.runAsEnabled in this YAML document without changing other content; set it by hand',
    });
  });

  it('refuses a YAML document with a duplicate key', () => {
    // Act
    const plan = planChange(
      'schemaVersion: "1.0"\nsessionType: Standard_Stream\ninputs: {}\ninputs: {}\n',
      on,
    );
    // Assess
    expect(plan).toMatchObject({ kind: 'refuse', reason: expect.stringMatching(/nor YAML \(.*unique/i) });
  });
});

describe('readDocumentText', () => {
  it('refuses a byte-order mark with a reason that prints no invisible character', () => {
    // Act
    const attempt = () => readDocumentText('\uFEFF{"schemaVersion":"1.0"}');
    // Assess
    expect(attempt).toThrow(PreferencesDocumentInvalidError);
    expect(attempt).toThrow(
      'document content starts with a byte-order mark (U+FEFF); remove it by hand and run again',
    );
  });

  it('tells YAML from content that is neither JSON nor YAML', () => {
    // Act / Assess
    expect(readDocumentText('schemaVersion: "1.0"\n').format).toBe('YAML');
    expect(() => readDocumentText('{"schemaVersion": [')).toThrow(
      /^document content is neither JSON \(.+\) nor YAML \(.+\)$/,
    );
    expect(() => readDocumentText('just words')).toThrow(/not JSON \(.+\), and as YAML it is not a mapping/);
  });

  it('escapes invisible characters in reasons', () => {
    // Act / Assess
    expect(visible('a\u200bb\u0000c\nd')).toBe('a\\u200bb\\u0000c\\u000ad');
  });
});

describe('applyInputEdits and textDiff', () => {
  it('replaces an aliased value in place and leaves the anchor alone', () => {
    // Prepare: the value is an alias of an anchor elsewhere in the document.
    const text =
      'schemaVersion: "1.0"\nsessionType: Standard_Stream\nx: &a false\ninputs:\n  runAsEnabled: *a\n';
    // Act
    const result = applyInputEdits(readDocumentText(text), [{ key: 'runAsEnabled', value: true }]);
    // Assess
    expect(result).toBe(text.replace('runAsEnabled: *a', 'runAsEnabled: true'));
  });

  it('shows only the changed lines, with context', () => {
    // Act
    const diff = textDiff('a\nb\nc\nd\ne\n', 'a\nb\nC\nd\ne\n');
    // Assess
    expect(diff).toBe(
      ['--- current', '+++ merged', '@@ -1,5 +1,5 @@', ' a', ' b', '-c', '+C', ' d', ' e'].join('\n'),
    );
  });
});

describe('property: every byte that is not a RunAs value survives', () => {
  /** Source text of each property of an object node, by key, in order. */
  function sources(text: string, node: JsonNode | undefined): [string, string][] {
    return (node?.children ?? []).map((p) => [
      String(p.children?.[0]?.value),
      text.slice(p.offset, p.offset + p.length),
    ]);
  }

  const scalar = fc.oneof(
    fc.integer().map(String),
    fc.constantFrom('12345678901234567890', '1e400', '1.50', '-0', '0.1e-7', 'true', 'null', '"\\u00e9\\/"'),
    fc.string({ maxLength: 8 }).map((s) => JSON.stringify(s)),
  );
  const key = fc.oneof(
    fc.constantFrom('10', '2', 'x y', 'é', 'runAs'),
    fc.string({ minLength: 1, maxLength: 6 }),
  );
  const layout = fc.record({
    indent: fc.constantFrom('', '  ', '    ', '\t'),
    eol: fc.constantFrom('\n', '\r\n'),
    colon: fc.constantFrom(':', ': ', ' : '),
  });

  it('holds for random keys, numbers, escapes, indentation and line ends', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(key, scalar), { selector: ([k]) => k, maxLength: 6 }),
        fc.constantFrom<unknown>(undefined, false, 'true', 1),
        fc.constantFrom<unknown>(undefined, '', 'admin', 7),
        layout,
        fc.boolean(),
        (others, enabled, user, { indent, eol, colon }, runAsOn) => {
          // Prepare
          const entries = others.filter(([k]) => k !== 'runAsEnabled' && k !== 'runAsDefaultUser');
          const inner = [...entries];
          if (enabled !== undefined) inner.push(['runAsEnabled', JSON.stringify(enabled)]);
          if (user !== undefined) inner.push(['runAsDefaultUser', JSON.stringify(user)]);
          const nl = indent === '' ? '' : eol;
          const line = (depth: number, k: string, v: string) =>
            `${indent.repeat(depth)}${JSON.stringify(k)}${colon}${v}`;
          const object = (depth: number, pairs: [string, string][]) =>
            pairs.length === 0
              ? '{}'
              : `{${nl}${pairs.map(([k, v]) => line(depth, k, v)).join(`,${nl}`)}${nl}${indent.repeat(depth - 1)}}`;
          const text = `${object(1, [
            ['schemaVersion', '"1.0"'],
            ['sessionType', '"Standard_Stream"'],
            ['inputs', object(2, inner)],
            ['x-tail', '[1.50, 1e400]'],
          ])}${eol}`;
          const runAs = { enabled: runAsOn, defaultUser: 'ec2-user' };
          // Act
          const plan = planChange(text, runAs);
          // Assess
          if (plan.kind === 'none') return;
          expect(plan.kind).toBe('update');
          if (plan.kind !== 'update') return;
          const before = parseTree(text);
          const after = parseTree(plan.text);
          const ours = (k: string) => k === 'runAsEnabled' || k === 'runAsDefaultUser';
          const inputsOf = (root: JsonNode | undefined) =>
            root?.children?.find((p) => p.children?.[0]?.value === 'inputs')?.children?.[1];
          // Top level: every key but inputs keeps its exact source, in order.
          const top = (t: string, root: JsonNode | undefined) =>
            sources(t, root).filter(([k]) => k !== 'inputs');
          expect(top(plan.text, after)).toEqual(top(text, before));
          // Inside inputs: every key that is not ours keeps its exact source, in order.
          const rest = (t: string, root: JsonNode | undefined) =>
            sources(t, inputsOf(root)).filter(([k]) => !ours(k));
          expect(rest(plan.text, after)).toEqual(rest(text, before));
          // Before and after the document, nothing changed either.
          expect(plan.text.slice(0, after?.offset)).toBe(text.slice(0, before?.offset));
          expect(plan.text.slice((after?.offset ?? 0) + (after?.length ?? 0))).toBe(
            text.slice((before?.offset ?? 0) + (before?.length ?? 0)),
          );
          // And the result is compliant: nothing left to do.
          expect(planChange(plan.text, runAs).kind).toBe('none');
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('property: a YAML document keeps every line that holds no RunAs value', () => {
  const value = fc.constantFrom(
    "'20'",
    '"x y"',
    '12345678901234567890',
    '1.50',
    'plain text',
    '~',
    "''",
    '[1, 2]',
  );
  const comment = fc.constantFrom('', '   # why', ' #');

  it('holds for random keys, values, comments, indentation and line ends', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(fc.stringMatching(/^[a-z][a-zA-Z0-9]{0,6}$/), value, comment), {
          selector: ([k]) => k,
          maxLength: 5,
        }),
        fc.constantFrom<string | undefined>(undefined, 'false', 'true', "'yes'"),
        fc.constantFrom('  ', '    '),
        fc.constantFrom('\n', '\r\n'),
        fc.boolean(),
        (pairs, enabled, indent, eol, runAsOn) => {
          // Prepare
          const lines = [
            '# preferences',
            "schemaVersion: '1.0'",
            'sessionType: Standard_Stream',
            'inputs:',
            // `zz` is the fixed last key below: a generated `zz` would be a duplicate key, rightly refused.
            ...pairs
              .filter(([k]) => k !== 'runAsEnabled' && k !== 'runAsDefaultUser' && k !== 'zz')
              .map(([k, v, c]) => `${indent}${k}: ${v}${c}`),
            ...(enabled === undefined ? [] : [`${indent}runAsEnabled: ${enabled}`]),
            `${indent}zz: end`,
            '# trailing',
            '',
          ];
          const text = lines.join(eol);
          const runAs = { enabled: runAsOn, defaultUser: 'ec2-user' };
          // Act
          const plan = planChange(text, runAs);
          // Assess
          if (plan.kind === 'none') return;
          expect(plan).toMatchObject({ kind: 'update', format: 'YAML' });
          if (plan.kind !== 'update') return;
          const others = (t: string) => t.split(eol).filter((l) => !/runAs(Enabled|DefaultUser):/.test(l));
          expect(others(plan.text)).toEqual(others(text));
          expect(planChange(plan.text, runAs).kind).toBe('none');
        },
      ),
      { numRuns: 300 },
    );
  });
});
