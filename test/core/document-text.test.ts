import { describe, expect, it } from 'vitest';
import { applyInputEdits, readDocumentText, visible } from '#core/document-text.ts';
import { PreferencesDocumentInvalidError } from '#core/errors.ts';
import { planChange } from '#core/preferences.ts';
import { textDiff } from '#core/text-diff.ts';

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
