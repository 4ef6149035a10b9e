/**
 * Who may make a call: the authentication errors of each protocol, and IAM's decision over the
 * caller's identity policies, session policy and the organization's service control policies.
 */
import { AwsServiceError } from './aws-error.ts';
import {
  evaluatePolicy,
  evaluateServiceControlPolicies,
  parsePolicyDocument,
  type RequestContext,
} from './iam-policy.ts';
import type { Input, OperationContext, ServiceDefinition } from './service-definition.ts';

export function isQuery(service: ServiceDefinition | undefined): boolean {
  return !service || service.protocol === 'query';
}

export function authError(
  query: boolean,
  kind: 'missing' | 'unknown' | 'expired' | 'signature',
): AwsServiceError {
  switch (kind) {
    case 'missing':
      return query
        ? new AwsServiceError('MissingAuthenticationToken', 'Request is missing Authentication Token', 403)
        : new AwsServiceError('MissingAuthenticationTokenException', 'Missing Authentication Token', 400);
    case 'unknown':
      return query
        ? new AwsServiceError(
            'InvalidClientTokenId',
            'The security token included in the request is invalid.',
            403,
          )
        : new AwsServiceError(
            'UnrecognizedClientException',
            'The security token included in the request is invalid.',
            400,
          );
    case 'expired':
      return query
        ? new AwsServiceError('ExpiredToken', 'The security token included in the request is expired', 400)
        : new AwsServiceError(
            'ExpiredTokenException',
            'The security token included in the request is expired',
            400,
          );
    case 'signature':
      return query
        ? new AwsServiceError(
            'SignatureDoesNotMatch',
            'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
            403,
          )
        : new AwsServiceError(
            'InvalidSignatureException',
            'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
            400,
          );
  }
}

/** The account an ARN names (its fifth field), or undefined for `*` and account-less ARNs. */
function arnAccount(arn: string): string | undefined {
  const account = arn.split(':')[4];
  return account && /^\d{12}$/.test(account) ? account : undefined;
}

/**
 * The global condition keys of a request that the local cloud knows (IAM User Guide, "AWS global
 * condition context keys"): the principal's ARN, account and organization, and the resource's
 * account and organization. An account outside the organization has no organization id, so a
 * condition on it fails, as in IAM.
 */
export function requestContext(ctx: OperationContext, resource: string): RequestContext {
  const { world, principal } = ctx;
  const nowMs = world.clock.nowMs();
  const orgOf = (accountId: string | undefined) =>
    accountId !== undefined &&
    (accountId === world.managementAccountId || world.org.member(accountId, nowMs) !== undefined)
      ? world.org.organizationId
      : undefined;
  const resourceAccount = arnAccount(resource) ?? ctx.accountId;
  return {
    'aws:PrincipalArn': principal.roleArn ?? principal.arn,
    'aws:PrincipalAccount': principal.accountId,
    'aws:PrincipalOrgID': orgOf(principal.accountId),
    'aws:ResourceAccount': resourceAccount,
    'aws:ResourceOrgID': orgOf(resourceAccount),
  };
}

/** A principal with identity policies needs an Allow from one of them and no explicit Deny. */
function identityPolicyDenies(ctx: OperationContext, action: string, resource: string): string | undefined {
  const policies = ctx.principal.identityPolicies;
  if (!policies) return undefined;
  const context = requestContext(ctx, resource);
  const decisions = policies.map((policy) => evaluatePolicy(policy, action, resource, context));
  if (decisions.includes('explicit-deny')) return 'with an explicit deny in an identity-based policy';
  return decisions.includes('allow') ? undefined : 'because no identity-based policy allows the action';
}

function sessionPolicyDenies(ctx: OperationContext, action: string, resource: string): string | undefined {
  const policy = ctx.principal.sessionPolicy;
  if (!policy) return undefined;
  const decision = evaluatePolicy(policy, action, resource);
  if (decision === 'allow') return undefined;
  return decision === 'explicit-deny'
    ? 'with an explicit deny in a session policy'
    : `because no session policy allows the ${action} action`;
}

/** FullAWSAccess, which Organizations attaches everywhere unless someone detaches it. */
const FULL_AWS_ACCESS = parsePolicyDocument(
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }),
);

/**
 * Service control policies bind every principal of a member account, never the management
 * account. `aws:PrincipalArn` of a role session is the role's ARN.
 */
function scpDenies(ctx: OperationContext, action: string, resource: string): string | undefined {
  const scps = ctx.world.deployment?.serviceControlPolicies ?? [];
  if (scps.length === 0 || ctx.accountId === ctx.world.managementAccountId) return undefined;
  const principalArn = ctx.principal.roleArn ?? ctx.principal.arn;
  const decision = evaluateServiceControlPolicies(
    [[FULL_AWS_ACCESS], [FULL_AWS_ACCESS, ...scps]],
    action,
    resource,
    { 'aws:PrincipalArn': principalArn },
  );
  return decision === 'allow' ? undefined : 'with an explicit deny in a service control policy';
}

export function authorize(
  service: ServiceDefinition,
  operation: string,
  ctx: OperationContext,
  input: Input,
): AwsServiceError | undefined {
  const definition = service.operations[operation];
  if (!definition || definition.unauthorized) return undefined;
  const action = `${service.id}:${operation}`;
  const resource = definition.resource ? definition.resource(ctx, input) : '*';
  const reason =
    identityPolicyDenies(ctx, action, resource) ??
    sessionPolicyDenies(ctx, action, resource) ??
    scpDenies(ctx, action, resource);
  if (!reason) return undefined;
  const message = `User: ${ctx.principal.arn} is not authorized to perform: ${action} on resource: ${resource} ${reason}`;
  return isQuery(service)
    ? new AwsServiceError('AccessDenied', message, 403)
    : new AwsServiceError('AccessDeniedException', message, service.accessDeniedStatus);
}
