import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

/** Renew this long before the session expires, so no call is signed with dying credentials. */
const RENEW_BEFORE_MS = 5 * 60_000;

/**
 * Credentials of a role in another account (the LZA pipeline account's read-only role), assumed
 * with the caller's own credentials on first use and again shortly before they expire.
 */
export function assumedRoleCredentials(
  sts: STSClient,
  roleArn: string,
  sessionName: string,
  now: () => number = Date.now,
): AwsCredentialIdentityProvider {
  let current: Promise<AwsCredentialIdentity> | undefined;
  let expiresMs = 0;
  const assume = async (): Promise<AwsCredentialIdentity> => {
    const { Credentials: c } = await sts.send(
      new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName }),
    );
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken)
      throw new Error(`AssumeRole into ${roleArn} returned no credentials`);
    expiresMs = c.Expiration ? c.Expiration.getTime() : now() + 15 * 60_000;
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      ...(c.Expiration ? { expiration: c.Expiration } : {}),
    };
  };
  return () => {
    if (!current || now() >= expiresMs - RENEW_BEFORE_MS) {
      current = assume();
      current.catch(() => {
        current = undefined;
      });
    }
    return current;
  };
}
