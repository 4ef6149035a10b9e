import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { GetDocumentCommand, SSMClient, UpdateDocumentCommand } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { baseScenario, clientConfig, DOC, errorOf, MANAGEMENT, startCloud } from '../src/testing.ts';

const withDocument = (faults: object) =>
  baseScenario({
    faults,
    accounts: [
      {
        accountId: MANAGEMENT,
        name: 'Management',
        documents: { 'us-east-1': { schemaVersion: '1.0', sessionType: 'Standard_Stream', inputs: {} } },
      },
    ],
  });

describe('fault injection', () => {
  it('throttles the first calls and the SDK retries them (attempts counted by the cloud)', async () => {
    // Prepare
    const cloud = await startCloud(withDocument({ operations: { 'ssm:GetDocument': { failFirst: 2 } } }));
    const ssm = new SSMClient(clientConfig(cloud, 'us-east-1', cloud.credentials, 3));
    // Act
    const out = await ssm.send(new GetDocumentCommand({ Name: DOC }));
    // Assess
    expect(out.$metadata.attempts).toBe(3);
    expect(cloud.state.calls({ operation: 'ssm:GetDocument' })).toEqual([
      {
        accountId: MANAGEMENT,
        region: 'us-east-1',
        operation: 'ssm:GetDocument',
        count: 3,
        errors: { ThrottlingException: 2 },
      },
    ]);
  });

  it('gives up after the SDK maxAttempts when every call is throttled', async () => {
    // Prepare
    const cloud = await startCloud(withDocument({ throttleRate: 1 }));
    const ssm = new SSMClient(clientConfig(cloud, 'us-east-1', cloud.credentials, 2));
    // Act
    const error = await errorOf(ssm.send(new GetDocumentCommand({ Name: DOC })));
    // Assess
    expect(error.name).toBe('ThrottlingException');
    expect(error.$metadata.attempts).toBe(2);
    expect(cloud.state.callCount({ operation: 'ssm:GetDocument' })).toBe(2);
  });

  it('uses each service throttling code: Throttling for STS, TooManyRequestsException for Organizations', async () => {
    // Prepare
    const faulty = await startCloud(baseScenario({ faults: { throttleRate: 1 } }));
    // Act
    const sts = await errorOf(new STSClient(clientConfig(faulty)).send(new GetCallerIdentityCommand({})));
    const org = await errorOf(
      new OrganizationsClient(clientConfig(faulty)).send(new ListAccountsCommand({})),
    );
    // Assess
    expect(sts.name).toBe('Throttling');
    expect(org.name).toBe('TooManyRequestsException');
  });

  it('retries 5xx answers, but not TooManyUpdates (SSM writes only)', async () => {
    // Prepare
    const cloud = await startCloud(
      withDocument({
        operations: {
          'ssm:GetDocument': { failFirst: 1, failFirstWith: 'ServiceUnavailable' },
          'ssm:UpdateDocument': { tooManyUpdatesRate: 1 },
        },
      }),
    );
    const ssm = new SSMClient(clientConfig(cloud, 'us-east-1', cloud.credentials, 3));
    // Act
    const read = await ssm.send(new GetDocumentCommand({ Name: DOC }));
    const write = await errorOf(
      ssm.send(
        new UpdateDocumentCommand({
          Name: DOC,
          Content: '{"schemaVersion":"1.0","sessionType":"Standard_Stream","inputs":{"a":1}}',
          DocumentVersion: '$LATEST',
        }),
      ),
    );
    // Assess
    expect(read.$metadata.attempts).toBe(2);
    expect(write.name).toBe('TooManyUpdates');
    expect(write.$metadata.attempts).toBe(1);
  });

  it('is reproducible for a given seed', async () => {
    // Prepare
    const pattern = async () => {
      const cloud = await startCloud(withDocument({ seed: 42, throttleRate: 0.5 }));
      const ssm = new SSMClient(clientConfig(cloud));
      const outcomes: string[] = [];
      for (let i = 0; i < 12; i += 1) {
        outcomes.push(
          await ssm.send(new GetDocumentCommand({ Name: DOC })).then(
            () => 'ok',
            (e: Error) => e.name,
          ),
        );
      }
      return outcomes;
    };
    // Act
    const first = await pattern();
    const second = await pattern();
    // Assess
    expect(first).toEqual(second);
    expect(first).toContain('ok');
    expect(first).toContain('ThrottlingException');
  });
});
