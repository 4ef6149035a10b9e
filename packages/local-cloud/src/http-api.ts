import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { AwsServiceError, thrownMessage } from './aws-error.ts';
import type { CloudWorld } from './cloud-world.ts';
import {
  evaluatePolicy,
  evaluateServiceControlPolicies,
  parsePolicyDocument,
  type RequestContext,
} from './iam-policy.ts';
import type { Principal } from './identity.ts';
import type { Input, OperationContext, ServiceDefinition, ServiceId } from './service-definition.ts';
import { cloudFormationService } from './services/cloudformation.ts';
import { cloudWatchService } from './services/cloudwatch.ts';
import { codePipelineService } from './services/codepipeline.ts';
import { controlTowerService } from './services/controltower.ts';
import { dynamoDbService } from './services/dynamodb.ts';
import { eventBridgeService } from './services/eventbridge.ts';
import { organizationsService } from './services/organizations.ts';
import { snsService } from './services/sns.ts';
import { ssmService } from './services/ssm.ts';
import { stepFunctionsService } from './services/step-functions.ts';
import { stsService } from './services/sts.ts';
import { parseAuthorization, verifySignature } from './sigv4.ts';
import { actorDrawFor, modelledDelay } from './virtual-time.ts';
import { newRequestId, sendJson, sendJsonError, sendQueryError, sendQueryResult } from './wire.ts';

/** The HTTP front door: protocol detection, authentication, faults, IAM, dispatch. */

const SERVICES: ServiceDefinition[] = [
  stsService,
  ssmService,
  organizationsService,
  eventBridgeService,
  codePipelineService,
  stepFunctionsService,
  dynamoDbService,
  cloudFormationService,
  snsService,
  cloudWatchService,
  controlTowerService,
];
const BY_TARGET = new Map(SERVICES.filter((s) => s.targetPrefix).map((s) => [s.targetPrefix as string, s]));
const BY_ID = new Map<string, ServiceDefinition>(SERVICES.map((s) => [s.id, s]));
const MAX_BODY = 1024 * 1024;

export const SUPPORTED_OPERATIONS: Record<ServiceId, string[]> = Object.fromEntries(
  SERVICES.map((s) => [s.id, Object.keys(s.operations)]),
) as Record<ServiceId, string[]>;

function contentTypeOf(service: ServiceDefinition): string {
  if (service.protocol === 'rest-json') return 'application/json';
  return service.protocol === 'json1.0' ? 'application/x-amz-json-1.0' : 'application/x-amz-json-1.1';
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new AwsServiceError('RequestEntityTooLarge', 'Request body too large.', 413));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

interface Routed {
  service: ServiceDefinition;
  operation: string;
  input: Input;
}

/** A JSON request body as an object (an empty body is `{}`). */
function jsonInput(body: Buffer): Input {
  let input: Input = {};
  const text = body.toString('utf8').trim();
  if (text) {
    try {
      const parsed = JSON.parse(text) as unknown;
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        throw new Error('not an object');
      input = parsed as Input;
    } catch {
      throw new AwsServiceError(
        'SerializationException',
        'Start of structure or map found where not expected.',
      );
    }
  }
  return input;
}

/**
 * Work out the service and operation: X-Amz-Target for JSON, the path for rest-json (the
 * SigV4 scope names the service), `Action` for awsQuery.
 */
function route(req: IncomingMessage, body: Buffer, scopeService: string | undefined): Routed {
  const target = header(req, 'x-amz-target');
  if (target) {
    const dot = target.lastIndexOf('.');
    const service = BY_TARGET.get(target.slice(0, dot));
    if (!service) throw new AwsServiceError('UnknownOperationException', `Unknown target ${target}.`);
    return { service, operation: target.slice(dot + 1), input: jsonInput(body) };
  }
  const scoped = scopeService ? BY_ID.get(scopeService) : undefined;
  if (scoped?.protocol === 'rest-json') {
    const path = new URL(req.url ?? '/', 'http://local').pathname;
    const operation = scoped.paths?.[path];
    if (!operation || req.method !== 'POST')
      throw new AwsServiceError(
        'UnknownOperationException',
        `No ${scopeService} operation at ${req.method} ${path}.`,
        404,
      );
    return { service: scoped, operation, input: jsonInput(body) };
  }
  const query = new URL(req.url ?? '/', 'http://local').searchParams;
  const form = new URLSearchParams(
    (header(req, 'content-type') ?? '').includes('x-www-form-urlencoded') ? body.toString('utf8') : '',
  );
  const input: Input = Object.fromEntries([...query.entries(), ...form.entries()]);
  const service = BY_ID.get(scopeService ?? 'sts');
  if (typeof input.Action === 'string' && service?.protocol === 'query') {
    return { service, operation: input.Action, input };
  }
  if (typeof input.Action === 'string' && scopeService === undefined) {
    return { service: stsService, operation: input.Action, input };
  }
  throw new AwsServiceError(
    'UnknownOperationException',
    `The local cloud cannot tell which operation this is (no X-Amz-Target header and no query Action${scopeService ? ` for ${scopeService}` : ''}).`,
  );
}

function isQuery(service: ServiceDefinition | undefined): boolean {
  return !service || service.protocol === 'query';
}

