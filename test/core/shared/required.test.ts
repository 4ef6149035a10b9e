import { describe, expect, it } from 'vitest';
import { required } from '#core/shared/required.ts';

describe('required', () => {
  it('returns a present value, falsy ones included', () => {
    // Act
    const values = [required(0, 'zero'), required('', 'empty'), required(false, 'no'), required([], 'list')];
    // Assess
    expect(values).toEqual([0, '', false, []]);
  });

  it.each([undefined, null])('names what is missing when given %s', (value) => {
    expect(() => required(value, 'the middle value')).toThrow('the middle value is missing');
  });
});
