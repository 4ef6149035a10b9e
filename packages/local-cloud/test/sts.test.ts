import { DescribeOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import {
  CreateDocumentCommand,
  GetDocumentCommand,
  SSMClient,
  UpdateDocumentCommand,
} from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { parsePolicyDocument } from '../src/iam-policy.ts';
import {
  assumeRole,
  baseScenario,
  clientConfig,
  DOC,
  elapse,
  errorOf,
  MANAGEMENT,
  MEMBER,
  sessionDocument,
  startCloud,
} from '../src/testing.ts';

const ROLE = `arn:aws:iam::${MEMBER}:role/OrganizationAccountAccessRole`;

describe('STS GetCallerIdentity', () => {
  it('identifies the test key as the management account user', async () => {
    // Prepare
    const cloud = await startCloud();
    // Act
    const out = await new STSClient(clientConfig(cloud)).send(new GetCallerIdentityCommand({}));
    // Assess
    expect(out.Account).toBe(MANAGEMENT);
    expect(out.Arn).toBe(`arn:aws:iam::${MANAGEMENT}:user/local-admin`);
    expect(out.UserId).toMatch(/^AIDA[A-Z0-9]{17}$/);
    expect(out.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('identifies an assumed-role session in the member account', async () => {
    // Prepare
    const cloud = await startCloud();
    const credentials = await assumeRole(cloud, MEMBER);
    // Act
    const out = await new STSClient(clientConfig(cloud, 'us-east-1', credentials)).send(
      new GetCallerIdentityCommand({}),
    );
    // Assess
    expect(out.Account).toBe(MEMBER);
    expect(out.Arn).toBe(`arn:aws:sts::${MEMBER}:assumed-role/OrganizationAccountAccessRole/test-session`);
    expect(out.UserId).toMatch(/^AROA[A-Z0-9]{17}:test-session$/);
  });

  it('rejects an unknown access key with InvalidClientTokenId (403)', async () => {
    // Prepare
    const cloud = await startCloud();
    const sts = new STSClient(
      clientConfig(cloud, 'us-east-1', { accessKeyId: 'AKIAUNKNOWN0000000000', secretAccessKey: 'x' }),
    );
    // Act
    const error = await errorOf(sts.send(new GetCallerIdentityCommand({})));
    // Assess
    expect(error.name).toBe('InvalidClientTokenId');
    expect(error.$metadata.httpStatusCode).toBe(403);
  });

  it('rejects a wrong secret with SignatureDoesNotMatch', async () => {
    // Prepare
    const cloud = await startCloud();
    const sts = new STSClient(
      clientConfig(cloud, 'us-east-1', { accessKeyId: 'test', secretAccessKey: 'wrong' }),
    );
    // Act
    const error = await errorOf(sts.send(new GetCallerIdentityCommand({})));
    // Assess
    expect(error.name).toBe('SignatureDoesNotMatch');
    expect(error.$metadata.httpStatusCode).toBe(403);
  });
});

describe('STS AssumeRole', () => {
  it('returns ASIA temporary credentials and the assumed-role user', async () => {
    // Prepare
    const cloud = await startCloud();
    // Act
    const out = await new STSClient(clientConfig(cloud)).send(
      new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'runas', DurationSeconds: 900 }),
    );
    // Assess
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA[A-Z0-9]{16}$/);
    expect(out.Credentials?.SecretAccessKey).toHaveLength(40);
    expect(out.Credentials?.SessionToken).toBeTruthy();
    expect(out.Credentials?.Expiration).toBeInstanceOf(Date);
    expect(out.AssumedRoleUser?.Arn).toBe(
      `arn:aws:sts::${MEMBER}:assumed-role/OrganizationAccountAccessRole/runas`,
    );
  });

  it('denies the role with AccessDenied (403) before it is ready, then succeeds after', async () => {
    // Prepare: the role becomes assumable 200 simulated seconds after the start.
    const cloud = await startCloud(
      baseScenario({
        accounts: [{ accountId: MEMBER, name: 'm', roles: { OrganizationAccountAccessRole: 200 } }],
      }),
    );
    const sts = new STSClient(clientConfig(cloud));
    const request = () => sts.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'early' }));
    // Act
    const early = await errorOf(request());
    await elapse(250);
    const late = await request();
    // Assess
    expect(early.name).toBe('AccessDenied');
    expect(early.$metadata.httpStatusCode).toBe(403);
    expect(early.message).toBe(
      `User: arn:aws:iam::${MANAGEMENT}:user/local-admin is not authorized to perform: sts:AssumeRole on resource: ${ROLE}`,
    );
    expect(late.Credentials?.AccessKeyId).toMatch(/^ASIA/);
  });

  it('denies a role that does not exist, and an account that does not exist', async () => {
    // Prepare
    const cloud = await startCloud();
    const sts = new STSClient(clientConfig(cloud));
    // Act
    const noRole = await errorOf(
      sts.send(
        new AssumeRoleCommand({
          RoleArn: `arn:aws:iam::${MEMBER}:role/AWSControlTowerExecution`,
          RoleSessionName: 'ss',
        }),
      ),
    );
    const noAccount = await errorOf(
      sts.send(
        new AssumeRoleCommand({
          RoleArn: 'arn:aws:iam::444444444444:role/OrganizationAccountAccessRole',
          RoleSessionName: 'ss',
        }),
      ),
    );
    // Assess
    expect(noRole.name).toBe('AccessDenied');
    expect(noAccount.name).toBe('AccessDenied');
  });

  it('denies role chaining from a member session (the roles trust only the management account)', async () => {
    // Prepare
    const cloud = await startCloud();
    const member = await assumeRole(cloud, MEMBER);
    // Act
    const error = await errorOf(
      new STSClient(clientConfig(cloud, 'us-east-1', member)).send(
        new AssumeRoleCommand({
          RoleArn: 'arn:aws:iam::333333333333:role/OrganizationAccountAccessRole',
          RoleSessionName: 'ss',
        }),
      ),
    );
    // Assess
    expect(error.name).toBe('AccessDenied');
  });

  it('rejects invalid DurationSeconds and session names with ValidationError', async () => {
    // Prepare
    const cloud = await startCloud();
    const sts = new STSClient(clientConfig(cloud));
    // Act
    const short = await errorOf(
      sts.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 's1', DurationSeconds: 100 })),
    );
    const long = await errorOf(
      sts.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 's1', DurationSeconds: 7200 })),
    );
    const name = await errorOf(
      sts.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'bad name' })),
    );
    // Assess
    expect([short.name, long.name, name.name]).toEqual([
      'ValidationError',
      'ValidationError',
      'ValidationError',
    ]);
    expect(long.message).toContain('MaxSessionDuration');
  });

  it('rejects a malformed or oversized session policy', async () => {
    // Prepare
    const cloud = await startCloud();
    const sts = new STSClient(clientConfig(cloud));
    const huge = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'ssm:GetDocument', Resource: 'x'.repeat(2100) }],
    };
    // Act
    const malformed = await errorOf(
      sts.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 's1', Policy: '{nope' })),
    );
    const tooLarge = await errorOf(
      sts.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 's1', Policy: JSON.stringify(huge) })),
    );
    // Assess
    // The SDK maps the wire codes MalformedPolicyDocument / PackedPolicyTooLarge to its exception classes.
    expect(malformed.name).toBe('MalformedPolicyDocumentException');
    expect(tooLarge.name).toBe('PackedPolicyTooLargeException');
    expect(tooLarge.message).toMatch(/^Packed policy consumes \d+% of allotted space/);
  });

  it('expires temporary credentials after DurationSeconds of simulated time (ExpiredToken)', async () => {
    // Prepare: credentials for 900 simulated seconds, then 1,500 simulated seconds pass.
    const cloud = await startCloud();
    const credentials = await assumeRole(cloud, MEMBER, { durationSeconds: 900 });
    await elapse(1500);
    // Act
    const sts = await errorOf(
      new STSClient(clientConfig(cloud, 'us-east-1', credentials)).send(new GetCallerIdentityCommand({})),
    );
    const ssm = await errorOf(
      new SSMClient(clientConfig(cloud, 'us-east-1', credentials)).send(
        new GetDocumentCommand({ Name: DOC }),
      ),
    );
    // Assess
    expect(sts.name).toBe('ExpiredToken');
    expect(ssm.name).toBe('ExpiredTokenException');
  });
});

