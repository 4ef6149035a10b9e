/**
 * A value the code holds to be present (the middle of a non-empty sample, a group a regex
 * matched, an entry just looked up): returned as present, or a clear error naming what is missing.
 * Used instead of a non-null assertion (`!`), which would carry an undefined on to fail later,
 * elsewhere, with a message that names nothing.
 */
export function required<T>(value: T | null | undefined, what: string): T {
  if (value === undefined || value === null) throw new Error(`${what} is missing`);
  return value;
}
