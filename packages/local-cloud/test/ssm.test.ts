import {
  CreateDocumentCommand,
  DeleteDocumentCommand,
  DescribeDocumentCommand,
  GetDocumentCommand,
  ListDocumentVersionsCommand,
  SSMClient,
  UpdateDocumentCommand,
  UpdateDocumentDefaultVersionCommand,
} from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import {
  assumeRole,
  baseScenario,
  clientConfig,
  DOC,
  elapse,
  errorOf,
  MEMBER,
  OTHER_MEMBER,
  sessionDocument,
  startCloud,
} from '../src/testing.ts';

async function memberSsm(scenario = baseScenario(), region = 'us-east-1') {
  const cloud = await startCloud(scenario);
  const credentials = await assumeRole(cloud, MEMBER);
  return { cloud, ssm: new SSMClient(clientConfig(cloud, region, credentials)), credentials };
}

const create = (ssm: SSMClient, content = sessionDocument()) =>
  ssm.send(
    new CreateDocumentCommand({
      Name: DOC,
      Content: content,
      DocumentType: 'Session',
      DocumentFormat: 'JSON',
    }),
  );
const update = (ssm: SSMClient, content: string, version = '$LATEST') =>
  ssm.send(new UpdateDocumentCommand({ Name: DOC, Content: content, DocumentVersion: version }));

describe('SSM CreateDocument', () => {
  it('creates version 1 with realistic fields, Creating then Active', async () => {
    // Prepare
    const { ssm } = await memberSsm();
    // Act
    const out = await create(ssm);
    const described = await ssm.send(new DescribeDocumentCommand({ Name: DOC }));
    // Assess
    expect(out.DocumentDescription).toMatchObject({
      Name: DOC,
      DocumentType: 'Session',
      DocumentFormat: 'JSON',
      SchemaVersion: '1.0',
      LatestVersion: '1',
      DefaultVersion: '1',
      DocumentVersion: '1',
      Status: 'Creating',
      Owner: MEMBER,
      HashType: 'Sha256',
    });
    expect(out.DocumentDescription?.CreatedDate).toBeInstanceOf(Date);
    expect(described.Document?.Status).toBe('Active');
  });

  it('rejects an existing name with DocumentAlreadyExists', async () => {
    // Prepare
    const { ssm } = await memberSsm();
    await create(ssm);
    // Act
    const error = await errorOf(create(ssm));
    // Assess
    expect(error.name).toBe('DocumentAlreadyExists');
  });

  it('rejects invalid JSON, a wrong schema version and content over 64 KB', async () => {
    // Prepare
    const { ssm } = await memberSsm();
    const big = sessionDocument({ padding: 'x'.repeat(70 * 1024) });
    // Act
    const invalid = await errorOf(create(ssm, '{"schemaVersion": "1.0", '));
    const schema = await errorOf(
      create(ssm, JSON.stringify({ schemaVersion: '2.2', sessionType: 'Standard_Stream', inputs: {} })),
    );
    const size = await errorOf(create(ssm, big));
    // Assess
    expect(invalid.name).toBe('InvalidDocumentContent');
    expect(schema.name).toBe('InvalidDocumentSchemaVersion');
    expect(size.name).toBe('MaxDocumentSizeExceeded');
  });

  it('keeps documents per account and per region', async () => {
    // Prepare
    const { cloud, ssm } = await memberSsm();
    const other = new SSMClient(clientConfig(cloud, 'us-east-1', await assumeRole(cloud, OTHER_MEMBER)));
    const otherRegion = new SSMClient(clientConfig(cloud, 'eu-west-1', await assumeRole(cloud, MEMBER)));
    await create(ssm, sessionDocument({ runAsEnabled: true, runAsDefaultUser: 'ec2-user' }));
    // Act
    const inOtherAccount = await errorOf(other.send(new GetDocumentCommand({ Name: DOC })));
    const inOtherRegion = await errorOf(otherRegion.send(new GetDocumentCommand({ Name: DOC })));
    await create(otherRegion);
    // Assess
    expect(inOtherAccount.name).toBe('InvalidDocument');
    expect(inOtherRegion.name).toBe('InvalidDocument');
    expect(
      cloud.state
        .documents({ accountId: MEMBER })
        .map((d) => d.region)
        .sort(),
    ).toEqual(['eu-west-1', 'us-east-1']);
    expect(cloud.state.document(OTHER_MEMBER, 'us-east-1')).toBeUndefined();
  });
});

