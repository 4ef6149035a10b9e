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
}

type ClientConstructor<C> = new (config: {
  region: string;
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  endpoint?: string;
  maxAttempts?: number;
  customUserAgent?: string;
  requestHandler?: { httpAgent: { maxSockets: number }; httpsAgent: { maxSockets: number } };
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
  return new Client({
    region: options.region,
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(endpoint ? { endpoint } : {}),
    maxAttempts: options.maxAttempts ?? 4,
    customUserAgent: 'runas-bootstrapper',
    ...(options.maxSockets
      ? {
          requestHandler: {
            httpAgent: { maxSockets: options.maxSockets },
            httpsAgent: { maxSockets: options.maxSockets },
          },
        }
      : {}),
  });
}
