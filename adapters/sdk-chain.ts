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
