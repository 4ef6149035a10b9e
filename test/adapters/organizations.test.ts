import {
  type Account,
  DescribeAccountCommand,
  ListAccountsCommand,
  type ListAccountsCommandInput,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { LIST_ACCOUNTS_PAGE_SIZE, OrganizationDirectory } from '#adapters/organizations.ts';
import { AwsTransientError, InvalidRequestError, ThrottlingError } from '#core/shared/errors.ts';

const organizations = mockClient(OrganizationsClient);

function sdkError(name: string, status = 400) {
  return Object.assign(new Error(`${name} happened`), {
    name,
    $metadata: { httpStatusCode: status },
    $fault: status >= 500 ? 'server' : 'client',
  });
}

function directory() {
  return new OrganizationDirectory(new OrganizationsClient({ region: 'us-east-1', maxAttempts: 1 }));
}

function account(n: number, state = 'ACTIVE'): Account {
  const id = String(100_000_000_000 + n);
  return { Id: id, Name: `account-${n}`, State: state as Account['State'] };
}

/**
 * An organization served in pages of the given sizes, each page but the last carrying a
 * NextToken (`t<index of the next page>`).
 */
function organization(pageSizes: readonly number[]) {
  let next = 0;
  const pages = pageSizes.map((size, index) => {
    const accounts = Array.from({ length: size }, (_, i) => account(next + i));
    next += size;
    return {
      Accounts: accounts,
      ...(index < pageSizes.length - 1 ? { NextToken: `t${index + 1}` } : {}),
    };
  });
  organizations.on(ListAccountsCommand).callsFake((input: ListAccountsCommandInput) => {
    const index = input.NextToken ? Number(input.NextToken.slice(1)) : 0;
    const page = pages[index];
    if (!page) throw sdkError('InvalidInputException');
    return page;
  });
  return { total: next };
}

const fullPages = (count: number) => Array.from({ length: count }, () => LIST_ACCOUNTS_PAGE_SIZE);

function listCalls() {
  return organizations.commandCalls(ListAccountsCommand).map((call) => call.args[0].input);
}

describe('OrganizationDirectory.page', () => {
  beforeEach(() => {
    organizations.reset();
  });

  it('asks for a full page without a token, and returns the next token', async () => {
    // Prepare
    organization([20, 20]);
    // Act
    const page = await directory().page();
    // Assess
    expect(page.accounts).toHaveLength(20);
    expect(page.nextToken).toBe('t1');
    expect(listCalls()).toEqual([{ MaxResults: 20 }]);
  });

  it('passes the token through and leaves nextToken out on the last page', async () => {
    // Prepare
    organization([20, 7]);
    // Act
    const page = await directory().page('t1');
    // Assess
    expect(page.accounts).toHaveLength(7);
    expect(page).not.toHaveProperty('nextToken');
    expect(listCalls()).toEqual([{ NextToken: 't1', MaxResults: 20 }]);
  });

  it('maps State (else the older Status) and drops accounts without an id', async () => {
    // Prepare
    organizations.on(ListAccountsCommand).resolves({
      Accounts: [
        { Id: '111111111111', Name: 'one', State: 'ACTIVE', Status: 'SUSPENDED' },
        { Id: '222222222222', Name: 'two', Status: 'SUSPENDED' },
        { Id: '333333333333', State: 'PENDING_CLOSURE' },
        { Id: '444444444444', Name: 'four' },
        { Name: 'no id', State: 'ACTIVE' },
      ],
    });
    // Act
    const page = await directory().page();
    // Assess
    expect(page.accounts).toEqual([
      { accountId: '111111111111', name: 'one', state: 'ACTIVE' },
      { accountId: '222222222222', name: 'two', state: 'SUSPENDED' },
      { accountId: '333333333333', name: '', state: 'PENDING_CLOSURE' },
      { accountId: '444444444444', name: 'four', state: 'UNKNOWN' },
    ]);
  });

  it('treats a page without Accounts as empty', async () => {
    // Prepare
    organizations.on(ListAccountsCommand).resolves({ NextToken: 'more' });
    // Act
    const page = await directory().page();
    // Assess
    expect(page).toEqual({ accounts: [], nextToken: 'more' });
  });

  it.each([
    { code: 'TooManyRequestsException', status: 400, expected: ThrottlingError },
    { code: 'ServiceException', status: 500, expected: AwsTransientError },
  ])('classifies $code ($status) as $expected.name', async ({ code, status, expected }) => {
    // Prepare
    organizations.on(ListAccountsCommand).rejects(sdkError(code, status));
    // Act
    const listing = directory().page();
    // Assess
    await expect(listing).rejects.toBeInstanceOf(expected);
    await expect(listing).rejects.toThrow(/^ListAccounts: /);
  });

  it('lets other errors through under their own name', async () => {
    // Prepare
    organizations.on(ListAccountsCommand).rejects(sdkError('AccessDeniedException', 403));
    // Act
    const listing = directory().page();
    // Assess
    await expect(listing).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });
});

describe('OrganizationDirectory.batch', () => {
  beforeEach(() => {
    organizations.reset();
  });

  it('stops at the limit with full pages: 200 accounts out of 300, token kept', async () => {
    // Prepare
    organization(fullPages(15));
    // Act
    const batch = await directory().batch(200);
    // Assess
    expect(batch.accounts).toHaveLength(200);
    expect(batch.nextToken).toBe('t10');
    expect(listCalls()).toHaveLength(10);
  });

  it('continues from the token where the previous batch stopped, and ends without one', async () => {
    // Prepare
    const { total } = organization(fullPages(15));
    const first = await directory().batch(200);
    organizations.resetHistory();
    // Act
    const second = await directory().batch(200, first.nextToken);
    // Assess
    expect(second.accounts).toHaveLength(100);
    expect(second).not.toHaveProperty('nextToken');
    expect(listCalls()[0]).toEqual({ NextToken: 't10', MaxResults: 20 });
    const ids = new Set([...first.accounts, ...second.accounts].map((a) => a.accountId));
    expect(ids.size).toBe(total);
  });

  it('stops before a page that might not fit: 40 accounts for a limit of 50', async () => {
    // Prepare
    organization(fullPages(5));
    // Act
    const batch = await directory().batch(50);
    // Assess
    expect(batch.accounts).toHaveLength(40);
    expect(batch.nextToken).toBe('t2');
  });

  it('follows short and empty pages that still carry a NextToken', async () => {
    // Prepare
    organization([20, 5, 0, 0, 13, 20, 1]);
    // Act
    const batch = await directory().batch(200);
    // Assess
    expect(batch.accounts).toHaveLength(59);
    expect(batch).not.toHaveProperty('nextToken');
    expect(listCalls()).toHaveLength(7);
  });

  it('follows an empty first page and still stops at the limit', async () => {
    // Prepare
    organization([0, 20, 20]);
    // Act
    const batch = await directory().batch(20);
    // Assess
    expect(batch.accounts).toHaveLength(20);
    expect(batch.nextToken).toBe('t2');
  });

  it('property: never more than the limit with pages of up to 20, every account listed once over the batches', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: LIST_ACCOUNTS_PAGE_SIZE }), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: LIST_ACCOUNTS_PAGE_SIZE, max: 200 }),
        async (pageSizes, limit) => {
          organizations.reset();
          const { total } = organization(pageSizes);
          const seen: string[] = [];
          let token: string | undefined;
          let batches = 0;
          do {
            const batch = await directory().batch(limit, token);
            expect(batch.accounts.length).toBeLessThanOrEqual(limit);
            seen.push(...batch.accounts.map((a) => a.accountId));
            token = batch.nextToken;
            batches += 1;
          } while (token && batches <= pageSizes.length);
          expect(token).toBeUndefined();
          expect(seen).toHaveLength(total);
          expect(new Set(seen).size).toBe(total);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('fails with the page error, classified', async () => {
    // Prepare
    organizations
      .on(ListAccountsCommand)
      .resolvesOnce({ Accounts: [account(1)], NextToken: 't1' })
      .rejects(sdkError('TooManyRequestsException'));
    // Act
    const batch = directory().batch(200);
    // Assess
    await expect(batch).rejects.toBeInstanceOf(ThrottlingError);
  });
});

