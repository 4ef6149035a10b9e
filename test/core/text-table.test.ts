import { describe, expect, it } from 'vitest';
import { table } from '#core/text-table.ts';

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
