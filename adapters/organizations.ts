import {
  type Account,
  DescribeAccountCommand,
  ListAccountsCommand,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { assertAccountId } from '#core/shared/arn.ts';
import { InvalidRequestError } from '#core/shared/errors.ts';
import { classifyManagementError, hasName } from './aws-errors.ts';

export interface MemberAccount {
  accountId: string;
  name: string;
  /** ACTIVE, SUSPENDED, PENDING_CLOSURE (from State, or the older Status). */
  state: string;
  /** CREATED or INVITED. */
  joinedMethod?: string;
  /** ISO-8601: when the account joined the organization (created or accepted an invitation). */
  joinedAt?: string;
}

function toMember(account: Account): MemberAccount | undefined {
  if (!account.Id) return undefined;
  return {
    accountId: account.Id,
    name: account.Name ?? '',
    state: account.State ?? account.Status ?? 'UNKNOWN',
    ...(account.JoinedMethod ? { joinedMethod: account.JoinedMethod } : {}),
    ...(account.JoinedTimestamp ? { joinedAt: account.JoinedTimestamp.toISOString() } : {}),
  };
}

/** The most ListAccounts returns per call. */
export const LIST_ACCOUNTS_PAGE_SIZE = 20;

/** Organizations, read-only, from the management account. */
export class OrganizationDirectory {
  readonly #client: OrganizationsClient;

  constructor(client: OrganizationsClient) {
    this.#client = client;
  }

  /** The account, or InvalidRequestError if it is not a member of this organization. */
  async describe(accountId: string): Promise<MemberAccount> {
    assertAccountId(accountId);
    try {
      const { Account } = await this.#client.send(new DescribeAccountCommand({ AccountId: accountId }));
      const member = Account && toMember(Account);
      if (!member) throw new InvalidRequestError(`account ${accountId} is not a member of this organization`);
      return member;
    } catch (error) {
      if (hasName(error, 'AccountNotFoundException')) {
        throw new InvalidRequestError(`account ${accountId} is not a member of this organization`, {
          cause: error,
        });
      }
      throw classifyManagementError(error, `DescribeAccount ${accountId}`);
    }
  }

  /** The account's State, or undefined when it cannot be read now (a check that may be skipped). */
  async stateOf(accountId: string): Promise<string | undefined> {
    return this.describe(accountId).then(
      (member) => member.state,
      () => undefined,
    );
  }

  /** One page of ListAccounts (Organizations returns at most 20 per call). */
  async page(nextToken?: string): Promise<{ accounts: MemberAccount[]; nextToken?: string }> {
    try {
      const page = await this.#client.send(
        new ListAccountsCommand({
          ...(nextToken ? { NextToken: nextToken } : {}),
          MaxResults: LIST_ACCOUNTS_PAGE_SIZE,
        }),
      );
      const accounts = (page.Accounts ?? []).map(toMember).filter((m) => m !== undefined);
      return { accounts, ...(page.NextToken ? { nextToken: page.NextToken } : {}) };
    } catch (error) {
      throw classifyManagementError(error, 'ListAccounts');
    }
  }

  /**
   * Pages while another full page still fits in `limit` accounts (always at least one page); the
   * returned token continues the listing. A sweep lists a large organization in batches this way.
   */
  async batch(limit: number, nextToken?: string): Promise<{ accounts: MemberAccount[]; nextToken?: string }> {
    const accounts: MemberAccount[] = [];
    let token = nextToken;
    do {
      const page = await this.page(token);
      accounts.push(...page.accounts);
      token = page.nextToken;
    } while (token && accounts.length + LIST_ACCOUNTS_PAGE_SIZE <= limit);
    return { accounts, ...(token ? { nextToken: token } : {}) };
  }

  /** Every account of the organization, following pagination. */
  async list(): Promise<MemberAccount[]> {
    return (await this.batch(Number.POSITIVE_INFINITY)).accounts;
  }
}
