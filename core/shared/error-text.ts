/**
 * The name and message of anything thrown. JavaScript may throw any value (a string, a plain
 * object, undefined), and SDK v3 exceptions are objects with a `name` and a `message`: read them
 * without a cast, so a non-Error throwable still gives a line a reader can act on.
 */

function field(error: unknown, key: 'name' | 'message'): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const value = (error as Record<string, unknown>)[key];
  return typeof value === 'string' ? value : undefined;
}

/** An Error's (or error-like object's) name; 'Error' for a throwable without one. */
export function errorName(error: unknown): string {
  const name = field(error, 'name');
  return name ? name : 'Error';
}

/** An Error's message; a thrown string itself; otherwise the value as JSON, or as String() gives it. */
export function errorMessage(error: unknown): string {
  const message = field(error, 'message');
  if (message !== undefined) return message;
  if (typeof error === 'string') return error;
  if (typeof error === 'object' && error !== null) {
    try {
      const json = JSON.stringify(error);
      if (json !== undefined && json !== '{}') return json;
    } catch {
      // A cycle or a BigInt: fall back to String().
    }
  }
  return String(error);
}

/** `Name: message`, the one-line form for operators' output. */
export function describeError(error: unknown): string {
  return `${errorName(error)}: ${errorMessage(error)}`;
}