describe('OrganizationDirectory.list', () => {
  beforeEach(() => {
    organizations.reset();
  });

  it('follows every page, however many, like batch(Infinity)', async () => {
    // Prepare
    const { total } = organization([...fullPages(30), 0, 3]);
    // Act
    const all = await directory().list();
    organizations.resetHistory();
    const unlimited = await directory().batch(Number.POSITIVE_INFINITY);
    // Assess
    expect(total).toBe(603);
    expect(all).toHaveLength(603);
    expect(unlimited).toEqual({ accounts: all });
    expect(listCalls()).toHaveLength(32);
  });
});

describe('OrganizationDirectory.describe', () => {
  beforeEach(() => {
    organizations.reset();
  });

  it('returns the member account', async () => {
    // Prepare
    organizations
      .on(DescribeAccountCommand, { AccountId: '111111111111' })
      .resolves({ Account: { Id: '111111111111', Name: 'workload', State: 'SUSPENDED' } });
    // Act
    const member = await directory().describe('111111111111');
    // Assess
    expect(member).toEqual({ accountId: '111111111111', name: 'workload', state: 'SUSPENDED' });
  });

  it('maps AccountNotFoundException to InvalidRequestError, keeping the cause', async () => {
    // Prepare
    const notFound = sdkError('AccountNotFoundException');
    organizations.on(DescribeAccountCommand).rejects(notFound);
    // Act
    const describing = directory().describe('111111111111');
    // Assess
    await expect(describing).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(describing).rejects.toThrow('account 111111111111 is not a member of this organization');
    await expect(describing).rejects.toMatchObject({ cause: notFound });
  });

  it('is InvalidRequestError when DescribeAccount answers without an account', async () => {
    // Prepare
    organizations.on(DescribeAccountCommand).resolves({});
    // Act / Assess
    await expect(directory().describe('111111111111')).rejects.toBeInstanceOf(InvalidRequestError);
  });

  it('rejects a malformed account id without calling Organizations', async () => {
    // Act
    const describing = directory().describe('12345');
    // Assess
    await expect(describing).rejects.toBeInstanceOf(InvalidRequestError);
    expect(organizations).toHaveReceivedCommandTimes(DescribeAccountCommand, 0);
  });

  it.each([
    { code: 'TooManyRequestsException', status: 400, expected: ThrottlingError },
    { code: 'ServiceException', status: 500, expected: AwsTransientError },
  ])('classifies $code ($status) as $expected.name', async ({ code, status, expected }) => {
    // Prepare
    organizations.on(DescribeAccountCommand).rejects(sdkError(code, status));
    // Act
    const describing = directory().describe('111111111111');
    // Assess
    await expect(describing).rejects.toBeInstanceOf(expected);
    await expect(describing).rejects.toThrow(/^DescribeAccount 111111111111: /);
  });

  it('lets AccessDeniedException through under its own name', async () => {
    // Prepare
    organizations.on(DescribeAccountCommand).rejects(sdkError('AccessDeniedException', 403));
    // Act / Assess
    await expect(directory().describe('111111111111')).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
  });
});
