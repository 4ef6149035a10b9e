import type { SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import { assertAccountId, partitionOf, preferencesDocumentArn, roleArn } from '#core/shared/arn.ts';
import {
  ConfigurationError,
  CredentialsRejectedError,
  RoleNotAssumableError,
  StsRegionDisabledError,
} from '#core/shared/errors.ts';
import { classifyManagementError, isAccessDenied } from './aws-errors.ts';
import { createClient } from './clients.ts';

/**
 * Read-only sessions (check, plan, verify) cannot write even if the code tried; write sessions
 * (apply, repair) cannot delete; only a prune session, opened when a write meets SSM's version
 * limit and pruning is on, may delete old versions, and it can do nothing else.
 */
export type SessionAccess = 'read' | 'write' | 'prune';

const READ_ACTIONS = ['ssm:GetDocument', 'ssm:DescribeDocument', 'ssm:ListDocumentVersions'];
const WRITE_ACTIONS = ['ssm:CreateDocument', 'ssm:UpdateDocument', 'ssm:UpdateDocumentDefaultVersion'];
const SESSION_ACTIONS: Record<SessionAccess, string[]> = {
  read: READ_ACTIONS,
  write: [...READ_ACTIONS, ...WRITE_ACTIONS],
  prune: ['ssm:ListDocumentVersions', 'ssm:DeleteDocument'],
};

/**
 * The inline session policy. The session gets the intersection of this and the (administrator)
 * member role: only the document actions of its access, only on SSM-SessionManagerRunShell, in
 * any region.
 */
export function sessionPolicy(partition: string, accountId: string, access: SessionAccess): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'RunAsPreferencesDocumentOnly',
        Effect: 'Allow',
        Action: SESSION_ACTIONS[access],
        Resource: preferencesDocumentArn(partition as never, accountId),
      },
    ],
  });
}

export interface MemberSession {
  readonly accountId: string;
  readonly roleName: string;
  readonly access: SessionAccess;
  /** An SSM client in `region` that acts in the member account under the scoped session. */
  ssm(region: string): SSMClient;
}

export interface MemberSessionsOptions {
  /** STS client of the management account. */
  sts: STSClient;
  /** Region of the STS client; decides the partition of every ARN. */
  region: string;
  /** Tried in order; the first one that can be assumed wins. */
  roleNames: readonly string[];
  sessionName?: string;
  durationSeconds?: number;
  /** Credentials are reused until this long before they expire. */
  refreshMarginSeconds?: number;
  endpoint?: string;
  now?: () => number;
  /** Whether prune sessions may be opened (config documentVersionPruning.enabled). */
  pruneVersions?: boolean;
  /**
   * The SSM client class for `session.ssm()`. Passed in rather than imported, so that a Lambda
   * bundle that only proves the role (await-role) does not carry the SSM client.
   */
  SSMClient?: typeof SSMClient;
}

interface CachedCredentials {
  roleName: string;
  credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string };
  expiresAt: number;
}

/**
 * Opens scoped sessions in member accounts. Credentials live only inside this object: they are
 * never logged, returned to a caller or put into state-machine state.
 */
export class MemberSessions {
  readonly #options: Required<Omit<MemberSessionsOptions, 'endpoint' | 'SSMClient'>> &
    Pick<MemberSessionsOptions, 'endpoint' | 'SSMClient'>;
  readonly #cache = new Map<string, CachedCredentials>();
  /** AssumeRole calls in flight: concurrent opens of the same session share one. */
  readonly #pending = new Map<string, Promise<CachedCredentials>>();