function authError(query: boolean, kind: 'missing' | 'unknown' | 'expired' | 'signature'): AwsServiceError {
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

/** What a call is about, for keyed latency draws: its IAM resource, and a DynamoDB call's item. */
function resourceKey(
  service: ServiceDefinition,
  operation: string,
  ctx: OperationContext,
  input: Input,
): string {
  const definition = service.operations[operation];
  const resource = definition?.resource ? definition.resource(ctx, input) : '*';
  if (service.id !== 'dynamodb') return resource;
  const item = input as {
    Key?: unknown;
    Item?: Record<string, unknown>;
    ExpressionAttributeValues?: unknown;
  };
  // A Put names its item by its first attributes (the SDK keeps the caller's order: keys first).
  const about =
    item.Key ??
    (item.Item ? Object.entries(item.Item).slice(0, 2) : undefined) ??
    item.ExpressionAttributeValues ??
    '';
  return `${resource}|${JSON.stringify(about)}`;
}

function authorize(
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

export interface LocalRoutes {
  state(): unknown;
  events(): unknown;
}

export function createCloudServer(world: CloudWorld, routes: LocalRoutes): Server {
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = newRequestId();
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path?.startsWith('/_local/')) {
      const body =
        path === '/_local/state'
          ? routes.state()
          : path === '/_local/events'
            ? routes.events()
            : path === '/_local/health'
              ? { ok: true }
              : undefined;
      if (body === undefined) {
        res
          .writeHead(404, { 'Content-Type': 'application/json' })
          .end(JSON.stringify({ message: 'not found' }));
        return;
      }
      sendJson(res, requestId, 'application/json', body);
      return;
    }

    let service: ServiceDefinition | undefined;
    let counted: { accountId: string; region: string; operation: string } | undefined;
    let latencyKey: string | undefined;
    // The service's own time to answer (modelled), keyed by operation, caller, region and the
    // resource the call is about, so that one vend's draws do not depend on other vends' order.
    const answerLatency = async () => {
      if (!counted || !world.latency.enabled) return;
      const actor = actorDrawFor(req.socket.remotePort);
      const ms = world.latency.api(
        counted.operation,
        actor ?? `${counted.accountId}|${counted.region}|${latencyKey ?? ''}`,
      );
      await modelledDelay(world.clock.simSecondsToWallMs(ms / 1000));
    };
    const fail = (error: AwsServiceError) => {
      if (counted) world.recordError(counted.accountId, counted.region, counted.operation, error.code);
      if (isQuery(service)) sendQueryError(res, requestId, error);
      else sendJsonError(res, requestId, contentTypeOf(service as ServiceDefinition), error);
    };

    try {
      const body = await readBody(req);
      const auth = parseAuthorization(header(req, 'authorization'));
      // The target header names JSON services before we know anything else.
      const target = header(req, 'x-amz-target');
      service = target
        ? BY_TARGET.get(target.slice(0, target.lastIndexOf('.')))
        : BY_ID.get(auth?.service ?? 'sts');
      const routed = route(req, body, auth?.service);
      service = routed.service;
      const query = isQuery(service);

      if (!auth) throw authError(query, 'missing');
      const credential = world.credentials.find(auth.accessKeyId);
      if (!credential) throw authError(query, 'unknown');
      if (credential.sessionToken && header(req, 'x-amz-security-token') !== credential.sessionToken) {
        throw authError(query, 'unknown');
      }
      if (
        world.scenario.verifySignatures &&
        !verifySignature(
          { method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers, body },
          auth,
          credential.secretAccessKey,
        )
      ) {
        throw authError(query, 'signature');
      }
      const principal: Principal = credential.principal;
      const operationName = `${service.id}:${routed.operation}`;
      counted = { accountId: principal.accountId, region: auth.region, operation: operationName };
      world.recordCall(principal.accountId, auth.region, operationName);

      if (principal.expiresAtMs !== undefined && world.clock.nowMs() >= principal.expiresAtMs) {
        throw authError(query, 'expired');
      }
      // An opt-in region the account has not enabled rejects every credential of that account.
      if (world.regionDisabled(principal.accountId, auth.region)) throw authError(query, 'unknown');
      const definition = service.operations[routed.operation];
      if (!definition) {
        throw query
          ? new AwsServiceError(
              'InvalidAction',
              `Could not find operation ${routed.operation} for version 2011-06-15`,
            )
          : new AwsServiceError(
              'UnknownOperationException',
              `The local cloud does not implement ${operationName}.`,
            );
      }

      world.rateLimits.take(operationName, principal.accountId);
      const fault = world.faults.decide(operationName, `${principal.accountId}/${auth.region}`);
      if (fault.latencyMs > 0) await modelledDelay(fault.latencyMs);
      if (fault.error) throw fault.error;

      const ctx: OperationContext = {
        world,
        principal,
        accountId: principal.accountId,
        region: auth.region,
        requestId,
      };
      latencyKey = resourceKey(service, routed.operation, ctx, routed.input);
      const denied = authorize(service, routed.operation, ctx, routed.input);
      if (denied) throw denied;

      const output = await definition.handle(ctx, routed.input);
      await answerLatency();
      if (query) sendQueryResult(res, requestId, routed.operation, output as string);
      else sendJson(res, requestId, contentTypeOf(service), output);
    } catch (error) {
      if (error instanceof AwsServiceError) {
        await answerLatency();
        fail(error);
        return;
      }
      console.error('local cloud: internal error', error);
      fail(new AwsServiceError('InternalFailure', `The local cloud failed: ${thrownMessage(error)}`, 500));
    }
  };
  return createServer((req, res) => {
    void handle(req, res);
  });
}
