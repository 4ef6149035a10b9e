import { SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { MemberSessions, sessionPolicy } from '#adapters/member-session.ts';
import {
  CredentialsRejectedError,
  RoleNotAssumableError,
  StsRegionDisabledError,
} from '#core/shared/errors.ts';

const sts = mockClient(STSClient);
const ACCOUNT = '222222222222';

function denied() {
  return Object.assign(new Error('not authorized to perform sts:AssumeRole'), {
    name: 'AccessDenied',
    $metadata: { httpStatusCode: 403 },
  });
}

function credentials(expiresInMs = 900_000, now = Date.now()) {
  return {
    Credentials: {
      AccessKeyId: 'ASIAEXAMPLE',
      SecretAccessKey: 'secret-value',
      SessionToken: 'token-value',
      Expiration: new Date(now + expiresInMs),
    },
  };
}

function sessions(now = () => Date.now(), region = 'us-east-1') {
  return new MemberSessions({
    sts: new STSClient({ region }),
    region,
    roleNames: ['AWSControlTowerExecution', 'OrganizationAccountAccessRole'],
    now,
    SSMClient,
  });
}

describe('MemberSessions.open', () => {
  beforeEach(() => {
    sts.reset();
  });

  it.each([
    ['InvalidClientTokenId', 403, CredentialsRejectedError],
    ['SignatureDoesNotMatch', 403, CredentialsRejectedError],
    ['ExpiredToken', 400, CredentialsRejectedError],
    ['RegionDisabledException', 403, StsRegionDisabledError],
  ])(
    '%s (HTTP %i) is not "role not ready": it fails at once, naming the cause',
    async (name, status, Expected) => {
      // Prepare
      sts.on(AssumeRoleCommand).rejects(
        Object.assign(new Error(`${name}: the real cause`), {
          name,
          $metadata: { httpStatusCode: status },
        }),
      );
      // Act
      const attempt = sessions().open(ACCOUNT);
      // Assess
      await expect(attempt).rejects.toBeInstanceOf(Expected);
      await expect(sessions().open(ACCOUNT)).rejects.toMatchObject({
        retryable: false,
        message: expect.stringContaining(`${name}: ${name}: the real cause`),
      });
      // The first role's answer is enough: the next role would get the same.
      expect(sts.commandCalls(AssumeRoleCommand).length).toBe(2);
    },
  );

  it('only AccessDenied means the role is not ready yet', async () => {
    // Prepare
    sts.on(AssumeRoleCommand).rejects(denied());
    // Act
    const attempt = sessions().open(ACCOUNT);
    // Assess
    await expect(attempt).rejects.toBeInstanceOf(RoleNotAssumableError);
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
  });

  it('gives ssm:DeleteDocument to the prune session alone, and nothing else with it', () => {
    // Act
    const actions = (access: 'read' | 'write' | 'prune') =>
      JSON.parse(sessionPolicy('aws', ACCOUNT, access)).Statement[0].Action as string[];
    // Assess
    expect(actions('write')).not.toContain('ssm:DeleteDocument');
    expect(actions('write')).toContain('ssm:UpdateDocument');
    expect(actions('read')).not.toContain('ssm:DeleteDocument');
    expect(actions('prune').sort()).toEqual(['ssm:DeleteDocument', 'ssm:ListDocumentVersions']);
  });

  it('opens no prune session when pruning is off', async () => {
    // Prepare
    sts.on(AssumeRoleCommand).resolves(credentials());
    const off = new MemberSessions({
      sts: new STSClient({ region: 'us-east-1' }),
      region: 'us-east-1',
      roleNames: ['OrganizationAccountAccessRole'],
      pruneVersions: false,
    });
    // Act
    const attempt = off.open(ACCOUNT, 'prune');
    // Assess
    await expect(attempt).rejects.toMatchObject({ name: 'ConfigurationError' });
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
  });

  it('tries only the roles it is asked to, and only configured ones', async () => {
    // Prepare
    sts.on(AssumeRoleCommand).rejects(denied());
    // Act
    const one = sessions().open(ACCOUNT, 'write', { roles: ['OrganizationAccountAccessRole'] });
    const foreign = sessions().open(ACCOUNT, 'write', { roles: ['Admin'] });
    // Assess
    await expect(one).rejects.toBeInstanceOf(RoleNotAssumableError);
    await expect(foreign).rejects.toMatchObject({ name: 'ConfigurationError' });
    const arns = sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input.RoleArn);
    expect(arns).toEqual([`arn:aws:iam::${ACCOUNT}:role/OrganizationAccountAccessRole`]);
  });

  it('assumes the first role with a session policy scoped to the document', async () => {
    // Prepare
    sts.on(AssumeRoleCommand).resolves(credentials());
    // Act
    const session = await sessions().open(ACCOUNT);
    // Assess
    expect(session.roleName).toBe('AWSControlTowerExecution');
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
    const input = sts.commandCalls(AssumeRoleCommand)[0]!.args[0].input;
    expect(input.RoleArn).toBe(`arn:aws:iam::${ACCOUNT}:role/AWSControlTowerExecution`);
    const policy = JSON.parse(input.Policy!);
    expect(policy.Statement).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Resource: `arn:aws:ssm:*:${ACCOUNT}:document/SSM-SessionManagerRunShell`,
        Action: expect.arrayContaining([
          'ssm:GetDocument',
          'ssm:UpdateDocument',
          'ssm:UpdateDocumentDefaultVersion',
        ]),
      }),
    ]);
    expect(input.Policy!.length).toBeLessThanOrEqual(2048);
  });

  it('falls through to the next role name when the first is denied', async () => {
    // Prepare
    sts
      .on(AssumeRoleCommand, { RoleArn: `arn:aws:iam::${ACCOUNT}:role/AWSControlTowerExecution` })
      .rejects(denied())
      .on(AssumeRoleCommand, { RoleArn: `arn:aws:iam::${ACCOUNT}:role/OrganizationAccountAccessRole` })
      .resolves(credentials());
    // Act
    const session = await sessions().open(ACCOUNT);
    // Assess
    expect(session.roleName).toBe('OrganizationAccountAccessRole');
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
  });

  it('throws the retryable RoleNotAssumableError when every role is denied', async () => {
    // Prepare
    sts.on(AssumeRoleCommand).rejects(denied());
    // Act
    const attempt = sessions().open(ACCOUNT);
    // Assess
    await expect(attempt).rejects.toMatchObject({ name: 'RoleNotAssumableError', retryable: true });
  });

  it('classifies throttling as ThrottlingError instead of trying the next role', async () => {
    // Prepare
    sts
      .on(AssumeRoleCommand)
      .rejects(
        Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $retryable: { throttling: true } }),
      );
    // Act
    const attempt = sessions().open(ACCOUNT);
    // Assess
    await expect(attempt).rejects.toMatchObject({ name: 'ThrottlingError' });
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
  });

  it('rejects a malformed account id before calling STS', async () => {
    // Act
    const attempt = sessions().open('12345678901/../x');
    // Assess
    await expect(attempt).rejects.toMatchObject({ name: 'InvalidRequestError' });
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
  });

  it('reuses credentials until shortly before they expire', async () => {
    // Prepare
    let now = 1_000_000;
    sts.on(AssumeRoleCommand).callsFake(() => credentials(900_000, now));
    const factory = sessions(() => now);
    // Act
    await factory.open(ACCOUNT);
    now += 700_000;
    await factory.open(ACCOUNT);
    now += 150_000; // within the refresh margin
    await factory.open(ACCOUNT);
    // Assess
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
  });

  it('shares one AssumeRole among concurrent opens of the same session, and retries after a failure', async () => {
    // Prepare
    sts.on(AssumeRoleCommand).resolves(credentials());
    const pool = sessions();
    // Act
    const opened = await Promise.all([1, 2, 3, 4].map(() => pool.open(ACCOUNT, 'write')));
    // Assess
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
    expect(new Set(opened.map((s) => s.roleName))).toEqual(new Set(['AWSControlTowerExecution']));
    // A failed attempt is not remembered: the next open asks STS again.
    const other = '333333333333';
    sts.reset();
    sts.on(AssumeRoleCommand).rejects(denied());
    await expect(Promise.all([pool.open(other), pool.open(other)])).rejects.toThrow(RoleNotAssumableError);
    // Two role names, tried once for both opens.
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
    await expect(pool.open(other)).rejects.toThrow(RoleNotAssumableError);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(4);
  });

  it('keeps read and write sessions apart, with a read-only policy for reads', async () => {
    // Prepare
    sts.on(AssumeRoleCommand).resolves(credentials());
    const factory = sessions();
    // Act
    await factory.open(ACCOUNT, 'write');
    const read = await factory.open(ACCOUNT, 'read');
    // Assess
    expect(read.access).toBe('read');
    const policy = JSON.parse(sts.commandCalls(AssumeRoleCommand)[1]!.args[0].input.Policy!);
    expect(policy.Statement[0].Action).toEqual([
      'ssm:GetDocument',
      'ssm:DescribeDocument',
      'ssm:ListDocumentVersions',
    ]);
  });

  it('uses the partition of its region in every ARN', async () => {
    // Prepare
    sts.on(AssumeRoleCommand).resolves(credentials());
    // Act
    await sessions(Date.now, 'cn-north-1').open(ACCOUNT);
    // Assess
    const input = sts.commandCalls(AssumeRoleCommand)[0]!.args[0].input;
    expect(input.RoleArn).toBe(`arn:aws-cn:iam::${ACCOUNT}:role/AWSControlTowerExecution`);
    expect(input.Policy).toContain(`arn:aws-cn:ssm:*:${ACCOUNT}:document/SSM-SessionManagerRunShell`);
  });

  it('never exposes credentials when the session is serialized', async () => {
    // Prepare
    sts.on(AssumeRoleCommand).resolves(credentials());
    // Act
    const session = await sessions().open(ACCOUNT);
    // Assess
    const text = JSON.stringify(session);
    expect(text).not.toContain('secret-value');
    expect(text).not.toContain('token-value');
    expect(JSON.parse(text)).toEqual({
      accountId: ACCOUNT,
      roleName: 'AWSControlTowerExecution',
      access: 'write',
    });
  });

  it('gives a session SSM client that signs with the assumed credentials', async () => {
    // Prepare
    sts.on(AssumeRoleCommand).resolves(credentials());
    const session = await sessions().open(ACCOUNT);
    // Act
    const resolved = await session.ssm('eu-west-1').config.credentials();
    // Assess
    expect(resolved.accessKeyId).toBe('ASIAEXAMPLE');
    expect(await session.ssm('eu-west-1').config.region()).toBe('eu-west-1');
    expect(session.ssm('eu-west-1')).toBe(session.ssm('eu-west-1'));
  });
});

describe('sessionPolicy', () => {
  it('fits the AssumeRole policy size limit', () => {
    expect(sessionPolicy('aws-us-gov', ACCOUNT, 'write').length).toBeLessThan(2048);
  });
});
