import { AwsTransientError, DocumentBusyError, ThrottlingError } from '#core/errors.ts';

/** The shape of an AWS SDK v3 service exception, read without importing any client. */
interface SdkError {
  name?: string;
  message?: string;
  $retryable?: { throttling?: boolean };
  $metadata?: { httpStatusCode?: number };
  $fault?: 'client' | 'server';
}

function asSdkError(error: unknown): SdkError {
  return typeof error === 'object' && error !== null ? (error as SdkError) : {};
}

export function errorName(error: unknown): string | undefined {
  return asSdkError(error).name;
}

export function hasName(error: unknown, ...names: string[]): boolean {
  const name = errorName(error);
  return name !== undefined && names.includes(name);
}

const THROTTLING_NAMES = [
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ThrottledException',
  'RequestThrottledException',
];

export function isThrottling(error: unknown): boolean {
  const e = asSdkError(error);
  return e.$retryable?.throttling === true || hasName(error, ...THROTTLING_NAMES);
}

export function isAccessDenied(error: unknown): boolean {
  return (
    hasName(error, 'AccessDenied', 'AccessDeniedException') ||
    asSdkError(error).$metadata?.httpStatusCode === 403
  );
}

export function isServerFault(error: unknown): boolean {
  const e = asSdkError(error);
  const status = e.$metadata?.httpStatusCode ?? 0;
  return e.$fault === 'server' || status >= 500;
}

/**
 * Map an SDK error that outlived the SDK's own retries onto the taxonomy the state machine
 * retries on. Anything else is returned unchanged and propagates under its own name.
 */
export function classifyAwsError(error: unknown, context: string): unknown {
  const message = `${context}: ${asSdkError(error).message ?? String(error)}`;
  // SSM's TooManyUpdates is not in the SDK's throttling list.
  if (hasName(error, 'TooManyUpdates')) return new DocumentBusyError(message, { cause: error });
  if (isThrottling(error)) return new ThrottlingError(message, { cause: error });
  if (isServerFault(error)) return new AwsTransientError(message, { cause: error });
  return error;
}
