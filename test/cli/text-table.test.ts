import { describe, expect, it } from 'vitest';
import { table } from '#cli/text-table.ts';

describe('table', () => {
  it('pads every column to its widest cell', () => {
    expect(table(['a', 'bb'], [['ccc', 'd']])).toBe('a    bb\n---  --\nccc  d');
  });

  it('trims the blanks a short last cell would leave, and pads missing cells', () => {
    // Act
    const text = table(
      ['name', 'value', 'note'],
      [
        ['a', '1'],
        ['bb', '22', 'x'],
      ],
    );
    // Assess
    expect(text).toBe('name  value  note\n----  -----  ----\na     1\nbb    22     x');
  });
});

describe('table within a width', () => {
  const long = 'deploy it: npx cdk deploy --all (or through LZA, see the LZA guide) and confirm';

  it('narrows the widest column and wraps its cell at spaces, so no line is wider', () => {
    // Act
    const text = table(
      ['status', 'check', 'detail'],
      [
        ['FAIL', 'home stack', long],
        ['OK', 'rules', '3 rules enabled'],
      ],
      { maxWidth: 40 },
    );
    // Assess
    const lines = text.split('\n');
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(40);
    expect(lines[2]).toBe('FAIL    home stack  deploy it: npx cdk');
    expect(lines.at(-1)).toBe('OK      rules       3 rules enabled');
    expect(
      lines
        .slice(2, -1)
        .map((l) => l.slice(20))
        .join(' '),
    ).toBe(long);
  });

  it('leaves a table that fits as it is, and wraps an ARN after its colons', () => {
    // Act
    const fits = table(['a', 'b'], [['1', '2']], { maxWidth: 120 });
    const arn = table(['n', 'arn'], [['1', 'arn:aws:states:us-east-1:999999999999:execution:x']], {
      maxWidth: 20,
    });
    // Assess
    expect(fits).toBe(table(['a', 'b'], [['1', '2']]));
    expect(arn.split('\n').every((l) => l.length <= 20)).toBe(true);
    expect(arn).toContain('1  arn:aws:states:\n   us-east-1:\n   999999999999:\n   execution:x');
  });
});
