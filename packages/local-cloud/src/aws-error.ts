/**
 * An error answered on the wire as AWS would: `code` is the error code (`__type` in JSON,
 * `<Code>` in query XML). Executors may throw it to answer with a specific Step Functions error.
 */
export class AwsServiceError extends Error {
  override readonly name = 'AwsServiceError';
  readonly code: string;
  readonly status: number;
  /** Extra members of the JSON error body, e.g. Organizations' `Reason`. */
  readonly fields: Record<string, unknown>;

  constructor(code: string, message: string, status = 400, fields: Record<string, unknown> = {}) {
    super(message);
    this.code = code;
    this.status = status;
    this.fields = fields;
  }

  /** Query protocol `<Type>`: Receiver for server faults. */
  get faultType(): 'Sender' | 'Receiver' {
    return this.status >= 500 ? 'Receiver' : 'Sender';
  }
}

/** The message of anything thrown (an Error's, a string itself, else String()); no cast needed. */
export function thrownMessage(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string')
    return error.message;
  return String(error);
}
