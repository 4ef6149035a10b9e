import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { GetDocumentCommand, SSMClient } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { controlTowerTimestamp, type EventEnvelope, organizationsTimestamp } from '../src/index.ts';
import {
  assumeRole,
  baseScenario,
  clientConfig,
  DOC,
  elapse,
  errorOf,
  MANAGEMENT,
  serviceEventStatus,
  startCloud,
} from '../src/testing.ts';

const VENDED = '555555555555';
/** How long a test waits for an event, in simulated time: longer than any vend below. */
const HOUR_MS = 3_600_000;

describe('event timestamp formats', () => {
  it('formats Organizations locale and Control Tower offset timestamps', () => {
    // Prepare
    const when = Date.UTC(2020, 8, 16, 21, 20, 53);
    const morning = Date.UTC(2019, 10, 15, 0, 5, 8);
    // Act
    const org = organizationsTimestamp(when);
    const midnight = organizationsTimestamp(morning);
    const ct = controlTowerTimestamp(Date.UTC(2019, 10, 15, 11, 45, 18));
    // Assess
    expect(org).toBe('Sep 16, 2020 9:20:53 PM');
    expect(midnight).toBe('Nov 15, 2019 12:05:08 AM');
    expect(ct).toBe('2019-11-15T11:45:18+0000');
  });
});

describe('scenario vends', () => {
  it('vends through Organizations: invisible before, CreateAccountResult at completion, role ready after its delay', async () => {
    // Prepare
    const cloud = await startCloud(
      baseScenario({
        homeRegion: 'eu-west-1',
        accounts: [
          {
            accountId: VENDED,
            name: 'vended',
            roles: { OrganizationAccountAccessRole: 50 },
            documents: { 'eu-west-1': { schemaVersion: '1.0', sessionType: 'Standard_Stream', inputs: {} } },
            vend: { atSeconds: 20, via: 'organizations', createSeconds: 30 },
          },
        ],
      }),
    );
    const org = new OrganizationsClient(clientConfig(cloud));
    const before = await org.send(new ListAccountsCommand({}));
    // Act
    cloud.startTimeline();
    const event = await cloud.bus.waitFor((e) => e.detail.eventName === 'CreateAccountResult', HOUR_MS);
    const after = await org.send(new ListAccountsCommand({}));
    const early = await errorOf(assumeRole(cloud, VENDED));
    // The role's 50 seconds, counted from the join (the creation's completion).
    await elapse(50);
    const credentials = await assumeRole(cloud, VENDED);
    const doc = await new SSMClient(clientConfig(cloud, 'eu-west-1', credentials)).send(
      new GetDocumentCommand({ Name: DOC }),
    );
    // Assess
    expect(before.Accounts?.map((a) => a.Id)).toEqual([MANAGEMENT]);
    expect(after.Accounts?.map((a) => a.Id)).toContain(VENDED);
    expect(early.name).toBe('AccessDenied');
    expect(event.region).toBe('us-east-1');
    expect(serviceEventStatus(event, 'createAccountStatus')).toMatchObject({
      state: 'SUCCEEDED',
      accountId: VENDED,
    });
    const role = cloud.state.accounts().find((a) => a.accountId === VENDED)?.roles[0];
    const joined = Date.parse(cloud.state.accounts().find((a) => a.accountId === VENDED)!.joinedAt!);
    expect(Date.parse(role!.assumableAt!) - joined).toBe(50_000);
    expect(doc.DocumentVersion).toBe('1');
  });

  it('vends through Control Tower: CreateAccountResult, then CreateManagedAccount in the home region', async () => {
    // Prepare
    const cloud = await startCloud(
      baseScenario({
        homeRegion: 'eu-west-1',
        accounts: [
          {
            accountId: VENDED,
            name: 'ct-vended',
            organizationalUnit: 'Sandbox',
            vend: { atSeconds: 0, via: 'controltower', createSeconds: 10, enrollSeconds: 60, deliveries: 2 },
          },
        ],
      }),
    );
    const events: EventEnvelope[] = [];
    cloud.bus.subscribe((e) => {
      events.push(e);
    });
    // Act
    cloud.startTimeline();
    await cloud.bus.waitFor((e) => e.detail.eventName === 'CreateManagedAccount', HOUR_MS);
    await elapse(20);
    // Assess
    // Account Factory's CreateAccount also logs the Created join (docs/aws-behaviour.md#accountjoinedorganization-event).
    expect(events.map((e) => e.detail.eventName)).toEqual([
      'CreateAccountResult',
      'CreateAccountResult',
      'AccountJoinedOrganization',
      'AccountJoinedOrganization',
      'CreateManagedAccount',
      'CreateManagedAccount',
    ]);
    const managed = events[4]!;
    expect(managed).toMatchObject({ source: 'aws.controltower', region: 'eu-west-1', account: MANAGEMENT });
    expect(events[5]!.id).toBe(managed.id);
    const status = serviceEventStatus(managed, 'createManagedAccountStatus')!;
    expect(status).toMatchObject({
      account: { accountName: 'ct-vended', accountId: VENDED },
      organizationalUnit: { organizationalUnitName: 'Sandbox' },
      state: 'SUCCEEDED',
    });
    expect(status.organizationalUnit?.organizationalUnitId).toMatch(/^ou-[a-z0-9]{4}-[a-z0-9]{8}$/);
    expect(status.completedTimestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+0000$/);
    expect(
      cloud.state
        .accounts()
        .find((a) => a.accountId === VENDED)
        ?.roles.map((r) => r.name),
    ).toEqual(['AWSControlTowerExecution']);
  });

  it('reports a failed Control Tower vend with accountId "Not Available" and creates no account', async () => {
    // Prepare
    const cloud = await startCloud(
      baseScenario({
        accounts: [
          {
            accountId: VENDED,
            name: 'broken',
            vend: {
              atSeconds: 0,
              via: 'controltower',
              createSeconds: 5,
              enrollSeconds: 5,
              failureReason: 'INTERNAL_FAILURE',
            },
          },
        ],
      }),
    );
    // Act
    cloud.startTimeline();
    const managed = await cloud.bus.waitFor((e) => e.detail.eventName === 'CreateManagedAccount', HOUR_MS);
    // Assess
    const status = serviceEventStatus(managed, 'createManagedAccountStatus')!;
    expect(status.state).toBe('FAILED');
    expect(status.account?.accountId).toBe('Not Available');
    expect(cloud.state.accounts().find((a) => a.accountId === VENDED)?.exists).toBe(false);
  });
});
