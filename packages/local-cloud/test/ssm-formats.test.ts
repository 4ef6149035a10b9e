import {
  CreateDocumentCommand,
  DescribeDocumentCommand,
  GetDocumentCommand,
  SSMClient,
  UpdateDocumentCommand,
} from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import {
  assumeRole,
  baseScenario,
  clientConfig,
  DOC,
  elapse,
  errorOf,
  MEMBER,
  memberScenario,
  startCloud,
} from '../src/testing.ts';

const YAML_DOC = [
  '# kept by hand',
  "schemaVersion: '1.0'",
  'sessionType: Standard_Stream',
  'inputs:',
  '  runAsEnabled: false',
  '  idleSessionTimeout: "20"',
  '',
].join('\n');

async function memberSsm(scenario = baseScenario()) {
  const cloud = await startCloud(scenario);
  const credentials = await assumeRole(cloud, MEMBER);
  return { cloud, ssm: new SSMClient(clientConfig(cloud, 'us-east-1', credentials)) };
}

describe('local cloud SSM: YAML documents', () => {
  it('stores a YAML document as YAML and returns it as stored when no DocumentFormat is asked for', async () => {
    // Prepare
    const { ssm } = await memberSsm();
    // Act
    await ssm.send(
      new CreateDocumentCommand({
        Name: DOC,
        Content: YAML_DOC,
        DocumentType: 'Session',
        DocumentFormat: 'YAML',
      }),
    );
    const got = await ssm.send(new GetDocumentCommand({ Name: DOC }));
    // Assess
    expect(got).toMatchObject({ Content: YAML_DOC, DocumentFormat: 'YAML' });
  });

  it('converts on GetDocument when a DocumentFormat is given, both ways', async () => {
    // Prepare
    const { ssm } = await memberSsm();
    await ssm.send(
      new CreateDocumentCommand({
        Name: DOC,
        Content: YAML_DOC,
        DocumentType: 'Session',
        DocumentFormat: 'YAML',
      }),
    );
    // Act
    const asJson = await ssm.send(new GetDocumentCommand({ Name: DOC, DocumentFormat: 'JSON' }));
    await ssm.send(
      new UpdateDocumentCommand({
        Name: DOC,
        Content: asJson.Content,
        DocumentFormat: 'JSON',
        DocumentVersion: '$LATEST',
      }),
    );
    const asYaml = await ssm.send(
      new GetDocumentCommand({ Name: DOC, DocumentVersion: '2', DocumentFormat: 'YAML' }),
    );
    // Assess
    expect(asJson.DocumentFormat).toBe('JSON');
    expect(JSON.parse(asJson.Content as string)).toEqual({
      schemaVersion: '1.0',
      sessionType: 'Standard_Stream',
      inputs: { runAsEnabled: false, idleSessionTimeout: '20' },
    });
    expect(asYaml.DocumentFormat).toBe('YAML');
    expect(asYaml.Content).toContain('sessionType: Standard_Stream');
  });

  it('refuses YAML content declared as JSON, and a TEXT Session document', async () => {
    // Prepare
    const { ssm } = await memberSsm();
    // Act
    const asJson = await errorOf(
      ssm.send(
        new CreateDocumentCommand({
          Name: DOC,
          Content: YAML_DOC,
          DocumentType: 'Session',
          DocumentFormat: 'JSON',
        }),
      ),
    );
    const asText = await errorOf(
      ssm.send(
        new CreateDocumentCommand({
          Name: DOC,
          Content: YAML_DOC,
          DocumentType: 'Session',
          DocumentFormat: 'TEXT',
        }),
      ),
    );
    // Assess
    expect(asJson.name).toBe('InvalidDocumentContent');
    expect(asText.name).toBe('InvalidDocumentContent');
  });
});

describe('local cloud SSM: statuses', () => {
  it('moves a version through Updating to Failed when the scenario says its writes fail', async () => {
    // Prepare
    const { ssm } = await memberSsm(
      // The version's status settles 500 simulated seconds after the write.
      memberScenario({ failDocumentWrites: { 'us-east-1': 1 } }, { documentStatusDelaySeconds: 500 }),
    );
    // Act
    await ssm.send(
      new CreateDocumentCommand({
        Name: DOC,
        Content: YAML_DOC,
        DocumentType: 'Session',
        DocumentFormat: 'YAML',
      }),
    );
    const during = await ssm.send(new DescribeDocumentCommand({ Name: DOC, DocumentVersion: '1' }));
    await elapse(600);
    const after = await ssm.send(new GetDocumentCommand({ Name: DOC, DocumentVersion: '$LATEST' }));
    // Assess
    expect(during.Document?.Status).toBe('Creating');
    expect(after.Status).toBe('Failed');
  });
});

describe('local cloud STS: RegionDisabledException', () => {
  it('refuses AssumeRole through a region where STS is deactivated for the account, with 403', async () => {
    // Prepare
    const cloud = await startCloud(memberScenario({ stsDisabledRegions: ['eu-west-1'] }));
    const sts = new STSClient(clientConfig(cloud, 'eu-west-1'));
    // Act
    const error = await errorOf(
      sts.send(
        new AssumeRoleCommand({
          RoleArn: `arn:aws:iam::${MEMBER}:role/OrganizationAccountAccessRole`,
          RoleSessionName: 'test-session',
        }),
      ),
    );
    // Assess
    expect(error.name).toBe('RegionDisabledException');
    expect(error.$metadata.httpStatusCode).toBe(403);
  });
});