describe('session policies', () => {
  const readOnly = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: ['ssm:GetDocument', 'ssm:CreateDocument'],
        Resource: `arn:aws:ssm:*:*:document/${DOC}`,
      },
    ],
  };

  it('denies an action the session policy does not allow, with AWS wording', async () => {
    // Prepare
    const cloud = await startCloud();
    const credentials = await assumeRole(cloud, MEMBER, { policy: readOnly });
    const ssm = new SSMClient(clientConfig(cloud, 'us-east-1', credentials));
    await ssm.send(
      new CreateDocumentCommand({ Name: DOC, Content: sessionDocument(), DocumentType: 'Session' }),
    );
    // Act
    const error = await errorOf(
      ssm.send(
        new UpdateDocumentCommand({
          Name: DOC,
          Content: sessionDocument({ runAsEnabled: true }),
          DocumentVersion: '$LATEST',
        }),
      ),
    );
    // Assess
    expect(error.name).toBe('AccessDeniedException');
    expect(error.message).toBe(
      `User: arn:aws:sts::${MEMBER}:assumed-role/OrganizationAccountAccessRole/test-session is not authorized to perform: ` +
        `ssm:UpdateDocument on resource: arn:aws:ssm:us-east-1:${MEMBER}:document/${DOC} because no session policy allows the ssm:UpdateDocument action`,
    );
    expect(cloud.state.document(MEMBER, 'us-east-1')?.latestVersion).toBe('1');
  });

  it('allows what the policy allows and denies other resources', async () => {
    // Prepare
    const cloud = await startCloud();
    const credentials = await assumeRole(cloud, MEMBER, { policy: readOnly });
    const ssm = new SSMClient(clientConfig(cloud, 'us-east-1', credentials));
    // Act
    const created = await ssm.send(
      new CreateDocumentCommand({ Name: DOC, Content: sessionDocument(), DocumentType: 'Session' }),
    );
    const other = await errorOf(ssm.send(new GetDocumentCommand({ Name: 'Other-Document' })));
    // Assess
    expect(created.DocumentDescription?.Name).toBe(DOC);
    expect(other.name).toBe('AccessDeniedException');
  });

  it('lets an explicit Deny win over an Allow', async () => {
    // Prepare
    const cloud = await startCloud();
    const policy = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'ssm:*', Resource: '*' },
        { Effect: 'Deny', Action: 'ssm:GetDocument', Resource: '*' },
      ],
    };
    const credentials = await assumeRole(cloud, MEMBER, { policy });
    // Act
    const error = await errorOf(
      new SSMClient(clientConfig(cloud, 'us-east-1', credentials)).send(
        new GetDocumentCommand({ Name: DOC }),
      ),
    );
    // Assess
    expect(error.name).toBe('AccessDeniedException');
    expect(error.message).toContain('with an explicit deny in a session policy');
  });
});

