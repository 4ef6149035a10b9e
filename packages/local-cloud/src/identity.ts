import { randomBytes } from 'node:crypto';
import type { PolicyDocument } from './iam-policy.ts';

/** Who a request acts as. */
export interface Principal {
  kind: 'user' | 'assumed-role';
  accountId: string;
  arn: string;
  /** GetCallerIdentity UserId: `AIDA…` for users, `AROA…:session` for role sessions. */
  userId: string;
  roleName?: string;
  roleArn?: string;
  sessionName?: string;
  sessionPolicy?: PolicyDocument;
  /**
   * The identity-based policies of the principal's role, when the deployer registered them: then a
   * request needs an Allow from one of them, as in IAM. Without them the principal is unrestricted
   * (the local cloud's administrator keys).
   */
  identityPolicies?: PolicyDocument[];
  /** Simulated epoch ms after which the credentials are expired. */
  expiresAtMs?: number;
}

export interface CredentialRecord {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  principal: Principal;
}

const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function randomChars(length: number, alphabet: string): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += alphabet[byte % alphabet.length];
  return out;
}

/** An IAM unique id (`AIDA…`, `AROA…`, `ASIA…`): prefix plus 16/17 base32 characters. */
export function uniqueId(prefix: 'AIDA' | 'AROA' | 'ASIA' | 'AKIA'): string {
  return `${prefix}${randomChars(prefix === 'ASIA' || prefix === 'AKIA' ? 16 : 17, UPPER_ALNUM)}`;
}

export class CredentialStore {
  readonly #byKey = new Map<string, CredentialRecord>();

  addLongTermKey(accessKeyId: string, secretAccessKey: string, accountId: string, userName: string): void {
    this.#byKey.set(accessKeyId, {
      accessKeyId,
      secretAccessKey,
      principal: {
        kind: 'user',
        accountId,
        arn: `arn:aws:iam::${accountId}:user/${userName}`,
        userId: uniqueId('AIDA'),
      },
    });
  }

  /**
   * Keys for a role of `accountId` with identity policies, as Lambda hands a function its execution
   * role's credentials: the deployer chooses the keys and registers them with the deployment.
   */
  addRoleKey(
    accessKeyId: string,
    secretAccessKey: string,
    accountId: string,
    roleName: string,
    identityPolicies: PolicyDocument[],
  ): void {
    this.#byKey.set(accessKeyId, {
      accessKeyId,
      secretAccessKey,
      principal: {
        kind: 'assumed-role',
        accountId,
        arn: `arn:aws:sts::${accountId}:assumed-role/${roleName}/${roleName}`,
        userId: `${uniqueId('AROA')}:${roleName}`,
        roleName,
        roleArn: `arn:aws:iam::${accountId}:role/${roleName}`,
        sessionName: roleName,
        identityPolicies,
      },
    });
  }

  issueSession(principal: Principal): CredentialRecord {
    const record: CredentialRecord = {
      accessKeyId: uniqueId('ASIA'),
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: `IQoJb3JpZ2luX2VjE${randomBytes(180).toString('base64')}`,
      principal,
    };
    this.#byKey.set(record.accessKeyId, record);
    return record;
  }

  find(accessKeyId: string): CredentialRecord | undefined {
    return this.#byKey.get(accessKeyId);
  }

  /** Active temporary sessions (for state inspection; never includes secrets). */
  sessions(): Principal[] {
    return [...this.#byKey.values()].filter((r) => r.sessionToken).map((r) => r.principal);
  }
}
