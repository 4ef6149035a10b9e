import { describe, expect, it } from 'vitest';
import { median } from '#core/shared/statistics.ts';

describe('median', () => {
  it.each<[string, number[], number | undefined]>([
    ['the middle value of an odd-sized sample', [5, 1, 3], 3],
    ['the mean of the two middle values of an even-sized sample', [4, 1, 3, 2], 2.5],
    ['the one value of a sample of one', [7], 7],
    ['nothing for an empty sample', [], undefined],
  ])('is %s', (_name, values, expected) => {
    // Act
    const result = median(values);
    // Assess
    expect(result).toBe(expected);
  });

  it('leaves its input in the order given', () => {
    // Prepare
    const values = [3, 1, 2];
    // Act
    median(values);
    // Assess
    expect(values).toEqual([3, 1, 2]);
  });
});