describe("STS AssumeRole under the caller's identity-based policies", () => {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a template.
  const CALLER_ORG = '${aws:PrincipalOrgID}';
  /** A deployment whose role may assume OrganizationAccountAccessRole only where the condition holds. */
  async function callerWith(conditionFor: (orgId: string) => Record<string, Record<string, string>>) {
    const cloud = await startCloud();
    const org = await new OrganizationsClient(clientConfig(cloud)).send(new DescribeOrganizationCommand({}));
    const orgId = org.Organization!.Id!;
    const keys = { accessKeyId: 'AKIAROLEKEY000000001', secretAccessKey: 'role-secret' };
    const policy = parsePolicyDocument(
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'sts:AssumeRole',
            Resource: 'arn:aws:iam::*:role/OrganizationAccountAccessRole',
            Condition: conditionFor(orgId),
          },
        ],
      }),
    );
    cloud.setDeployment({
      stacks: [],
      rules: [],
      stateMachines: [],
      topics: [],
      alarms: [],
      serviceControlPolicies: [],
      roleKeys: [{ name: 'Bootstrapper-MemberSessions', policies: [policy], ...keys }],
    });
    return { sts: new STSClient(clientConfig(cloud, 'us-east-1', keys)), orgId };
  }
  const assume = (sts: STSClient) =>
    sts.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'fenced' }));

  it('allows a role in the organization when aws:ResourceOrgID names it, and refuses it for another', async () => {
    // Prepare
    const ours = await callerWith((orgId) => ({ StringEquals: { 'aws:ResourceOrgID': orgId } }));
    const theirs = await callerWith(() => ({ StringEquals: { 'aws:ResourceOrgID': 'o-0ther0rg000' } }));
    // Act
    const allowed = await assume(ours.sts);
    const denied = await errorOf(assume(theirs.sts));
    // Assess
    expect(allowed.Credentials?.AccessKeyId).toMatch(/^ASIA/);
    expect(denied.name).toBe('AccessDenied');
    expect(denied.message).toContain('no identity-based policy allows');
  });

  it("resolves the policy variable aws:PrincipalOrgID to the caller's organization, the members' own", async () => {
    // Prepare
    const { sts } = await callerWith(() => ({
      StringEquals: { 'aws:ResourceOrgID': CALLER_ORG },
    }));
    // Act
    const out = await assume(sts);
    // Assess
    expect(out.AssumedRoleUser?.Arn).toBe(
      `arn:aws:sts::${MEMBER}:assumed-role/OrganizationAccountAccessRole/fenced`,
    );
  });

  it('refuses an account the grant excludes by aws:ResourceAccount, and a role it does not name', async () => {
    // Prepare
    const { sts, orgId } = await callerWith(() => ({
      StringEquals: { 'aws:ResourceOrgID': CALLER_ORG },
      StringNotEquals: { 'aws:ResourceAccount': MEMBER },
    }));
    // Act
    const fencedOut = await errorOf(assume(sts));
    const otherRole = await errorOf(
      sts.send(
        new AssumeRoleCommand({
          RoleArn: `arn:aws:iam::${MEMBER}:role/AWSControlTowerExecution`,
          RoleSessionName: 'fenced',
        }),
      ),
    );
    // Assess
    expect(orgId).toMatch(/^o-/);
    expect(fencedOut.message).toContain('no identity-based policy allows');
    expect(otherRole.message).toContain('no identity-based policy allows');
  });
});