describe('SSM GetDocument', () => {
  it('reads $LATEST, $DEFAULT, a number, and the default without a version', async () => {
    // Prepare
    const { ssm } = await memberSsm();
    await create(ssm, sessionDocument({ runAsEnabled: false }));
    await update(ssm, sessionDocument({ runAsEnabled: true, runAsDefaultUser: 'ec2-user' }));
    // Act
    const latest = await ssm.send(new GetDocumentCommand({ Name: DOC, DocumentVersion: '$LATEST' }));
    const byDefault = await ssm.send(new GetDocumentCommand({ Name: DOC, DocumentVersion: '$DEFAULT' }));
    const plain = await ssm.send(new GetDocumentCommand({ Name: DOC }));
    const one = await ssm.send(new GetDocumentCommand({ Name: DOC, DocumentVersion: '1' }));
    // Assess
    expect(latest.DocumentVersion).toBe('2');
    expect(JSON.parse(latest.Content!).inputs.runAsEnabled).toBe(true);
    expect(byDefault.DocumentVersion).toBe('1');
    expect(plain.DocumentVersion).toBe('1');
    expect(one.Content).toBe(byDefault.Content);
    expect(latest.DocumentType).toBe('Session');
  });

  it('answers InvalidDocument for a missing document and InvalidDocumentVersion for a missing version', async () => {
    // Prepare
    const { ssm } = await memberSsm();
    const missing = await errorOf(ssm.send(new GetDocumentCommand({ Name: DOC })));
    await create(ssm);
    // Act
    const badVersion = await errorOf(ssm.send(new GetDocumentCommand({ Name: DOC, DocumentVersion: '7' })));
    // Assess
    expect(missing.name).toBe('InvalidDocument');
    expect(missing.$metadata.httpStatusCode).toBe(400);
    expect(badVersion.name).toBe('InvalidDocumentVersion');
  });
});

describe('SSM UpdateDocument', () => {
  it('creates numbered versions without moving the default', async () => {
    // Prepare
    const { ssm } = await memberSsm();
    await create(ssm);
    // Act
    const second = await update(ssm, sessionDocument({ runAsEnabled: true, runAsDefaultUser: 'a' }));
    const third = await update(ssm, sessionDocument({ runAsEnabled: true, runAsDefaultUser: 'b' }), '2');
    // Assess
    expect(second.DocumentDescription).toMatchObject({
      DocumentVersion: '2',
      LatestVersion: '2',
      DefaultVersion: '1',
      Status: 'Updating',
    });
    expect(third.DocumentDescription).toMatchObject({
      DocumentVersion: '3',
      LatestVersion: '3',
      DefaultVersion: '1',
    });
  });

  it('rejects identical content with DuplicateDocumentContent', async () => {
    // Prepare
    const { ssm } = await memberSsm();
    await create(ssm);
    // Act
    const error = await errorOf(update(ssm, sessionDocument()));
    // Assess
    expect(error.name).toBe('DuplicateDocumentContent');
  });

  it('rejects updating a version that is not the latest with InvalidDocumentVersion', async () => {
    // Prepare
    const { ssm } = await memberSsm();
    await create(ssm);
    await update(ssm, sessionDocument({ runAsEnabled: true, runAsDefaultUser: 'a' }));
    // Act
    const stale = await errorOf(
      update(ssm, sessionDocument({ runAsEnabled: true, runAsDefaultUser: 'b' }), '1'),
    );
    const asDefault = await errorOf(
      update(ssm, sessionDocument({ runAsEnabled: true, runAsDefaultUser: 'b' }), '$DEFAULT'),
    );
    // Assess
    expect(stale.name).toBe('InvalidDocumentVersion');
    expect(asDefault.name).toBe('InvalidDocumentVersion');
  });

  it('enforces the version limit with DocumentVersionLimitExceeded until an old version is deleted', async () => {
    // Prepare
    const { ssm } = await memberSsm(baseScenario({ documentVersionLimit: 2 }));
    await create(ssm);
    await update(ssm, sessionDocument({ idleSessionTimeout: '10' }));
    // Act
    const limited = await errorOf(update(ssm, sessionDocument({ idleSessionTimeout: '11' })));
    await ssm.send(new UpdateDocumentDefaultVersionCommand({ Name: DOC, DocumentVersion: '2' }));
    await ssm.send(new DeleteDocumentCommand({ Name: DOC, DocumentVersion: '1' }));
    const after = await update(ssm, sessionDocument({ idleSessionTimeout: '11' }));
    // Assess
    expect(limited.name).toBe('DocumentVersionLimitExceeded');
    expect(after.DocumentDescription?.DocumentVersion).toBe('3');
  });

  it('answers InvalidDocument when the document does not exist', async () => {
    // Prepare
    const { ssm } = await memberSsm();
    // Act
    const error = await errorOf(update(ssm, sessionDocument()));
    // Assess
    expect(error.name).toBe('InvalidDocument');
  });

  it('stays Updating for the configured delay, then Active', async () => {
    // Prepare: the status settles 100 simulated seconds after the write.
    const { ssm } = await memberSsm(baseScenario({ documentStatusDelaySeconds: 100 }));
    await create(ssm);
    // Act
    const during = await ssm.send(new DescribeDocumentCommand({ Name: DOC }));
    await elapse(150);
    const after = await ssm.send(new DescribeDocumentCommand({ Name: DOC }));
    // Assess
    expect(during.Document?.Status).toBe('Creating');
    expect(after.Document?.Status).toBe('Active');
  });
});

