import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { callerAccount, ManagementAccount } from '#adapters/management-account.ts';

const sts = mockClient(STSClient);

describe('ManagementAccount', () => {
  beforeEach(() => sts.reset());

  it('asks STS for the caller account once, however often it is asked', async () => {
    // Prepare
    sts
      .on(GetCallerIdentityCommand)
      .resolves({ Account: '111122223333', Arn: 'arn:aws:iam::111122223333:user/op' });
    const account = new ManagementAccount({ region: 'eu-west-1' });

    // Act
    const ids = await Promise.all([account.callerAccount(), account.callerAccount()]);

    // Assess
    expect(ids).toEqual(['111122223333', '111122223333']);
    expect(sts).toHaveReceivedCommandTimes(GetCallerIdentityCommand, 1);
  });

  it('fails clearly when STS names no account', async () => {
    // Prepare
    sts.on(GetCallerIdentityCommand).resolves({});

    // Act / Assess
    await expect(callerAccount(new STSClient({ region: 'eu-west-1' }))).rejects.toThrow(
      'STS GetCallerIdentity returned no account',
    );
  });

  it('builds every client for the endpoint and the region it was given', async () => {
    // Prepare
    const account = new ManagementAccount({
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:4599',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    sts.on(GetCallerIdentityCommand).callsFake(async (_input, getClient) => {
      const client = getClient() as STSClient;
      const endpoint = await client.config.endpoint?.();
      return { Account: `${await client.config.region()}|${endpoint?.hostname}:${endpoint?.port}` };
    });

    // Act
    const seen = await account.callerAccount();

    // Assess
    expect(seen).toBe('eu-west-1|127.0.0.1:4599');
  });
});
