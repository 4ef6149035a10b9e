import { SeededRandom, seedFromString } from './seeded-random.ts';

/** The simulated organization: accounts, roles and CreateAccount requests. Times are simulated epoch ms. */

/** Organizations' account states a scenario may give or move an account to. */
export type AccountState = 'ACTIVE' | 'SUSPENDED' | 'PENDING_CLOSURE' | 'CLOSED';

export interface AccountRecord {
  accountId: string;
  name: string;
  email: string;
  /** DescribeAccount's State (its deprecated Status has no CLOSED: a closed account shows SUSPENDED there). */
  status: AccountState;
  joinedMethod: 'CREATED' | 'INVITED';
  organizationalUnit: string;
  isManagement: boolean;
  /** When the account exists in the simulation; undefined while not yet vended. */
  existsFromMs: number | undefined;
  /**
   * DescribeAccount's JoinedTimestamp: the join time. For vended accounts it is `existsFromMs`;
   * accounts that exist from the start joined before it (`joinedDaysAgo`).
   */
  joinedMs: number | undefined;
  /** Role name -> simulated epoch ms from which it is assumable. */
  roles: Map<string, number>;
  roleIds: Map<string, string>;
  /** How it came to be: scenario vend, API CreateAccount, or pre-existing. */
  origin: 'organizations' | 'controltower' | 'invited' | 'none' | 'api';
}

export interface CreateAccountRequest {
  id: string;
  accountName: string;
  email: string;
  requestedMs: number;
  completesAtMs: number;
  outcome: 'SUCCEEDED' | 'FAILED';
  accountId?: string;
  failureReason?: string;
}

const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

export class Organization {
  readonly #trust = new Map<string, string[]>();
  readonly managementAccountId: string;
  readonly organizationId: string;
  readonly rootId: string;
  readonly #accounts = new Map<string, AccountRecord>();
  readonly #requests = new Map<string, CreateAccountRequest>();
  readonly #ouIds = new Map<string, string>();
  readonly #random: SeededRandom;

  constructor(managementAccountId: string) {
    this.managementAccountId = managementAccountId;
    this.#random = new SeededRandom(seedFromString(`org:${managementAccountId}`));
    this.organizationId = `o-${this.#random.chars(10, LOWER_ALNUM)}`;
    this.rootId = `r-${this.#random.chars(4, LOWER_ALNUM)}`;
  }

  get arn(): string {
    return `arn:aws:organizations::${this.managementAccountId}:organization/${this.organizationId}`;
  }

  accountArn(accountId: string): string {
    return `arn:aws:organizations::${this.managementAccountId}:account/${this.organizationId}/${accountId}`;
  }

  ouId(name: string): string {
    let id = this.#ouIds.get(name);
    if (!id) {
      id = `ou-${this.rootId.slice(2)}-${this.#random.chars(8, LOWER_ALNUM)}`;
      this.#ouIds.set(name, id);
    }
    return id;
  }

  add(account: Omit<AccountRecord, 'roleIds'>): AccountRecord {
    const record: AccountRecord = { ...account, roleIds: new Map() };
    for (const role of account.roles.keys())
      record.roleIds.set(role, `AROA${this.#random.chars(17, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`);
    this.#accounts.set(account.accountId, record);
    return record;
  }

  /** A role's trust (principal ARN patterns), when it is not the management account's. */
  trustOf(accountId: string, roleName: string): string[] | undefined {
    return this.#trust.get(`${accountId}|${roleName}`);
  }

  /** The record of any account, vended yet or not. */
  record(accountId: string): AccountRecord | undefined {
    return this.#accounts.get(accountId);
  }

  /**
   * `trustedPrincipalArns`: the role's trust policy, as principal ARN patterns (`*` wildcards)
   * matched against the caller's `aws:PrincipalArn`. Without it the role trusts the management
   * account, as the member roles Organizations and Control Tower create do.
   */
  addRole(accountId: string, roleName: string, readyAtMs: number, trustedPrincipalArns?: string[]): void {
    const account = this.#accounts.get(accountId);
    if (!account) return;
    if (trustedPrincipalArns) this.#trust.set(`${accountId}|${roleName}`, [...trustedPrincipalArns]);
    account.roles.set(roleName, readyAtMs);
    if (!account.roleIds.has(roleName)) {
      account.roleIds.set(roleName, `AROA${this.#random.chars(17, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`);
    }
  }

  /** Every account record, including ones not yet vended. */
  records(): AccountRecord[] {
    return [...this.#accounts.values()];
  }

  /** Accounts in the organization at `nowMs`, in join order then id. */
  members(nowMs: number): AccountRecord[] {
    return this.records()
      .filter((a) => a.existsFromMs !== undefined && a.existsFromMs <= nowMs)
      .sort(
        (a, b) =>
          (a.existsFromMs as number) - (b.existsFromMs as number) || a.accountId.localeCompare(b.accountId),
      );
  }

  member(accountId: string, nowMs: number): AccountRecord | undefined {
    const account = this.#accounts.get(accountId);
    return account && account.existsFromMs !== undefined && account.existsFromMs <= nowMs
      ? account
      : undefined;
  }

  /** Move an account to another Organizations state (a scenario's `stateChanges`). */
  setState(accountId: string, state: AccountState): void {
    const account = this.#accounts.get(accountId);
    if (account) account.status = state;
  }

  /** A fresh 12-digit id not used by any account. */
  newAccountId(): string {
    for (;;) {
      const id = `${this.#random.int(1, 9)}${this.#random.chars(11, '0123456789')}`;
      if (!this.#accounts.has(id)) return id;
    }
  }

  newRequestId(): string {
    return `car-${this.#random.chars(32, '0123456789abcdef')}`;
  }

  addRequest(request: CreateAccountRequest): void {
    this.#requests.set(request.id, request);
  }

  request(id: string): CreateAccountRequest | undefined {
    return this.#requests.get(id);
  }

  requests(): CreateAccountRequest[] {
    return [...this.#requests.values()];
  }

  /** An email is taken by any account, existing or being created. */
  emailInUse(email: string): boolean {
    const lower = email.toLowerCase();
    return this.records().some((a) => a.email.toLowerCase() === lower);
  }
}
