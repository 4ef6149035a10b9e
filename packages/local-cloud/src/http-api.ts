import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { authError, authorize, isQuery } from './authorization.ts';
import { AwsServiceError, thrownMessage } from './aws-error.ts';
import type { CloudWorld } from './cloud-world.ts';
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
import { parseAuthorization, type SigV4Authorization, verifySignature } from './sigv4.ts';
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

export interface LocalRoutes {
  state(): unknown;
  events(): unknown;
}

/** `GET /_local/...`: the state, the events and a health check. False when `req` is not one. */
function serveLocalRoute(
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
  routes: LocalRoutes,
): boolean {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method !== 'GET' || !path?.startsWith('/_local/')) return false;
  const body =
    path === '/_local/state'
      ? routes.state()
      : path === '/_local/events'
        ? routes.events()
        : path === '/_local/health'
          ? { ok: true }
          : undefined;
  if (body === undefined) {
    res.writeHead(404, { 'Content-Type': 'application/json' }).end(JSON.stringify({ message: 'not found' }));
    return true;
  }
  sendJson(res, requestId, 'application/json', body);
  return true;
}

/** One AWS API call in flight: what is known of it so far, for its latency and its error answer. */
interface Exchange {
  world: CloudWorld;
  req: IncomingMessage;
  res: ServerResponse;
  requestId: string;
  service?: ServiceDefinition;
  counted?: { accountId: string; region: string; operation: string };
  latencyKey?: string;
}

/**
 * The service's own time to answer (modelled), keyed by operation, caller, region and the
 * resource the call is about, so that one vend's draws do not depend on other vends' order.
 */
async function answerLatency(x: Exchange): Promise<void> {
  const { counted, world } = x;
  if (!counted || !world.latency.enabled) return;
  const actor = actorDrawFor(x.req.socket.remotePort);
  const ms = world.latency.api(
    counted.operation,
    actor ?? `${counted.accountId}|${counted.region}|${x.latencyKey ?? ''}`,
  );
  await modelledDelay(world.clock.simSecondsToWallMs(ms / 1000));
}

function fail(x: Exchange, error: AwsServiceError): void {
  if (x.counted) x.world.recordError(x.counted.accountId, x.counted.region, x.counted.operation, error.code);
  if (isQuery(x.service)) sendQueryError(x.res, x.requestId, error);
  else sendJsonError(x.res, x.requestId, contentTypeOf(x.service as ServiceDefinition), error);
}

/** The caller: a known key, its session token, a valid signature when the scenario checks them. */
function authenticate(
  world: CloudWorld,
  req: IncomingMessage,
  body: Buffer,
  auth: SigV4Authorization | undefined,
  query: boolean,
): { auth: SigV4Authorization; principal: Principal } {
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
  return { auth, principal: credential.principal };
}

/** The operation's definition, or the protocol's unknown-operation error. */
function operationDefinition(routed: Routed, operationName: string, query: boolean) {
  const definition = routed.service.operations[routed.operation];
  if (definition) return definition;
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

/** Route, authenticate, limit, fault, authorize and run one call, and send its answer. */
async function serve(x: Exchange): Promise<void> {
  const { world, req, res, requestId } = x;
  const body = await readBody(req);
  const parsedAuth = parseAuthorization(header(req, 'authorization'));
  // The target header names JSON services before we know anything else.
  const target = header(req, 'x-amz-target');
  x.service = target
    ? BY_TARGET.get(target.slice(0, target.lastIndexOf('.')))
    : BY_ID.get(parsedAuth?.service ?? 'sts');
  const routed = route(req, body, parsedAuth?.service);
  const service = routed.service;
  x.service = service;
  const query = isQuery(service);

  const { auth, principal } = authenticate(world, req, body, parsedAuth, query);
  const operationName = `${service.id}:${routed.operation}`;
  x.counted = { accountId: principal.accountId, region: auth.region, operation: operationName };
  world.recordCall(principal.accountId, auth.region, operationName);

  if (principal.expiresAtMs !== undefined && world.clock.nowMs() >= principal.expiresAtMs) {
    throw authError(query, 'expired');
  }
  // An opt-in region the account has not enabled rejects every credential of that account.
  if (world.regionDisabled(principal.accountId, auth.region)) throw authError(query, 'unknown');
  const definition = operationDefinition(routed, operationName, query);

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
  x.latencyKey = resourceKey(service, routed.operation, ctx, routed.input);
  const denied = authorize(service, routed.operation, ctx, routed.input);
  if (denied) throw denied;

  const output = await definition.handle(ctx, routed.input);
  await answerLatency(x);
  if (query) sendQueryResult(res, requestId, routed.operation, output as string);
  else sendJson(res, requestId, contentTypeOf(service), output);
}

export function createCloudServer(world: CloudWorld, routes: LocalRoutes): Server {
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = newRequestId();
    if (serveLocalRoute(req, res, requestId, routes)) return;
    const x: Exchange = { world, req, res, requestId };
    try {
      await serve(x);
    } catch (error) {
      if (error instanceof AwsServiceError) {
        await answerLatency(x);
        fail(x, error);
        return;
      }
      console.error('local cloud: internal error', error);
      fail(x, new AwsServiceError('InternalFailure', `The local cloud failed: ${thrownMessage(error)}`, 500));
    }
  };
  return createServer((req, res) => {
    void handle(req, res);
  });
}
