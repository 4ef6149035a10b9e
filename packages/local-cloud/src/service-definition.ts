import type { CloudWorld } from './cloud-world.ts';
import type { Principal } from './identity.ts';

export type ServiceId =
  | 'sts'
  | 'ssm'
  | 'organizations'
  | 'events'
  | 'codepipeline'
  | 'states'
  | 'cloudformation'
  | 'sns'
  | 'monitoring'
  | 'dynamodb'
  | 'controltower';

export interface OperationContext {
  world: CloudWorld;
  principal: Principal;
  /** The caller's account. */
  accountId: string;
  /** From the SigV4 credential scope. */
  region: string;
  requestId: string;
}

export type Input = Record<string, unknown>;

export interface OperationDefinition {
  /** The resource ARN IAM evaluates the action against; the action is `<service>:<Operation>`. */
  resource?: (ctx: OperationContext, input: Input) => string;
  /** Not subject to IAM policies (sts:GetCallerIdentity). */
  unauthorized?: boolean;
  /** JSON services return the output object; STS returns the XML inside `<OpResult>`. */
  handle(ctx: OperationContext, input: Input): unknown;
}

export interface ServiceDefinition {
  id: ServiceId;
  protocol: 'query' | 'json1.0' | 'json1.1' | 'rest-json';
  /** X-Amz-Target prefix for JSON services. */
  targetPrefix?: string;
  /** rest-json services: request path -> operation (every operation is a POST with a JSON body). */
  paths?: Record<string, string>;
  /** HTTP status of the service's AccessDeniedException (per the service model). */
  accessDeniedStatus: number;
  operations: Record<string, OperationDefinition>;
}

/** Epoch seconds, as awsJson protocols carry timestamps. */
export function epochSeconds(ms: number): number {
  return Math.round(ms) / 1000;
}

/** A non-empty string input or undefined. */
export function optionalString(input: Input, key: string): string | undefined {
  const value = input[key];
  return typeof value === 'string' ? value : undefined;
}

export function encodeToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset }), 'utf8').toString('base64');
}

export function decodeToken(token: unknown): number | undefined {
  if (typeof token !== 'string') return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { offset?: unknown };
    return typeof parsed.offset === 'number' && Number.isInteger(parsed.offset) && parsed.offset >= 0
      ? parsed.offset
      : undefined;
  } catch {
    return undefined;
  }
}
