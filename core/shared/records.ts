/** A JSON object as parsed: a record of fields, not null and not an array. */
export type JsonObject = Record<string, unknown>;

/** True for a JSON object: not null, not an array. The one is-object guard of the project. */
export function isRecord(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
