import { describeError } from '#core/shared/error-text.ts';
import {
  AwsTransientError,
  CredentialsRejectedError,
  DocumentBusyError,
  StsRegionDisabledError,
  ThrottlingError,
} from '#core/shared/errors.ts';

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

export function hasName(error: unknown, ...names: string[]): boolean {
  const name = asSdkError(error).name;
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

/**
 * STS's answer to AssumeRole when the caller may not assume the role, which for a new account is
 * "not there yet". Only this name: other 403s from STS (bad key, bad signature) are not it.
 */
export function isAccessDenied(error: unknown): boolean {
  return hasName(error, 'AccessDenied');
}

/**
 * The caller's own credentials were refused: the query protocol's names (STS) and the JSON
 * protocol's (SSM, Organizations, Step Functions) for unknown key, bad signature, expired token.
 */
const CREDENTIALS_REJECTED = [
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'InvalidSignatureException',
  'IncompleteSignature',
  'ExpiredToken',
  'ExpiredTokenException',
  'RequestExpired',
  'MissingAuthenticationToken',
  'MissingAuthenticationTokenException',
];

export function isCredentialsRejected(error: unknown): boolean {
  return hasName(error, ...CREDENTIALS_REJECTED);
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

/**
 * For calls made with the management account's own credentials (STS, Organizations,
 * CodePipeline): a refused key, signature or token, or STS off in the region, is named for what
 * it is and never retried. (A member session's SSM call answered UnrecognizedClientException
 * means something else: the member account has not enabled that opt-in region.)
 */
export function classifyManagementError(error: unknown, context: string): unknown {
  const message = `${context}: ${describeError(error)}`;
  if (isCredentialsRejected(error)) return new CredentialsRejectedError(message, { cause: error });
  if (hasName(error, 'RegionDisabledException')) return new StsRegionDisabledError(message, { cause: error });
  return classifyAwsError(error, context);
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

/** A network failure under the SDK call (no HTTP answer at all), with its code; undefined otherwise. */
export function networkErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const e = current as { code?: unknown; name?: unknown; cause?: unknown; errors?: unknown };
    if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return e.code;
    if (e.name === 'TimeoutError') return 'TimeoutError';
    // Node's happy-eyeballs connect fails with an AggregateError of per-address errors.
    if (Array.isArray(e.errors) && e.errors.length > 0) current = e.errors[0];
    else current = e.cause;
  }
  return undefined;
}

/** The SDK found no credentials anywhere in its chain (or not in the named profile). */
export function isCredentialsMissing(error: unknown): boolean {
  return hasName(error, 'CredentialsProviderError');
}

/**
 * Execution names are unique per state machine for 90 days. A reused name is refused with this,
 * unless the execution is still running with the same input: then StartExecution returns it.
 */
export function isExecutionAlreadyExists(error: unknown): boolean {
  return hasName(error, 'ExecutionAlreadyExists');
}
