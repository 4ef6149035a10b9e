import {
  CreateAccountCommand,
  DescribeAccountCommand,
  ListAccountsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
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

const ORG_VENDED = '555555555555';
const CT_VENDED = '666666666666';
const INVITED = '777777777777';
const DAY_MS = 86_400_000;
/** How long a test waits for an event, in simulated time: longer than any timeline below. */
const HOUR_MS = 3_600_000;

/** Events carry second resolution; the API carries milliseconds. */
function secondIso(date: Date): string {
  return new Date(Math.floor(date.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function eventsNamed(events: readonly EventEnvelope[], name: string): EventEnvelope[] {
  return events.filter((e) => e.detail.eventName === name);
}

function joinDetails(event: EventEnvelope): Record<string, unknown> {
  return event.detail.serviceEventDetails as Record<string, unknown>;
}

describe('AccountJoinedOrganization (docs/aws-behaviour.md#accountjoinedorganization-event)', () => {
  it('publishes a Created join for every CreateAccount: organizations and controltower vends, and the API', async () => {
    // Prepare
    const cloud = await startCloud(
      baseScenario({
        homeRegion: 'eu-west-1',
        organizations: { createAccountSeconds: 10 },
        accounts: [
          { accountId: ORG_VENDED, name: 'org', vend: { atSeconds: 0, via: 'organizations', deliveries: 2 } },
          {
            accountId: CT_VENDED,
            name: 'ct',
            vend: { atSeconds: 5, via: 'controltower', enrollSeconds: 30 },
          },
          {
            accountId: '888888888888',
            name: 'failed',
            vend: { atSeconds: 0, via: 'organizations', failureReason: 'EMAIL_ALREADY_EXISTS' },
          },
        ],
      }),
    );
    const org = new OrganizationsClient(clientConfig(cloud));
    // Act
    cloud.startTimeline();
    const created = await org.send(
      new CreateAccountCommand({ Email: 'api@example.com', AccountName: 'api' }),
    );
    await cloud.bus.waitFor((e) => e.detail.eventName === 'CreateManagedAccount', HOUR_MS);
    await eventually(
      () => (eventsNamed(cloud.bus.history(), 'AccountJoinedOrganization').length >= 4 ? true : undefined),
      HOUR_MS,
    );
    await elapse(20);
    const status = await org.send(new ListAccountsCommand({}));
    // Assess
    const history = cloud.bus.history();
    const joins = eventsNamed(history, 'AccountJoinedOrganization');
    const apiAccount = status.Accounts?.find((a) => a.Name === 'api')?.Id;
    expect(created.CreateAccountStatus?.State).toBe('IN_PROGRESS');
    // One per successful create (the org vend twice: deliveries 2); none for the failed vend.
    expect(joins.map((e) => joinDetails(e).accountId).sort()).toEqual(
      [ORG_VENDED, ORG_VENDED, CT_VENDED, apiAccount].sort(),
    );
    expect(eventsNamed(history, 'CreateAccountResult')).toHaveLength(5);
    for (const join of joins) {
      expect(join).toMatchObject({
        source: 'aws.organizations',
        region: 'us-east-1',
        account: MANAGEMENT,
        'detail-type': 'AWS Service Event via CloudTrail',
        detail: {
          eventSource: 'organizations.amazonaws.com',
          eventName: 'AccountJoinedOrganization',
          eventType: 'AwsServiceEvent',
          serviceEventDetails: { joinedMethod: 'CREATED' },
        },
      });
      expect(join.detail.eventTime).toBe(joinDetails(join).joinedTimestamp);
    }
    const [first, second] = eventsNamed(history, 'AccountJoinedOrganization').filter(
      (e) => joinDetails(e).accountId === ORG_VENDED,
    );
    expect(second!.id).toBe(first!.id);
  });

  it('sends the join at the same moment as CreateAccountResult, or joinEventDelaySeconds later, or not at all', async () => {
    // Prepare
    const accounts = [
      {
        accountId: ORG_VENDED,
        name: 'org',
        vend: { atSeconds: 0, via: 'organizations' as const, createSeconds: 10 },
      },
    ];
    const prompt = await startCloud(baseScenario({ accounts }));
    const delayed = await startCloud(
      baseScenario({ accounts, organizations: { joinEventDelaySeconds: 120 } }),
    );
    const silent = await startCloud(baseScenario({ accounts, organizations: { emitJoinEvents: false } }));
    // Act
    for (const cloud of [prompt, delayed, silent]) cloud.startTimeline();
    const promptJoin = await prompt.bus.waitFor(
      (e) => e.detail.eventName === 'AccountJoinedOrganization',
      HOUR_MS,
    );
    const delayedJoin = await delayed.bus.waitFor(
      (e) => e.detail.eventName === 'AccountJoinedOrganization',
      HOUR_MS,
    );
    await silent.bus.waitFor((e) => e.detail.eventName === 'CreateAccountResult', HOUR_MS);
    await elapse(200);
    // Assess
    const promptResult = eventsNamed(prompt.bus.history(), 'CreateAccountResult')[0]!;
    expect(promptJoin.time).toBe(promptResult.time);
    const delayedResult = eventsNamed(delayed.bus.history(), 'CreateAccountResult')[0]!;
    expect(Date.parse(delayedJoin.time) - Date.parse(delayedResult.time)).toBe(120_000);
    // The join time stays the creation time; only the event is later.
    expect(joinDetails(delayedJoin).joinedTimestamp).toBe(delayedResult.time);
    expect(eventsNamed(silent.bus.history(), 'AccountJoinedOrganization')).toEqual([]);
  });
});

describe('DescribeAccount JoinedMethod and JoinedTimestamp (docs/aws-behaviour.md#join-method-and-join-time)', () => {
  it('reports the real join for the management account, old members and vended members', async () => {
    // Prepare
    const cloud = await startCloud(
      baseScenario({
        accounts: [
          { accountId: MEMBER, name: 'old', joinedDaysAgo: 30, joinedMethod: 'INVITED', roles: {} },
          {
            accountId: ORG_VENDED,
            name: 'org',
            vend: { atSeconds: 0, via: 'organizations', createSeconds: 10 },
          },
        ],
      }),
    );
    const org = new OrganizationsClient(clientConfig(cloud));
    cloud.startTimeline();
    const result = await cloud.bus.waitFor((e) => e.detail.eventName === 'CreateAccountResult', HOUR_MS);
    // Act
    const describe = async (id: string) =>
      (await org.send(new DescribeAccountCommand({ AccountId: id }))).Account!;
    const management = await describe(MANAGEMENT);
    const old = await describe(MEMBER);
    const vended = await describe(ORG_VENDED);
    // Assess
    const start = cloud.clock.startWallMs;
    expect(management.JoinedMethod).toBe('CREATED');
    expect(management.JoinedTimestamp!.getTime()).toBe(start - 400 * DAY_MS);
    expect(old.JoinedMethod).toBe('INVITED');
    expect(old.JoinedTimestamp!.getTime()).toBe(start - 30 * DAY_MS);
    expect(vended.JoinedMethod).toBe('CREATED');
    expect(secondIso(vended.JoinedTimestamp!)).toBe(result.time);
  });
});

describe('vend.via invited', () => {
  it('joins at atSeconds with JoinedMethod INVITED, an Invited join event, no CreateAccountResult and no member role', async () => {
    // Prepare
    const cloud = await startCloud(
      baseScenario({
        accounts: [
          { accountId: INVITED, name: 'invited', vend: { atSeconds: 30, via: 'invited', deliveries: 2 } },
        ],
      }),
    );
    const org = new OrganizationsClient(clientConfig(cloud));
    const before = await errorOf(org.send(new DescribeAccountCommand({ AccountId: INVITED })));
    // Act
    cloud.startTimeline();
    const join = await cloud.bus.waitFor((e) => e.detail.eventName === 'AccountJoinedOrganization', HOUR_MS);
    const account = (await org.send(new DescribeAccountCommand({ AccountId: INVITED }))).Account!;
    await elapse(50);
    const denied = await errorOf(assumeRole(cloud, INVITED));
    const deniedCt = await errorOf(assumeRole(cloud, INVITED, { roleName: 'AWSControlTowerExecution' }));
    // Assess
    expect(before.name).toBe('AccountNotFoundException');
    expect(account.JoinedMethod).toBe('INVITED');
    expect(secondIso(account.JoinedTimestamp!)).toBe(joinDetails(join).joinedTimestamp);
    expect(Date.parse(join.time) - cloud.clock.startWallMs).toBeGreaterThanOrEqual(30_000);
    expect(joinDetails(join)).toMatchObject({ accountId: INVITED, joinedMethod: 'INVITED' });
    expect(eventsNamed(cloud.bus.history(), 'AccountJoinedOrganization')).toHaveLength(2);
    expect(eventsNamed(cloud.bus.history(), 'CreateAccountResult')).toEqual([]);
    expect(eventsNamed(cloud.bus.history(), 'CreateManagedAccount')).toEqual([]);
    expect(denied.name).toBe('AccessDenied');
    expect(deniedCt.name).toBe('AccessDenied');
    expect(cloud.state.accounts().find((a) => a.accountId === INVITED)).toMatchObject({
      exists: true,
      origin: 'invited',
      joinedMethod: 'INVITED',
      roles: [],
    });
  });

  it('with enrollSeconds, Control Tower enrolls it later: AWSControlTowerExecution assumable and CreateManagedAccount SUCCEEDED', async () => {
    // Prepare
    const cloud = await startCloud(
      baseScenario({
        homeRegion: 'eu-west-1',
        accounts: [
          {
            accountId: INVITED,
            name: 'invited',
            organizationalUnit: 'Imported',
            vend: { atSeconds: 0, via: 'invited', enrollSeconds: 200 },
          },
        ],
      }),
    );
    // Act
    cloud.startTimeline();
    const join = await cloud.bus.waitFor((e) => e.detail.eventName === 'AccountJoinedOrganization', HOUR_MS);
    const beforeEnrollment = await errorOf(
      assumeRole(cloud, INVITED, { roleName: 'AWSControlTowerExecution' }),
    );
    const managed = await cloud.bus.waitFor((e) => e.detail.eventName === 'CreateManagedAccount', HOUR_MS);
    const credentials = await assumeRole(cloud, INVITED, { roleName: 'AWSControlTowerExecution' });
    // Assess
    expect(beforeEnrollment.name).toBe('AccessDenied');
    expect(credentials.sessionToken).toBeTruthy();
    expect(managed).toMatchObject({ source: 'aws.controltower', region: 'eu-west-1' });
    expect(Date.parse(managed.time) - Date.parse(join.time)).toBe(200_000);
    expect(serviceEventStatus(managed, 'createManagedAccountStatus')).toMatchObject({
      state: 'SUCCEEDED',
      account: { accountId: INVITED, accountName: 'invited' },
      organizationalUnit: { organizationalUnitName: 'Imported' },
    });
    expect(eventsNamed(cloud.bus.history(), 'CreateAccountResult')).toEqual([]);
  });

  it('rejects a failureReason on an invitation', async () => {
    // Act
    const error = await errorOf(
      startCloud(
        baseScenario({
          accounts: [
            { accountId: INVITED, name: 'x', vend: { atSeconds: 0, via: 'invited', failureReason: 'X' } },
          ],
        }),
      ),
    );
    // Assess
    expect(error.message).toContain('an invitation has no CreateAccount to fail');
  });
});

describe('landingZoneUpdates (docs/aws-behaviour.md#landing-zone-updates-re-run-accounts)', () => {
  it('fires UpdateManagedAccount SUCCEEDED for every ACTIVE account that has AWSControlTowerExecution then', async () => {
    // Prepare
    const cloud = await startCloud(
      baseScenario({
        homeRegion: 'eu-west-1',
        accounts: [
          { accountId: MEMBER, name: 'enrolled', roles: { AWSControlTowerExecution: 0 } },
          { accountId: '333333333333', name: 'not-enrolled', roles: { OrganizationAccountAccessRole: 0 } },
          {
            accountId: '444444444444',
            name: 'suspended',
            status: 'SUSPENDED',
            roles: { AWSControlTowerExecution: 0 },
          },
          {
            accountId: CT_VENDED,
            name: 'ct-later',
            vend: { atSeconds: 0, via: 'controltower', createSeconds: 10, enrollSeconds: 500 },
          },
          { accountId: INVITED, name: 'invited', vend: { atSeconds: 0, via: 'invited' } },
        ],
        landingZoneUpdates: [{ atSeconds: 100, deliveries: 2 }, { atSeconds: 1000 }],
      }),
    );
    // Act
    cloud.startTimeline();
    await eventually(
      () => (eventsNamed(cloud.bus.history(), 'UpdateManagedAccount').length >= 4 ? true : undefined),
      HOUR_MS,
    );
    await elapse(50);
    // Assess
    const updates = eventsNamed(cloud.bus.history(), 'UpdateManagedAccount');
    const ids = updates.map((e) => serviceEventStatus(e, 'updateManagedAccountStatus')?.account?.accountId);
    // At 100 s only MEMBER is enrolled (twice: deliveries 2); at 1000 s the CT vend is too.
    expect(ids).toEqual([MEMBER, MEMBER, MEMBER, CT_VENDED]);
    expect(updates[0]).toMatchObject({
      source: 'aws.controltower',
      region: 'eu-west-1',
      account: MANAGEMENT,
    });
    expect(serviceEventStatus(updates[0]!, 'updateManagedAccountStatus')).toMatchObject({
      state: 'SUCCEEDED',
      organizationalUnit: { organizationalUnitName: 'Workloads' },
    });
    expect(updates[1]!.id).toBe(updates[0]!.id);
  });

  it('covers 1,000 generated enrolled accounts in one burst', async () => {
    // Prepare
    const cloud = await startCloud(
      baseScenario({
        accounts: [],
        generatedAccounts: { count: 1000, startId: '500000000000' },
        landingZoneUpdates: [{ atSeconds: 10 }],
      }),
    );
    const org = new OrganizationsClient(clientConfig(cloud));
    // Act
    cloud.startTimeline();
    await eventually(
      () => (eventsNamed(cloud.bus.history(), 'UpdateManagedAccount').length >= 1000 ? true : undefined),
      HOUR_MS,
    );
    await elapse(20);
    const described = (await org.send(new DescribeAccountCommand({ AccountId: '500000000999' }))).Account!;
    // Assess
    const updates = eventsNamed(cloud.bus.history(), 'UpdateManagedAccount');
    const ids = new Set(
      updates.map((e) => serviceEventStatus(e, 'updateManagedAccountStatus')?.account?.accountId),
    );
    expect(updates).toHaveLength(1000);
    expect(ids.size).toBe(1000);
    expect(ids.has('500000000000') && ids.has('500000000999')).toBe(true);
    expect(ids.has(MANAGEMENT)).toBe(false);
    // They are old accounts: joined long before the update.
    expect(described).toMatchObject({ Name: 'generated-1000', JoinedMethod: 'CREATED' });
    expect(Date.now() - described.JoinedTimestamp!.getTime()).toBeGreaterThan(300 * DAY_MS);
    expect(cloud.state.accounts()).toHaveLength(1001);
  });

  it('rejects generated ids that clash with a listed account', async () => {
    // Act
    const error = await errorOf(
      startCloud(baseScenario({ generatedAccounts: { count: 5, startId: '222222222220' } })),
    );
    // Assess
    expect(error.message).toContain('the generated ids include 222222222222');
  });
});
