import {
  CreateAccountCommand,
  DescribeAccountCommand,
  DescribeCreateAccountStatusCommand,
  ListAccountsCommand,
  ListCreateAccountStatusCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../src/index.ts';
import {
  assumeRole,
  baseScenario,
  clientConfig,
  elapse,
  errorOf,
  eventually,
  MANAGEMENT,
  MEMBER,
  serviceEventStatus,
  startCloud,
} from '../src/testing.ts';

const LOCALE_TIMESTAMP = /^[A-Z][a-z]{2} \d{1,2}, \d{4} \d{1,2}:\d{2}:\d{2} [AP]M$/;
/** How long a test waits for the creation, in simulated time: far longer than it takes. */
const HOUR_MS = 3_600_000;

describe('Organizations account states on the timeline', () => {
  it('moves an account to SUSPENDED, then CLOSED, at its stateChanges; from then on no role of it is assumable', async () => {
    // Prepare
    const cloud = await startCloud(
      baseScenario({
        accounts: [
          {
            accountId: MEMBER,
            name: 'member',
            roles: { OrganizationAccountAccessRole: 0 },
            stateChanges: [
              { atSeconds: 10, state: 'SUSPENDED' },
              { atSeconds: 20, state: 'CLOSED' },
            ],
          },
        ],
      }),
    );
    const org = new OrganizationsClient(clientConfig(cloud));
    const describe = async () => (await org.send(new DescribeAccountCommand({ AccountId: MEMBER }))).Account;
    cloud.startTimeline();
    // Act
    const before = await describe();
    const assumedBefore = await assumeRole(cloud, MEMBER);
    await elapse(15);
    const suspended = await describe();
    const denied = await errorOf(assumeRole(cloud, MEMBER));
    await elapse(10);
    const closed = await describe();
    // Assess: State moves; the deprecated Status has no CLOSED and shows SUSPENDED.
    expect(before).toMatchObject({ State: 'ACTIVE', Status: 'ACTIVE' });
    expect(assumedBefore.accessKeyId).toBeDefined();
    expect(suspended).toMatchObject({ State: 'SUSPENDED', Status: 'SUSPENDED' });
    expect(denied.name).toBe('AccessDenied');
    expect(closed).toMatchObject({ State: 'CLOSED', Status: 'SUSPENDED' });
  });
});

describe('Organizations ListAccounts', () => {
  it('pages through every account with NextToken and MaxResults', async () => {
    // Prepare
    const accounts = Array.from({ length: 4 }, (_, i) => ({
      accountId: `20000000000${i}`,
      name: `member-${i}`,
    }));
    const cloud = await startCloud(baseScenario({ accounts }));
    const org = new OrganizationsClient(clientConfig(cloud));
    // Act
    const first = await org.send(new ListAccountsCommand({ MaxResults: 2 }));
    const second = await org.send(new ListAccountsCommand({ MaxResults: 2, NextToken: first.NextToken }));
    const third = await org.send(new ListAccountsCommand({ MaxResults: 2, NextToken: second.NextToken }));
    const bad = await errorOf(org.send(new ListAccountsCommand({ NextToken: 'garbage' })));
    // Assess
    const ids = [...first.Accounts!, ...second.Accounts!, ...third.Accounts!].map((a) => a.Id);
    expect(ids).toHaveLength(5);
    expect(new Set(ids)).toEqual(new Set([MANAGEMENT, ...accounts.map((a) => a.accountId)]));
    expect(third.NextToken).toBeUndefined();
    expect(first.Accounts?.[0]).toMatchObject({ Status: 'ACTIVE', JoinedMethod: 'CREATED' });
    expect(first.Accounts?.[0]?.Arn).toMatch(
      /^arn:aws:organizations::111111111111:account\/o-[a-z0-9]{10}\/\d{12}$/,
    );
    expect(bad.name).toBe('InvalidInputException');
  });

  it('denies member accounts with AccessDeniedException (403)', async () => {
    // Prepare
    const cloud = await startCloud();
    const member = await assumeRole(cloud, MEMBER);
    // Act
    const error = await errorOf(
      new OrganizationsClient(clientConfig(cloud, 'us-east-1', member)).send(new ListAccountsCommand({})),
    );
    // Assess
    expect(error.name).toBe('AccessDeniedException');
    expect(error.$metadata.httpStatusCode).toBe(403);
  });

  it('answers AWSOrganizationsNotInUseException for an account outside the organization', async () => {
    // Prepare
    const cloud = await startCloud(
      baseScenario({
        accessKeys: [
          { accessKeyId: 'AKIAOUTSIDER00000000', secretAccessKey: 's', accountId: '999999999999' },
        ],
      }),
    );
    const org = new OrganizationsClient(
      clientConfig(cloud, 'us-east-1', { accessKeyId: 'AKIAOUTSIDER00000000', secretAccessKey: 's' }),
    );
    // Act
    const error = await errorOf(org.send(new ListAccountsCommand({})));
    // Assess
    expect(error.name).toBe('AWSOrganizationsNotInUseException');
  });

  it('rejects unknown access keys with UnrecognizedClientException', async () => {
    // Prepare
    const cloud = await startCloud();
    const org = new OrganizationsClient(
      clientConfig(cloud, 'us-east-1', { accessKeyId: 'AKIANOPE', secretAccessKey: 'x' }),
    );
    // Act
    const error = await errorOf(org.send(new ListAccountsCommand({})));
    // Assess
    expect(error.name).toBe('UnrecognizedClientException');
    expect(error.$metadata.httpStatusCode).toBe(400);
  });
});

describe('Organizations DescribeAccount', () => {
  it('describes a member and answers AccountNotFoundException for an unknown id', async () => {
    // Prepare
    const cloud = await startCloud();
    const org = new OrganizationsClient(clientConfig(cloud));
    // Act
    const found = await org.send(new DescribeAccountCommand({ AccountId: MEMBER }));
    const missing = await errorOf(org.send(new DescribeAccountCommand({ AccountId: '444444444444' })));
    // Assess
    expect(found.Account).toMatchObject({ Id: MEMBER, Name: 'member', Status: 'ACTIVE' });
    expect(found.Account?.JoinedTimestamp).toBeInstanceOf(Date);
    expect(missing.name).toBe('AccountNotFoundException');
  });
});

describe('Organizations CreateAccount', () => {
  it('goes IN_PROGRESS to SUCCEEDED, publishes CreateAccountResult, and makes the role assumable later', async () => {
    // Prepare: 100 simulated seconds to create, role ready 100 seconds after.
    const cloud = await startCloud(
      baseScenario({ organizations: { createAccountSeconds: 100, roleReadySeconds: 100 } }),
    );
    const org = new OrganizationsClient(clientConfig(cloud));
    const events: EventEnvelope[] = [];
    cloud.bus.subscribe((event) => {
      events.push(event);
    });
    // Act
    const created = await org.send(
      new CreateAccountCommand({
        Email: 'new@example.com',
        AccountName: 'new-account',
        RoleName: 'AWSControlTowerExecution',
      }),
    );
    const id = created.CreateAccountStatus!.Id!;
    const done = await eventually(async () => {
      const status = await org.send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: id }));
      return status.CreateAccountStatus?.State === 'SUCCEEDED' ? status.CreateAccountStatus : undefined;
    }, HOUR_MS);
    const event = await cloud.bus.waitFor((e) => e.detail.eventName === 'CreateAccountResult');
    const roleArn = `arn:aws:iam::${done.AccountId}:role/AWSControlTowerExecution`;
    const sts = new STSClient(clientConfig(cloud));
    const early = await errorOf(
      sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'early' })),
    );
    await elapse(100);
    const late = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'late' }));
    // Assess
    expect(created.CreateAccountStatus).toMatchObject({ State: 'IN_PROGRESS', AccountName: 'new-account' });
    expect(id).toMatch(/^car-[0-9a-f]{32}$/);
    expect(done.AccountId).toMatch(/^\d{12}$/);
    expect(event).toMatchObject({
      version: '0',
      'detail-type': 'AWS Service Event via CloudTrail',
      source: 'aws.organizations',
      account: MANAGEMENT,
      region: 'us-east-1',
      resources: [],
    });
    expect(event.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    const detail = event.detail;
    const status = serviceEventStatus(event, 'createAccountStatus');
    expect(detail).toMatchObject({
      eventSource: 'organizations.amazonaws.com',
      eventName: 'CreateAccountResult',
      eventType: 'AwsServiceEvent',
      awsRegion: 'us-east-1',
    });
    expect(status).toMatchObject({
      id,
      state: 'SUCCEEDED',
      accountName: 'new-account',
      accountId: done.AccountId,
    });
    expect(status?.requestedTimestamp).toMatch(LOCALE_TIMESTAMP);
    expect(status?.completedTimestamp).toMatch(LOCALE_TIMESTAMP);
    expect(events.filter((e) => e.id === event.id)).toHaveLength(1);
    expect(early.name).toBe('AccessDenied');
    expect(late.AssumedRoleUser?.Arn).toContain(done.AccountId);
  });

  it('fails with EMAIL_ALREADY_EXISTS for a taken email, and the FAILED event has no account id', async () => {
    // Prepare
    const cloud = await startCloud(
      baseScenario({ organizations: { createAccountSeconds: 10, roleReadySeconds: 0 } }),
    );
    const org = new OrganizationsClient(clientConfig(cloud));
    await org.send(new CreateAccountCommand({ Email: 'dup@example.com', AccountName: 'one' }));
    // Act
    const second = await org.send(new CreateAccountCommand({ Email: 'dup@example.com', AccountName: 'two' }));
    const failed = await cloud.bus.waitFor(
      (e) => serviceEventStatus(e, 'createAccountStatus')?.state === 'FAILED',
      HOUR_MS,
    );
    const status = await org.send(
      new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: second.CreateAccountStatus!.Id }),
    );
    // Assess
    const detail = serviceEventStatus(failed, 'createAccountStatus');
    expect(detail?.failureReason).toBe('EMAIL_ALREADY_EXISTS');
    expect(detail).not.toHaveProperty('accountId');
    expect(status.CreateAccountStatus).toMatchObject({
      State: 'FAILED',
      FailureReason: 'EMAIL_ALREADY_EXISTS',
    });
  });
});

describe('Organizations ListCreateAccountStatus', () => {
  it('lists requests newest first, filtered by state', async () => {
    // Prepare
    const cloud = await startCloud(
      baseScenario({ organizations: { createAccountSeconds: 100_000, roleReadySeconds: 0 } }),
    );
    const org = new OrganizationsClient(clientConfig(cloud));
    await org.send(new CreateAccountCommand({ Email: 'a@example.com', AccountName: 'a' }));
    await org.send(new CreateAccountCommand({ Email: 'b@example.com', AccountName: 'b' }));
    // Act
    const inProgress = await org.send(new ListCreateAccountStatusCommand({ States: ['IN_PROGRESS'] }));
    const succeeded = await org.send(new ListCreateAccountStatusCommand({ States: ['SUCCEEDED'] }));
    // Assess
    expect(inProgress.CreateAccountStatuses?.map((s) => s.AccountName).sort()).toEqual(['a', 'b']);
    expect(succeeded.CreateAccountStatuses).toEqual([]);
  });
});
