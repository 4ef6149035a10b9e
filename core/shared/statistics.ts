import { required } from './required.ts';

/**
 * The median: the middle value, or the mean of the two middle values of an even-sized sample.
 * Undefined for an empty sample, so that a caller must say what "no data" shows as.
 */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const middle = required(sorted[mid], 'the middle value of a non-empty sample');
  return sorted.length % 2 ? middle : (required(sorted[mid - 1], 'the lower middle value') + middle) / 2;
}