describe('SSM UpdateDocumentDefaultVersion', () => {
  it('promotes a numbered version', async () => {
    // Prepare
    const { ssm } = await memberSsm();
    await create(ssm);
    await update(ssm, sessionDocument({ runAsEnabled: true, runAsDefaultUser: 'a' }));
    // Act
    const out = await ssm.send(new UpdateDocumentDefaultVersionCommand({ Name: DOC, DocumentVersion: '2' }));
    const plain = await ssm.send(new GetDocumentCommand({ Name: DOC }));
    // Assess
    expect(out.Description).toEqual({ Name: DOC, DefaultVersion: '2' });
    expect(plain.DocumentVersion).toBe('2');
  });

  it('rejects $LATEST and unknown versions with InvalidDocumentVersion', async () => {
    // Prepare
    const { ssm } = await memberSsm();
    await create(ssm);
    // Act
    const latest = await errorOf(
      ssm.send(new UpdateDocumentDefaultVersionCommand({ Name: DOC, DocumentVersion: '$LATEST' })),
    );
    const unknown = await errorOf(
      ssm.send(new UpdateDocumentDefaultVersionCommand({ Name: DOC, DocumentVersion: '9' })),
    );
    // Assess
    expect(latest.name).toBe('InvalidDocumentVersion');
    expect(unknown.name).toBe('InvalidDocumentVersion');
  });
});

describe('SSM ListDocumentVersions', () => {
  it('lists every version with the default flagged, paginated', async () => {
    // Prepare
    const { ssm } = await memberSsm();
    await create(ssm);
    await update(ssm, sessionDocument({ idleSessionTimeout: '10' }));
    await update(ssm, sessionDocument({ idleSessionTimeout: '11' }));
    // Act
    const first = await ssm.send(new ListDocumentVersionsCommand({ Name: DOC, MaxResults: 2 }));
    const second = await ssm.send(
      new ListDocumentVersionsCommand({ Name: DOC, MaxResults: 2, NextToken: first.NextToken }),
    );
    // Assess
    expect(first.DocumentVersions?.map((v) => [v.DocumentVersion, v.IsDefaultVersion])).toEqual([
      ['1', true],
      ['2', false],
    ]);
    expect(first.NextToken).toBeTruthy();
    expect(second.DocumentVersions?.map((v) => v.DocumentVersion)).toEqual(['3']);
    expect(second.NextToken).toBeUndefined();
  });
});

describe('SSM DeleteDocument', () => {
  it('refuses to delete the default version with InvalidDocumentOperation', async () => {
    // Prepare
    const { ssm } = await memberSsm();
    await create(ssm);
    // Act
    const error = await errorOf(ssm.send(new DeleteDocumentCommand({ Name: DOC, DocumentVersion: '1' })));
    // Assess
    expect(error.name).toBe('InvalidDocumentOperation');
  });

  it('deletes one non-default version, then the whole document', async () => {
    // Prepare
    const { cloud, ssm } = await memberSsm();
    await create(ssm);
    await update(ssm, sessionDocument({ idleSessionTimeout: '10' }));
    // Act
    await ssm.send(new DeleteDocumentCommand({ Name: DOC, DocumentVersion: '2' }));
    const afterVersion = cloud.state.document(MEMBER, 'us-east-1');
    await ssm.send(new DeleteDocumentCommand({ Name: DOC }));
    const gone = await errorOf(ssm.send(new GetDocumentCommand({ Name: DOC })));
    // Assess
    expect(afterVersion?.versions.map((v) => v.version)).toEqual(['1']);
    expect(afterVersion?.latestVersion).toBe('1');
    expect(gone.name).toBe('InvalidDocument');
  });
});

describe('seeded documents', () => {
  it('serves scenario content objects and raw foreign text as they are', async () => {
    // Prepare
    const scenario = baseScenario({
      accounts: [
        {
          accountId: MEMBER,
          name: 'm',
          roles: { OrganizationAccountAccessRole: 0 },
          documents: {
            'us-east-1': {
              schemaVersion: '1.0',
              sessionType: 'Standard_Stream',
              inputs: { idleSessionTimeout: '20' },
            },
            'us-west-2': 'schemaVersion: "1.0"\nsessionType: Standard_Stream\n',
          },
        },
      ],
    });
    const { cloud, credentials } = await memberSsm(scenario);
    const east = new SSMClient(clientConfig(cloud, 'us-east-1', credentials));
    const west = new SSMClient(clientConfig(cloud, 'us-west-2', credentials));
    // Act
    const json = await east.send(new GetDocumentCommand({ Name: DOC }));
    const yaml = await west.send(new GetDocumentCommand({ Name: DOC }));
    // Assess
    expect(JSON.parse(json.Content!).inputs.idleSessionTimeout).toBe('20');
    expect(json.Status).toBe('Active');
    expect(yaml.Content).toContain('sessionType: Standard_Stream');
    expect(yaml.DocumentFormat).toBe('YAML');
  });
});
