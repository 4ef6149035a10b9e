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
