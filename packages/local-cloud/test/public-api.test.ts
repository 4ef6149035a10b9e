import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { GetDocumentCommand, SSMClient } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { AwsServiceError, versionContent } from '../src/index.ts';
import {
  assumeRole,
  baseScenario,
  clientConfig,
  DOC,
  errorOf,
  eventually,
  MANAGEMENT,
  MEMBER,
  memberScenario,
  OTHER_MEMBER,
  sessionDocument,
  startCloud,
} from '../src/testing.ts';

/** What the package offers beyond the wire: the read-only views and the two out-of-band hooks. */

describe('cloud.writeDocument', () => {
  it('creates the document, then adds versions, as another writer would; callers see them on the wire', async () => {
    // Prepare
    const cloud = await startCloud();
    const ssm = new SSMClient(clientConfig(cloud, 'eu-west-1', await assumeRole(cloud, MEMBER)));
    // Act
    const first = cloud.writeDocument({
      accountId: MEMBER,
      region: 'eu-west-1',
      content: sessionDocument(),
      writer: 'console',
    });
    const second = cloud.writeDocument({
      accountId: MEMBER,
      region: 'eu-west-1',
      content: sessionDocument({ runAsEnabled: true, runAsDefaultUser: 'ec2-user' }),
      writer: 'teammate',
    });
    const seen = await ssm.send(new GetDocumentCommand({ Name: DOC, DocumentVersion: '$LATEST' }));
    // Assess
    expect([first, second]).toEqual(['1', '2']);
    expect(JSON.parse(seen.Content!).inputs.runAsDefaultUser).toBe('ec2-user');
    const doc = cloud.state.document(MEMBER, 'eu-west-1')!;
    expect(doc.documentType).toBe('Session');
    expect(doc.versions.map((v) => v.writer)).toEqual(['console', 'teammate']);
    expect(JSON.parse(versionContent(doc, '1')!).inputs.runAsEnabled).toBe(false);
    expect(versionContent(doc, '9')).toBeUndefined();
  });

  it("applies UpdateDocument's rules: the same content again is refused, and nothing is written", async () => {
    // Prepare
    const cloud = await startCloud();
    const write = () =>
      cloud.writeDocument({
        accountId: MEMBER,
        region: 'us-east-1',
        content: sessionDocument(),
        writer: 'x',
      });
    write();
    // Act / Assess
    expect(write).toThrow(AwsServiceError);
    expect(write).toThrow(/matches the latest version/);
    expect(cloud.state.document(MEMBER, 'us-east-1')?.versions).toHaveLength(1);
  });
});

describe('cloud.addFaultRule', () => {
  it('fails only the calls the rule picks, counts them, and stops when removed', async () => {
    // Prepare
    const cloud = await startCloud(
      memberScenario({ documents: { 'us-east-1': sessionDocument(), 'eu-west-1': sessionDocument() } }),
    );
    const credentials = await assumeRole(cloud, MEMBER);
    const ssm = (region: string) => new SSMClient(clientConfig(cloud, region, credentials));
    const remove = cloud.addFaultRule(({ operation, accountId, region }) =>
      operation === 'ssm:GetDocument' && accountId === MEMBER && region === 'eu-west-1'
        ? new AwsServiceError('InternalServerError', 'picked', 500)
        : undefined,
    );
    // Act
    const picked = await errorOf(ssm('eu-west-1').send(new GetDocumentCommand({ Name: DOC })));
    const spared = await ssm('us-east-1').send(new GetDocumentCommand({ Name: DOC }));
    const injected = cloud.state.faultsInjected();
    remove();
    const after = await ssm('eu-west-1').send(new GetDocumentCommand({ Name: DOC }));
    // Assess
    expect(picked.name).toBe('InternalServerError');
    expect(spared.Name).toBe(DOC);
    expect(injected).toBe(1);
    expect(after.Name).toBe(DOC);
    expect(cloud.state.faultsInjected()).toBe(1);
  });
});

describe('cloud.state views', () => {
  it('answers one account, and counts AssumeRole by target with its busiest second', async () => {
    // Prepare
    const cloud = await startCloud();
    // Act
    await assumeRole(cloud, MEMBER);
    await assumeRole(cloud, MEMBER);
    await assumeRole(cloud, OTHER_MEMBER);
    // Assess
    expect(cloud.state.account(MEMBER)).toMatchObject({
      accountId: MEMBER,
      exists: true,
      roles: [{ name: 'OrganizationAccountAccessRole', assumable: true }],
    });
    expect(cloud.state.account('999999999999')).toBeUndefined();
    expect(cloud.state.assumeRoleCallsFor(MEMBER)).toBe(2);
    expect(cloud.state.assumeRoleCallsFor(OTHER_MEMBER)).toBe(1);
    expect(cloud.state.peakRate(MANAGEMENT, 'sts:AssumeRole').perSecond).toBeGreaterThanOrEqual(1);
    expect(cloud.state.peakRate(MEMBER, 'sts:AssumeRole')).toEqual({ perSecond: 0 });
  });

  it('counts the calls a rate limit refused, per service', async () => {
    // Prepare: one call, then a token every 10^6 simulated seconds (over 11 simulated days).
    const cloud = await startCloud(
      baseScenario({ rateLimits: { organizations: { perSecond: 0.000001, burst: 1 } } }),
    );
    const org = new OrganizationsClient(clientConfig(cloud));
    // Act
    await org.send(new ListAccountsCommand({}));
    const refused = await errorOf(org.send(new ListAccountsCommand({})));
    // Assess
    expect(refused.name).toBe('TooManyRequestsException');
    expect(cloud.state.throttled()).toEqual({ organizations: 1 });
  });

  it('counts the timeline tasks still to come, down to 0 once the scenario has played out', async () => {
    // Prepare
    const cloud = await startCloud(
      baseScenario({
        accounts: [
          { accountId: '555555555555', name: 'late', vend: { atSeconds: 50, via: 'organizations' } },
        ],
      }),
    );
    const before = cloud.state.pendingTimelineTasks();
    // Act
    cloud.startTimeline();
    const started = cloud.state.pendingTimelineTasks();
    // Assess
    expect(before).toBe(0);
    expect(started).toBeGreaterThan(0);
    // The vend at 50 s and its 60 s creation play out well within a simulated hour.
    await eventually(() => (cloud.state.pendingTimelineTasks() === 0 ? true : undefined), 3_600_000);
    expect(cloud.state.account('555555555555')?.exists).toBe(true);
  });
});

describe('pipelineDefaults', () => {
  it("names the LZA pipeline and its regions when the scenario does not, home region first; the scenario's own win", async () => {
    // Prepare
    const defaults = { name: 'Custom-Pipeline', regions: ['eu-west-1', 'us-east-1'] };
    // Act
    const fromDefaults = await startCloud(baseScenario(), { pipelineDefaults: defaults });
    const fromScenario = await startCloud(
      baseScenario({ pipeline: { name: 'Own', regions: ['ap-south-1'] } }),
      {
        pipelineDefaults: defaults,
      },
    );
    const bare = await startCloud(baseScenario());
    // Assess
    expect(fromDefaults.state.snapshot().pipeline).toMatchObject({
      name: 'Custom-Pipeline',
      regions: ['us-east-1', 'eu-west-1'],
    });
    expect(fromScenario.state.snapshot().pipeline).toMatchObject({ name: 'Own', regions: ['ap-south-1'] });
    expect(bare.state.snapshot().pipeline).toMatchObject({
      name: 'AWSAccelerator-Pipeline',
      regions: ['us-east-1'],
    });
  });
});
