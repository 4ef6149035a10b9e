import {
  type Account,
  DescribeAccountCommand,
  ListAccountsCommand,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { assertAccountId } from '#core/arn.ts';
import { InvalidRequestError } from '#core/errors.ts';
import { classifyAwsError, hasName } from './aws-errors.ts';

export interface MemberAccount {
  accountId: string;
  name: string;
  /** ACTIVE, SUSPENDED, PENDING_CLOSURE (from State, or the older Status). */
  state: string;
}

function toMember(account: Account): MemberAccount | undefined {
  if (!account.Id) return undefined;
  return {
    accountId: account.Id,
    name: account.Name ?? '',
    state: account.State ?? account.Status ?? 'UNKNOWN',
  };
}

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
      throw classifyAwsError(error, `DescribeAccount ${accountId}`);
    }
  }

  /** Every account of the organization, following pagination. */
  async list(): Promise<MemberAccount[]> {
    const accounts: MemberAccount[] = [];
    let NextToken: string | undefined;
    do {
      try {
        const page = await this.#client.send(new ListAccountsCommand({ NextToken, MaxResults: 20 }));
        for (const account of page.Accounts ?? []) {
          const member = toMember(account);
          if (member) accounts.push(member);
        }
        NextToken = page.NextToken;
      } catch (error) {
        throw classifyAwsError(error, 'ListAccounts');
      }
    } while (NextToken);
    return accounts;
  }
}
