import { GetDocumentCommand, SSMClient } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import type { LocalCloudSnapshot } from '../src/index.ts';
import { clientConfig, DOC, errorOf, MANAGEMENT, startCloud } from '../src/testing.ts';

describe('wire protocol', () => {
  it('answers JSON errors with __type, x-amzn-ErrorType and x-amzn-RequestId', async () => {
    // Prepare
    const cloud = await startCloud();
    await errorOf(new SSMClient(clientConfig(cloud)).send(new GetDocumentCommand({ Name: DOC })));
    // Act
    const response = await fetch(cloud.url, {
      method: 'POST',
      headers: { 'x-amz-target': 'AmazonSSM.GetDocument', 'content-type': 'application/x-amz-json-1.1' },
      body: '{}',
    });
    // Assess
    expect(response.status).toBe(400);
    expect(response.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
    expect(await response.json()).toEqual({
      __type: 'MissingAuthenticationTokenException',
      message: 'Missing Authentication Token',
    });
  });

  it('answers query errors with an ErrorResponse document', async () => {
    // Prepare
    const cloud = await startCloud();
    // Act
    const response = await fetch(cloud.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
    });
    const body = await response.text();
    // Assess
    expect(response.status).toBe(403);
    expect(body).toMatch(
      /^<ErrorResponse xmlns="https:\/\/sts.amazonaws.com\/doc\/2011-06-15\/"><Error><Type>Sender<\/Type><Code>MissingAuthenticationToken<\/Code>/,
    );
    expect(body).toMatch(/<RequestId>[0-9a-f-]{36}<\/RequestId><\/ErrorResponse>$/);
  });
});

describe('GET /_local/state', () => {
  it('returns accounts, documents, call counts and the pipeline as JSON', async () => {
    // Prepare
    const cloud = await startCloud();
    await errorOf(
      new SSMClient(clientConfig(cloud, 'eu-west-1')).send(new GetDocumentCommand({ Name: DOC })),
    );
    // Act
    const state = (await (await fetch(`${cloud.url}/_local/state`)).json()) as LocalCloudSnapshot;
    // Assess
    expect(state.organization.managementAccountId).toBe(MANAGEMENT);
    expect(state.accounts.map((a) => a.accountId)).toContain(MANAGEMENT);
    expect(state.calls).toEqual([
      {
        accountId: MANAGEMENT,
        region: 'eu-west-1',
        operation: 'ssm:GetDocument',
        count: 1,
        errors: { InvalidDocument: 1 },
      },
    ]);
    expect(state.pipeline.name).toBe('AWSAccelerator-Pipeline');
  });
});
