import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

export interface ClientOptions {
  region: string;
  /** Omit for the standard credential chain. */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Overrides AWS_ENDPOINT_URL_<SERVICE> and AWS_ENDPOINT_URL. */
  endpoint?: string;
  /** Total attempts, including the first; the SDK default is 3. */
  maxAttempts?: number;
  /**
   * Sockets per client (the SDK's default is 50). In Lambda one environment serves one
   * invocation, so the default never binds; a host that runs many invocations on one set of
   * clients (the local runtime) lifts it, or requests would queue behind each other.
   */
  maxSockets?: number;
  /**
   * Close a kept-alive socket once it has been idle this many wall milliseconds. The SDK's agents
   * have no idle timeout: they keep a socket until the server closes it. A request that goes
   * out on a socket just as the server closes it is reset (`ECONNRESET`). A host whose server
   * shares the clients' event loop (the local runtime) makes that likelier, and closes first.
   */
  idleSocketMs?: number;
}

/** What the SDK's node handler passes on to Node's `http.Agent` (`timeout`: idle ms of a kept socket). */
interface AgentOptions {
  maxSockets?: number;
  timeout?: number;
}

type ClientConstructor<C> = new (config: {
  region: string;
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  endpoint?: string;
  maxAttempts?: number;
  customUserAgent?: string;
  requestHandler?: { httpAgent: AgentOptions; httpsAgent: AgentOptions };
}) => C;

/**
 * The endpoint for a service: explicit, else `AWS_ENDPOINT_URL_<SERVICE>`, else `AWS_ENDPOINT_URL`.
 * This is the only switch between AWS, LocalStack and the embedded local cloud.
 */
export function resolveEndpoint(
  serviceId: string,
  explicit?: string,
  env: Record<string, string | undefined> = process.env,
): string | undefined {
  const key = `AWS_ENDPOINT_URL_${serviceId.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
  return explicit ?? env[key] ?? env.AWS_ENDPOINT_URL ?? undefined;
}

/** Build an SDK v3 client with the project's defaults. */
export function createClient<C>(Client: ClientConstructor<C>, serviceId: string, options: ClientOptions): C {
  const endpoint = resolveEndpoint(serviceId, options.endpoint);
  const agent: AgentOptions = {
    ...(options.maxSockets ? { maxSockets: options.maxSockets } : {}),
    ...(options.idleSocketMs ? { timeout: options.idleSocketMs } : {}),
  };
  return new Client({
    region: options.region,
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(endpoint ? { endpoint } : {}),
    maxAttempts: options.maxAttempts ?? 4,
    customUserAgent: 'runas-bootstrapper',
    ...(Object.keys(agent).length > 0 ? { requestHandler: { httpAgent: agent, httpsAgent: agent } } : {}),
  });
}
