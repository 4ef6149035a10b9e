/**
 * Error taxonomy. The `name` of each class is the contract with the state machine's
 * Retry and Catch clauses, so it is set explicitly (minification would mangle it).
 */
export abstract class BootstrapperError extends Error {
  /** Whether the same call may succeed if tried again later. */
  abstract readonly retryable: boolean;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The member account's role cannot be assumed yet (not created, or IAM not yet consistent). */
export class RoleNotAssumableError extends BootstrapperError {
  override readonly name = 'RoleNotAssumableError';
  readonly retryable = true;
}

/** The role never became assumable before the configured deadline. */
export class RoleWaitTimeoutError extends BootstrapperError {
  override readonly name = 'RoleWaitTimeoutError';
  readonly retryable = false;
}

/** The preferences document is being changed by someone else, or SSM asked us to slow down. */
/**
 * The account is SUSPENDED, PENDING_CLOSURE or CLOSED (Organizations DescribeAccount State): no
 * role of it can be assumed, so the role wait ends now, as a named outcome rather than a failure.
 */
export class AccountNotActiveError extends BootstrapperError {
  override readonly name = 'AccountNotActiveError';
  readonly retryable = false;
}

export class DocumentBusyError extends BootstrapperError {
  override readonly name = 'DocumentBusyError';
  readonly retryable = true;
}

/** AWS throttled a call after the SDK's own retries were spent. */
export class ThrottlingError extends BootstrapperError {
  override readonly name = 'ThrottlingError';
  readonly retryable = true;
}

/** AWS answered with a server-side fault (5xx) after the SDK's own retries were spent. */
export class AwsTransientError extends BootstrapperError {
  override readonly name = 'AwsTransientError';
  readonly retryable = true;
}

/** A request (event, replay, CLI input) is malformed or names something that cannot exist. */
export class InvalidRequestError extends BootstrapperError {
  override readonly name = 'InvalidRequestError';
  readonly retryable = false;
}

/** The existing preferences document is not one we may safely merge into. Nothing is written. */
export class PreferencesDocumentInvalidError extends BootstrapperError {
  override readonly name = 'PreferencesDocumentInvalidError';
  readonly retryable = false;
}

/** The configuration (file or Lambda environment) is invalid. The message names the field. */
export class ConfigurationError extends BootstrapperError {
  override readonly name = 'ConfigurationError';
  readonly retryable = false;
}

/** A read-back after a write did not show the preferences we wrote. */
export class VerificationFailedError extends BootstrapperError {
  override readonly name = 'VerificationFailedError';
  readonly retryable = true;
}

/**
 * A document version ended `Failed` and could not be repaired: the version we wrote failed, or
 * there is no good version to rebuild from. Never promoted and never reported compliant.
 */
export class DocumentVersionFailedError extends BootstrapperError {
  override readonly name = 'DocumentVersionFailedError';
  readonly retryable = false;
}

/** SSM's 1,000-version limit is reached and pruning is off (or left nothing to delete). */
export class DocumentVersionLimitError extends BootstrapperError {
  override readonly name = 'DocumentVersionLimitError';
  readonly retryable = false;
}

/**
 * STS refused the management account's own credentials: unknown key (InvalidClientTokenId),
 * bad signature (SignatureDoesNotMatch), expired token (ExpiredToken). Waiting does not help.
 */
export class CredentialsRejectedError extends BootstrapperError {
  override readonly name = 'CredentialsRejectedError';
  readonly retryable = false;
}

/** STS is not activated in the region asked to issue the credentials (RegionDisabledException). */
export class StsRegionDisabledError extends BootstrapperError {
  override readonly name = 'StsRegionDisabledError';
  readonly retryable = false;
}

/** Names the state machine retries. Kept here so the ASL test can check it against the classes. */
export const RETRYABLE_ERROR_NAMES = [
  'RoleNotAssumableError',
  'DocumentBusyError',
  'ThrottlingError',
  'AwsTransientError',
  'VerificationFailedError',
] as const;

export const FATAL_ERROR_NAMES = [
  'RoleWaitTimeoutError',
  'AccountNotActiveError',
  'InvalidRequestError',
  'PreferencesDocumentInvalidError',
  'ConfigurationError',
  'DocumentVersionFailedError',
  'DocumentVersionLimitError',
  'CredentialsRejectedError',
  'StsRegionDisabledError',
] as const;

/**
 * Errors the state machines raise themselves from Fail states, once the results are recorded. No
 * handler throws them; operators, the CLI and the failure alarm's description name them.
 */
export const FAIL_STATE_ERROR_NAMES = {
  /** Bootstrap and follow-up: at least one region failed or was refused. */
  regionsFailed: 'RegionsFailedError',
  /** Sweep: a batch failed as a whole, so some accounts were not swept. */
  sweepIncomplete: 'SweepIncompleteError',
} as const;
