import { AwsServiceError } from '../aws-error.ts';
import { type PolicyDocument, parsePolicyDocument } from '../iam-policy.ts';
import type { Principal } from '../identity.ts';
import {
  type Input,
  type OperationContext,
  optionalString,
  type ServiceDefinition,
} from '../service-definition.ts';
import { xmlEscape } from '../wire.ts';

/** STS over the awsQuery protocol. Handlers return the XML inside `<OpResult>`. */

const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/((?:[\w+=,.@-]+\/)*)([\w+=,.@-]{1,64})$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const MAX_PACKED_POLICY = 2048;

function validation(message: string): AwsServiceError {
  return new AwsServiceError('ValidationError', message);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

function iso(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function accessDenied(caller: Principal, roleArn: string): AwsServiceError {
  return new AwsServiceError(
    'AccessDenied',
    `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
    403,
  );
}

function assumeRole(ctx: OperationContext, input: Input): string {
  const { world, principal: caller } = ctx;
  const roleArn = optionalString(input, 'RoleArn');
  const sessionName = optionalString(input, 'RoleSessionName');
  if (!roleArn || roleArn.length < 20) {
    throw validation(
      `1 validation error detected: Value '${roleArn ?? 'null'}' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20`,
    );
  }
  if (!sessionName || !SESSION_NAME.test(sessionName)) {
    throw validation(
      `1 validation error detected: Value '${sessionName ?? 'null'}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`,
    );
  }
  const match = ROLE_ARN.exec(roleArn);
  if (!match) throw validation(`${roleArn} is invalid`);
  const [, accountId, , roleName] = match as unknown as [string, string, string, string];

  const chained = caller.kind === 'assumed-role';
  const durationText = optionalString(input, 'DurationSeconds');
  const duration = durationText === undefined ? 3600 : Number(durationText);
  if (!Number.isInteger(duration) || duration < 900) {
    throw validation(
      `1 validation error detected: Value '${durationText}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900`,
    );
  }
  if (duration > 43200) {
    throw validation(
      `1 validation error detected: Value '${durationText}' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200`,
    );
  }
  if (chained && duration > 3600) {
    throw validation(
      'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
    );
  }
  if (duration > 3600)
    throw validation('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');

  let sessionPolicy: PolicyDocument | undefined;
  const policyText = optionalString(input, 'Policy');
  let packedPercent: number | undefined;
  if (policyText !== undefined) {
    sessionPolicy = parsePolicyDocument(policyText);
    const packed = JSON.stringify(JSON.parse(policyText)).length;
    packedPercent = Math.ceil((packed / MAX_PACKED_POLICY) * 100);
    if (packed > MAX_PACKED_POLICY) {
      throw new AwsServiceError(
        'PackedPolicyTooLarge',
        `Packed policy consumes ${packedPercent}% of allotted space, please use smaller policy for this session.`,
      );
    }
  }
  if (optionalString(input, 'PolicyArns.member.1.arn') !== undefined) {
    throw new AwsServiceError(
      'MalformedPolicyDocument',
      'The local cloud does not support managed session policies.',
    );
  }

  world.countAssumeRole(accountId);
  // STS deactivated in this region for the account asked to issue the credentials (AWS: 403).
  if (world.stsRegionDisabled(accountId, ctx.region)) {
    throw new AwsServiceError(
      'RegionDisabledException',
      `STS is not activated in this region for account:${accountId}. Your account administrator can activate STS in this region using the IAM Console.`,
      403,
    );
  }
  // The member roles trust only the management account.
  const nowMs = world.clock.nowMs();
  const account = world.org.member(accountId, nowMs);
  const readyAt = account?.roles.get(roleName);
  // The trust policy, matched against aws:PrincipalArn (a role session's role ARN). Member roles
  // trust the management account; a deployed role names its principals (a hub's hop role).
  const trust = world.org.trustOf(accountId, roleName);
  const principalArn = caller.roleArn ?? caller.arn;
  const trusted = trust
    ? trust.some((pattern) =>
        new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`).test(principalArn),
      )
    : caller.accountId === world.managementAccountId;
  if (account?.status !== 'ACTIVE' || readyAt === undefined || readyAt > nowMs || !trusted) {
    throw accessDenied(caller, roleArn);
  }

  const roleId = account.roleIds.get(roleName) as string;
  const expiresAtMs = nowMs + duration * 1000;
  const assumedArn = `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}`;
  const session = world.credentials.issueSession({
    kind: 'assumed-role',
    accountId,
    arn: assumedArn,
    userId: `${roleId}:${sessionName}`,
    roleName,
    roleArn: `arn:aws:iam::${accountId}:role/${roleName}`,
    sessionName,
    ...(sessionPolicy ? { sessionPolicy } : {}),
    expiresAtMs,
  });
  return [
    '<Credentials>',
    `<AccessKeyId>${session.accessKeyId}</AccessKeyId>`,
    `<SecretAccessKey>${xmlEscape(session.secretAccessKey)}</SecretAccessKey>`,
    `<SessionToken>${xmlEscape(session.sessionToken as string)}</SessionToken>`,
    `<Expiration>${iso(expiresAtMs)}</Expiration>`,
    '</Credentials>',
    '<AssumedRoleUser>',
    `<AssumedRoleId>${xmlEscape(`${roleId}:${sessionName}`)}</AssumedRoleId>`,
    `<Arn>${xmlEscape(assumedArn)}</Arn>`,
    '</AssumedRoleUser>',
    packedPercent !== undefined ? `<PackedPolicySize>${packedPercent}</PackedPolicySize>` : '',
  ].join('');
}

function getCallerIdentity(ctx: OperationContext): string {
  const { principal } = ctx;
  return [
    `<Arn>${xmlEscape(principal.arn)}</Arn>`,
    `<UserId>${xmlEscape(principal.userId)}</UserId>`,
    `<Account>${principal.accountId}</Account>`,
  ].join('');
}

export const stsService: ServiceDefinition = {
  id: 'sts',
  protocol: 'query',
  accessDeniedStatus: 403,
  operations: {
    AssumeRole: {
      resource: (_ctx, input) => optionalString(input, 'RoleArn') ?? '*',
      handle: assumeRole,
    },
    GetCallerIdentity: { unauthorized: true, handle: getCallerIdentity },
  },
};