  constructor(options: MemberSessionsOptions) {
    this.#options = {
      sessionName: 'runas-bootstrapper',
      durationSeconds: 900,
      refreshMarginSeconds: 120,
      now: Date.now,
      pruneVersions: true,
      ...options,
    };
  }

  /**
   * Assume the first configured role that works (or the first of `roles`, a subset: AwaitRole
   * tries one role per attempt). AccessDenied on every role means the account's role is not
   * assumable yet: RoleNotAssumableError, which the state machine retries.
   */
  async open(
    accountId: string,
    access: SessionAccess = 'write',
    options: { roles?: readonly string[] } = {},
  ): Promise<MemberSession> {
    assertAccountId(accountId);
    if (access === 'prune' && !this.#options.pruneVersions) {
      throw new ConfigurationError('documentVersionPruning is off: no session may delete document versions');
    }
    const roles = options.roles ?? this.#options.roleNames;
    const unknown = roles.filter((name) => !this.#options.roleNames.includes(name));
    if (unknown.length > 0 || roles.length === 0)
      throw new ConfigurationError(`roles ${unknown.join(', ')} are not among memberRoleNames`);
    const cacheKey = `${accountId}/${access}`;
    const cached = this.#cache.get(cacheKey);
    if (cached && cached.expiresAt - this.#options.refreshMarginSeconds * 1000 > this.#options.now()) {
      return this.#session(accountId, access, cached);
    }
    this.#cache.delete(cacheKey);
    // The regions of one account are enforced in parallel: one AssumeRole serves them all.
    let pending = this.#pending.get(cacheKey);
    if (!pending) {
      pending = this.#assume(accountId, access, roles).finally(() => this.#pending.delete(cacheKey));
      this.#pending.set(cacheKey, pending);
    }
    const entry = await pending;
    this.#cache.set(cacheKey, entry);
    return this.#session(accountId, access, entry);
  }

  async #assume(
    accountId: string,
    access: SessionAccess,
    roles: readonly string[],
  ): Promise<CachedCredentials> {
    const now = this.#options.now();
    const partition = partitionOf(this.#options.region);
    const denied: string[] = [];
    for (const roleName of roles) {
      try {
        const result = await this.#options.sts.send(
          new AssumeRoleCommand({
            RoleArn: roleArn(partition, accountId, roleName),
            RoleSessionName: this.#options.sessionName,
            DurationSeconds: this.#options.durationSeconds,
            Policy: sessionPolicy(partition, accountId, access),
          }),
        );
        const c = result.Credentials;
        if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) {
          throw new Error(`AssumeRole into ${roleName} returned no credentials`);
        }
        return {
          roleName,
          credentials: {
            AccessKeyId: c.AccessKeyId,
            SecretAccessKey: c.SecretAccessKey,
            SessionToken: c.SessionToken,
          },
          expiresAt: c.Expiration?.getTime() ?? now + this.#options.durationSeconds * 1000,
        };
      } catch (error) {
        // Only AccessDenied means "not ready yet". A refused key, signature or token, or STS
        // off in this region, is the management side's problem: fail now, naming the cause.
        if (isAccessDenied(error)) {
          denied.push(roleName);
          continue;
        }
        const classified = classifyManagementError(error, `AssumeRole ${roleName} in ${accountId}`);
        if (classified instanceof CredentialsRejectedError) {
          throw new CredentialsRejectedError(
            `STS refused the management account's credentials (not the member role): ${classified.message}`,
            { cause: error },
          );
        }
        if (classified instanceof StsRegionDisabledError) {
          throw new StsRegionDisabledError(
            `STS is not activated in ${this.#options.region} for this account; activate it in IAM account settings or use another region: ${classified.message}`,
            { cause: error },
          );
        }
        throw classified;
      }
    }
    throw new RoleNotAssumableError(
      `none of the roles ${denied.join(', ')} can be assumed in account ${accountId} yet (AccessDenied)`,
    );
  }

  #session(accountId: string, access: SessionAccess, entry: CachedCredentials): MemberSession {
    const { endpoint, SSMClient: Client } = this.#options;
    const credentials = {
      accessKeyId: entry.credentials.AccessKeyId,
      secretAccessKey: entry.credentials.SecretAccessKey,
      sessionToken: entry.credentials.SessionToken,
      expiration: new Date(entry.expiresAt),
    };
    const clients = new Map<string, SSMClient>();
    return {
      accountId,
      roleName: entry.roleName,
      access,
      ssm(region: string) {
        let client = clients.get(region);
        if (!client) {
          if (!Client) throw new TypeError('MemberSessions was created without an SSMClient class');
          client = createClient(Client, 'ssm', { region, credentials, ...(endpoint ? { endpoint } : {}) });
          clients.set(region, client);
        }
        return client;
      },
      toJSON: () => ({ accountId, roleName: entry.roleName, access }),
    } as MemberSession;
  }
}
