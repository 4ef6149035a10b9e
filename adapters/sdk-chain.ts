import { STSClient } from '@aws-sdk/client-sts';

/**
 * The region the AWS SDK's own node loaders find in the shared config file: the `region` of the
 * active profile (AWS_PROFILE, else `default`). Asked only once AWS_REGION is known to be unset,
 * so the only source left to the SDK is the profile. Undefined when the profile names none.
 */
export async function profileRegion(): Promise<string | undefined> {
  try {
    return await new STSClient({}).config.region();
  } catch {
    // "Region is missing": the profile has no region, or there is no such profile.
    return undefined;
  }
}

/**
 * Resolve the SDK's default credential chain once (environment, profile, SSO, process, web
 * identity, container and instance metadata), so a command with no usable credentials stops
 * before its first call. Throws the SDK's CredentialsProviderError.
 */
export async function resolveDefaultCredentials(region: string): Promise<void> {
  await new STSClient({ region }).config.credentials();
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
  return (error as { name?: unknown })?.name === 'CredentialsProviderError';
}
