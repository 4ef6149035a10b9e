/**
 * The median: the middle value, or the mean of the two middle values of an even-sized sample.
 * Undefined for an empty sample, so that a caller must say what "no data" shows as.
 */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
