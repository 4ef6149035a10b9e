import { AwsServiceError } from '../aws-error.ts';
import { ACCOUNT_ID_PATTERN, ROLE_NAME_PATTERN } from '../aws-names.ts';
import type { AccountRecord } from '../organization.ts';
import {
  decodeToken,
  encodeToken,
  epochSeconds,
  type Input,
  type OperationContext,
  optionalString,
  type ServiceDefinition,
} from '../service-definition.ts';

/** Organizations (awsJson1_1, `AWSOrganizationsV20161128.<Op>`); management account only. */

function requireManagement(ctx: OperationContext): void {
  const { world, accountId } = ctx;
  if (accountId === world.managementAccountId) return;
  if (!world.org.member(accountId, world.clock.nowMs())) {
    throw new AwsServiceError(
      'AWSOrganizationsNotInUseException',
      'Your account is not a member of an organization.',
    );
  }
  throw new AwsServiceError(
    'AccessDeniedException',
    "You don't have permissions to access this resource.",
    403,
  );
}

function invalidInput(reason: string, message: string): AwsServiceError {
  return new AwsServiceError('InvalidInputException', message, 400, { Reason: reason });
}

function account(ctx: OperationContext, record: AccountRecord) {
  return {
    Id: record.accountId,
    Arn: ctx.world.org.accountArn(record.accountId),
    Email: record.email,
    Name: record.name,
    // The deprecated Status knows ACTIVE, SUSPENDED and PENDING_CLOSURE only.
    Status: record.status === 'CLOSED' ? 'SUSPENDED' : record.status,
    State: record.status,
    // docs/aws-behaviour.md#join-method-and-join-time: the reliable way to tell a new vend from an old account, for every member.
    JoinedMethod: record.joinedMethod,
    JoinedTimestamp: epochSeconds((record.joinedMs ?? record.existsFromMs) as number),
  };
}

function createAccountStatus(ctx: OperationContext, id: string) {
  const request = ctx.world.org.request(id);
  if (!request) {
    throw new AwsServiceError(
      'CreateAccountStatusNotFoundException',
      "We can't find an create account request with the CreateAccountRequestId that you specified.",
    );
  }
  const done = ctx.world.clock.nowMs() >= request.completesAtMs;
  return {
    Id: request.id,
    AccountName: request.accountName,
    State: done ? request.outcome : 'IN_PROGRESS',
    RequestedTimestamp: epochSeconds(request.requestedMs),
    ...(done ? { CompletedTimestamp: epochSeconds(request.completesAtMs) } : {}),
    ...(done && request.accountId ? { AccountId: request.accountId } : {}),
    ...(done && request.failureReason ? { FailureReason: request.failureReason } : {}),
  };
}

const orgResource = (ctx: OperationContext) => ctx.world.org.arn;

function withManagement<T>(handle: (ctx: OperationContext, input: Input) => T) {
  return (ctx: OperationContext, input: Input): T => {
    requireManagement(ctx);
    return handle(ctx, input);
  };
}

/** Organizations' MaxResults (1-20, default 20) and NextToken, validated as AWS does. */
function paging(input: Input): { max: number; offset: number } {
  const max = input.MaxResults === undefined ? 20 : Number(input.MaxResults);
  if (!Number.isInteger(max) || max < 1 || max > 20) {
    throw invalidInput('INVALID_INPUT', 'MaxResults must be between 1 and 20.');
  }
  const offset = input.NextToken === undefined ? 0 : decodeToken(input.NextToken);
  if (offset === undefined) throw invalidInput('INVALID_NEXT_TOKEN', 'The specified NextToken is not valid.');
  return { max, offset };
}

