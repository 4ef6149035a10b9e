import type { AwsCredentialIdentity } from '@smithy/types';
import type { ClientOptions } from '#adapters/clients.ts';
import { type BootstrapperConfig, configFromEnvironment, runAsSetting } from '#core/config/config.ts';
import { ConfigurationError } from '#core/shared/errors.ts';

/**
 * What every handler's wiring reads from its environment, once per cold start: the validated
 * config, the region, the SDK clients' options and the clock. The builders next to this file
 * (one per adapter) turn it into the clients a handler uses; each handler imports only its own
 * builders, so each Lambda bundle carries only its own SDK clients.
 */
export interface HandlerEnvironment {
  config: BootstrapperConfig;
  runAs: ReturnType<typeof runAsSetting>;
  region: string;
  /** The environment's variables (a builder reads its own, e.g. the ledger's table name). */
  variables: Readonly<Record<string, string | undefined>>;
  /** Options of every SDK client: region, endpoint, credentials, sockets (adapters/clients.ts). */
  clients: ClientOptions;
  /** Credentials of the STS client that assumes member roles, when not the clients' own. */
  stsCredentials?: AwsCredentialIdentity;
  now: () => number;
  /** Waits on the same clock as `now` (the local cloud may run it faster than the wall). */
  sleep: (ms: number) => Promise<void>;
}

export interface EnvironmentOptions {
  /** Explicit credentials; otherwise the standard chain. */
  credentials?: AwsCredentialIdentity;
  /** Credentials of the STS client that assumes member roles (the local runtime's role keys). */
  stsCredentials?: AwsCredentialIdentity;
  /** The clock; the local cloud runs simulated time. */
  now?: () => number;
  /** A wait of simulated milliseconds, on that clock. */
  sleep?: (ms: number) => Promise<void>;
  /** Sockets per SDK client; the local runtime shares clients across invocations. */
  maxSockets?: number;
  /** Idle wall ms after which a client closes a kept-alive socket. */
  idleSocketMs?: number;
}

/**
 * Read the environment map. Lambda passes `process.env`; the config is validated here, so a bad
 * value fails the cold start with a message naming the field.
 */
export function handlerEnvironment(
  variables: Readonly<Record<string, string | undefined>>,
  options: EnvironmentOptions = {},
): HandlerEnvironment {
  const config = configFromEnvironment(variables);
  const region = variables.AWS_REGION ?? variables.AWS_DEFAULT_REGION;
  if (!region) throw new ConfigurationError('AWS_REGION: environment variable is not set');
  const endpoint = variables.AWS_ENDPOINT_URL;
  return {
    config,
    runAs: runAsSetting(config),
    region,
    variables,
    clients: {
      region,
      ...(options.maxSockets ? { maxSockets: options.maxSockets } : {}),
      ...(options.idleSocketMs ? { idleSocketMs: options.idleSocketMs } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
      ...(endpoint ? { endpoint } : {}),
    },
    ...(options.stsCredentials ? { stsCredentials: options.stsCredentials } : {}),
    now: options.now ?? Date.now,
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
  };
}

/** A variable a builder needs, or a ConfigurationError naming it. */
export function requiredVariable(environment: HandlerEnvironment, name: string): string {
  const value = environment.variables[name];
  if (!value) throw new ConfigurationError(`${name}: environment variable is not set`);
  return value;
}

/**
 * Lambda's cold start: the handler's dependencies, built by `wire` from `process.env` on the
 * first invocation (not at import, so a test may import the module), then reused while warm.
 */
export function coldStart<D>(wire: (environment: HandlerEnvironment) => D): () => D {
  let built: { dependencies: D } | undefined;
  return () => {
    built ??= { dependencies: wire(handlerEnvironment(process.env)) };
    return built.dependencies;
  };
}