export const organizationsService: ServiceDefinition = {
  id: 'organizations',
  protocol: 'json1.1',
  targetPrefix: 'AWSOrganizationsV20161128',
  accessDeniedStatus: 403,
  operations: {
    DescribeOrganization: {
      resource: orgResource,
      handle(ctx) {
        const { world } = ctx;
        if (!world.org.member(ctx.accountId, world.clock.nowMs())) {
          throw new AwsServiceError(
            'AWSOrganizationsNotInUseException',
            'Your account is not a member of an organization.',
          );
        }
        const management = world.org.member(world.managementAccountId, world.clock.nowMs()) as AccountRecord;
        return {
          Organization: {
            Id: world.org.organizationId,
            Arn: world.org.arn,
            FeatureSet: 'ALL',
            MasterAccountArn: world.org.accountArn(world.managementAccountId),
            MasterAccountId: world.managementAccountId,
            MasterAccountEmail: management.email,
            AvailablePolicyTypes: [{ Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' }],
          },
        };
      },
    },
    CreateAccount: {
      resource: orgResource,
      handle: withManagement((ctx, input) => {
        const email = optionalString(input, 'Email');
        const accountName = optionalString(input, 'AccountName');
        const roleName = optionalString(input, 'RoleName') ?? 'OrganizationAccountAccessRole';
        if (!email || !/^[^\s@]{1,64}@[^\s@]{1,255}\.[^\s@]{2,}$/.test(email) || email.length > 64) {
          throw invalidInput(
            'INVALID_EMAIL_ADDRESS_TARGET',
            'You provided a value that does not match the required pattern.',
          );
        }
        if (!accountName || accountName.length > 50) {
          throw invalidInput('INPUT_REQUIRED', 'You must specify a value for AccountName (1-50 characters).');
        }
        if (!ROLE_NAME_PATTERN.test(roleName)) {
          throw invalidInput(
            'INVALID_PATTERN',
            'You provided a value that does not match the required pattern.',
          );
        }
        const id = ctx.world.createAccount({ email, accountName, roleName });
        return { CreateAccountStatus: createAccountStatus(ctx, id) };
      }),
    },
    DescribeCreateAccountStatus: {
      resource: orgResource,
      handle: withManagement((ctx, input) => {
        const id = optionalString(input, 'CreateAccountRequestId');
        if (!id || !/^car-[a-z0-9]{8,32}$/.test(id)) {
          throw invalidInput(
            'INVALID_PATTERN',
            'You provided a value that does not match the required pattern.',
          );
        }
        return { CreateAccountStatus: createAccountStatus(ctx, id) };
      }),
    },
    ListCreateAccountStatus: {
      resource: orgResource,
      handle: withManagement((ctx, input) => {
        const { max, offset } = paging(input);
        const states = Array.isArray(input.States) ? input.States : undefined;
        const statuses = ctx.world.org
          .requests()
          .filter((r) => r.requestedMs <= ctx.world.clock.nowMs())
          .sort((a, b) => b.requestedMs - a.requestedMs)
          .map((r) => createAccountStatus(ctx, r.id))
          .filter((s) => !states || states.includes(s.State));
        return {
          CreateAccountStatuses: statuses.slice(offset, offset + max),
          ...(offset + max < statuses.length ? { NextToken: encodeToken(offset + max) } : {}),
        };
      }),
    },
    ListAccounts: {
      resource: orgResource,
      handle: withManagement((ctx, input) => {
        const { max, offset } = paging(input);
        const members = ctx.world.org.members(ctx.world.clock.nowMs());
        const page = members.slice(offset, offset + max);
        return {
          Accounts: page.map((record) => account(ctx, record)),
          ...(offset + max < members.length ? { NextToken: encodeToken(offset + max) } : {}),
        };
      }),
    },
    DescribeAccount: {
      resource: (ctx, input) =>
        `arn:aws:organizations::${ctx.world.managementAccountId}:account/${ctx.world.org.organizationId}/${optionalString(input, 'AccountId') ?? '*'}`,
      handle: withManagement((ctx, input) => {
        const accountId = optionalString(input, 'AccountId');
        if (!accountId || !ACCOUNT_ID_PATTERN.test(accountId)) {
          throw invalidInput(
            'INVALID_PATTERN',
            'You provided a value that does not match the required pattern.',
          );
        }
        const record = ctx.world.org.member(accountId, ctx.world.clock.nowMs());
        if (!record) {
          throw new AwsServiceError(
            'AccountNotFoundException',
            "You specified an account that doesn't exist.",
          );
        }
        return { Account: account(ctx, record) };
      }),
    },
  },
};
