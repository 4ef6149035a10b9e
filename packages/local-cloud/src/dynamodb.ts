import { Agent, request, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { AwsServiceError } from './aws-error.ts';
import type { SimulatedClock } from './clock.ts';
import { LISTEN_BACKLOG } from './wire.ts';

/**
 * DynamoDB for the local cloud: one in-memory dynalite per account and region (DynamoDB tables
 * belong to an account and a region, so two accounts may each have a table of the same name).
 * Each dynalite listens on an ephemeral 127.0.0.1 port, started on the first call for its
 * account and region; the local cloud authenticates and authorises the caller, then forwards the
 * awsJson1_0 request body unchanged and answers with dynalite's reply.
 *
 * dynalite has no UpdateTimeToLive and always reports TTL DISABLED, so the TTL setting is kept
 * here. Expired items are not deleted (AWS deletes them in the background, typically within a
 * few days, and reads return them until then).
 */

type DynaliteFactory = (options: {
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}) => Server;

const requireCjs = createRequire(import.meta.url);

/** The error code in an awsJson `__type` such as `com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException`. */
function errorCode(type: unknown): string {
  const text = typeof type === 'string' ? type : 'InternalServerError';
  return text.slice(text.lastIndexOf('#') + 1);
}

interface TtlSetting {
  attributeName: string;
  enabled: boolean;
}

interface Instance {
  server: Server;
  port: number;
}

export class DynamoDbBackend {
  readonly #clock: SimulatedClock;
  readonly #createTableMs: number;
  readonly #instances = new Map<string, Promise<Instance>>();
  readonly #ttl = new Map<string, TtlSetting>();
  /**
   * Keeps the forwarding sockets alive, and closes one idle for a second: dynalite's server closes
   * its end after 6 idle wall seconds, and a request sent in the event-loop turn in which it
   * does would be reset (read ECONNRESET). Node's global agent would keep it 4 s.
   */
  readonly #agent = new Agent({ keepAlive: true, timeout: 1000 });
  #closed = false;

  /** `tableStatusDelaySeconds` is simulated; dynalite counts wall ms. */
  constructor(clock: SimulatedClock, tableStatusDelaySeconds: number) {
    this.#clock = clock;
    this.#createTableMs = Math.round(clock.simSecondsToWallMs(tableStatusDelaySeconds));
  }

  /** Accounts and regions that have a DynamoDB endpoint running, as `account|region`. */
  get started(): string[] {
    return [...this.#instances.keys()];
  }

  /** Run one DynamoDB operation in an account and region; throws AwsServiceError as DynamoDB answers. */
  async call(
    accountId: string,
    region: string,
    operation: string,
    input: Record<string, unknown>,
  ): Promise<unknown> {
    if (operation === 'UpdateTimeToLive') return this.#updateTimeToLive(accountId, region, input);
    if (operation === 'DescribeTimeToLive') return this.#describeTimeToLive(accountId, region, input);
    let output: Record<string, unknown>;
    try {
      output = (await this.#forward(accountId, region, operation, input)) as Record<string, unknown>;
    } catch (error) {
      throw await this.#withOldItem(accountId, region, operation, input, error);
    }
    if (operation === 'DeleteTable') this.#ttl.delete(this.#ttlKey(accountId, region, input.TableName));
    this.#simulatedTimes(output);
    return output;
  }

  async close(): Promise<void> {
    this.#closed = true;
    const instances = await Promise.allSettled(this.#instances.values());
    this.#instances.clear();
    this.#agent.destroy();
    await Promise.all(
      instances.map((settled) =>
        settled.status === 'fulfilled'
          ? new Promise<void>((resolve) => {
              settled.value.server.close(() => resolve());
              settled.value.server.closeAllConnections();
            })
          : undefined,
      ),
    );
  }

  #instance(accountId: string, region: string): Promise<Instance> {
    if (this.#closed) throw new AwsServiceError('ServiceUnavailable', 'The local cloud is closing.', 503);
    const key = `${accountId}|${region}`;
    let instance = this.#instances.get(key);
    if (!instance) {
      instance = this.#start(accountId, region);
      this.#instances.set(key, instance);
    }
    return instance;
  }

  async #start(accountId: string, region: string): Promise<Instance> {
    const dynalite = requireCjs('dynalite') as DynaliteFactory;
    // dynalite reads the account and region for its ARNs from the environment when the store
    // is created, which happens synchronously inside the factory.
    const saved = { account: process.env.AWS_ACCOUNT_ID, region: process.env.AWS_REGION };
    process.env.AWS_ACCOUNT_ID = accountId;
    process.env.AWS_REGION = region;
    let server: Server;
    try {
      server = dynalite({ createTableMs: this.#createTableMs, deleteTableMs: 0, updateTableMs: 0 });
    } finally {
      restoreEnv('AWS_ACCOUNT_ID', saved.account);
      restoreEnv('AWS_REGION', saved.region);
    }
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: 0, host: '127.0.0.1', backlog: LISTEN_BACKLOG }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return { server, port: (server.address() as AddressInfo).port };
  }

  async #forward(accountId: string, region: string, operation: string, input: unknown): Promise<unknown> {
    const { port } = await this.#instance(accountId, region);
    const body = JSON.stringify(input);
    const amzDate = new Date()
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}/, '');
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          agent: this.#agent,
          method: 'POST',
          path: '/',
          headers: {
            'Content-Type': 'application/x-amz-json-1.0',
            'Content-Length': Buffer.byteLength(body),
            'X-Amz-Target': `DynamoDB_20120810.${operation}`,
            'X-Amz-Date': amzDate,
            // dynalite only checks that a SigV4 header is present; the caller was verified already.
            Authorization: `AWS4-HMAC-SHA256 Credential=local/${amzDate.slice(0, 8)}/${region}/dynamodb/aws4_request, SignedHeaders=host, Signature=0`,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 500, text: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    let parsed: Record<string, unknown>;
    try {
      parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      throw new AwsServiceError(
        'InternalServerError',
        `DynamoDB answered ${status} with a non-JSON body.`,
        500,
      );
    }
    if (status === 200) return parsed;
    const { __type, message, Message, ...fields } = parsed;
    throw new AwsServiceError(
      errorCode(__type),
      typeof message === 'string' ? message : typeof Message === 'string' ? Message : '',
      status,
      fields,
    );
  }

  /**
   * `ReturnValuesOnConditionCheckFailure: ALL_OLD`: AWS returns the item that failed the
   * condition in the error's `Item`; dynalite ignores the parameter, so the item is read here
   * right after the failure (not atomic with it: the local cloud's callers are few).
   */
  async #withOldItem(
    accountId: string,
    region: string,
    operation: string,
    input: Record<string, unknown>,
    error: unknown,
  ): Promise<unknown> {
    if (
      !(error instanceof AwsServiceError) ||
      error.code !== 'ConditionalCheckFailedException' ||
      input.ReturnValuesOnConditionCheckFailure !== 'ALL_OLD' ||
      !['PutItem', 'UpdateItem', 'DeleteItem'].includes(operation)
    ) {
      return error;
    }
    let key = input.Key as Record<string, unknown> | undefined;
    if (operation === 'PutItem') {
      const described = (await this.#forward(accountId, region, 'DescribeTable', {
        TableName: input.TableName,
      })) as { Table?: { KeySchema?: { AttributeName: string }[] } };
      const item = (input.Item ?? {}) as Record<string, unknown>;
      key = Object.fromEntries(
        (described.Table?.KeySchema ?? []).map((k) => [k.AttributeName, item[k.AttributeName]]),
      );
    }
    const read = (await this.#forward(accountId, region, 'GetItem', {
      TableName: input.TableName,
      Key: key,
      ConsistentRead: true,
    })) as { Item?: unknown };
    return read.Item === undefined
      ? error
      : new AwsServiceError(error.code, error.message, error.status, { ...error.fields, Item: read.Item });
  }

  #ttlKey(accountId: string, region: string, tableName: unknown): string {
    return `${accountId}|${region}|${String(tableName)}`;
  }

  /** The table must exist, as for AWS (ResourceNotFoundException otherwise). */
  async #requireTable(accountId: string, region: string, tableName: unknown): Promise<void> {
    await this.#forward(accountId, region, 'DescribeTable', { TableName: tableName });
  }

  async #updateTimeToLive(accountId: string, region: string, input: Record<string, unknown>) {
    const spec = input.TimeToLiveSpecification as { Enabled?: unknown; AttributeName?: unknown } | undefined;
    if (typeof input.TableName !== 'string' || input.TableName === '') {
      throw new AwsServiceError('ValidationException', 'The parameter TableName is required.');
    }
    if (
      !spec ||
      typeof spec.Enabled !== 'boolean' ||
      typeof spec.AttributeName !== 'string' ||
      spec.AttributeName.length < 1 ||
      spec.AttributeName.length > 255
    ) {
      throw new AwsServiceError(
        'ValidationException',
        'TimeToLiveSpecification needs Enabled (boolean) and AttributeName (1-255 characters).',
      );
    }
    await this.#requireTable(accountId, region, input.TableName);
    const key = this.#ttlKey(accountId, region, input.TableName);
    const current = this.#ttl.get(key);
    if (spec.Enabled && current?.enabled)
      throw new AwsServiceError('ValidationException', 'TimeToLive is already enabled');
    if (!spec.Enabled && !current?.enabled)
      throw new AwsServiceError('ValidationException', 'TimeToLive is already disabled');
    if (!spec.Enabled && current && current.attributeName !== spec.AttributeName) {
      throw new AwsServiceError(
        'ValidationException',
        `TimeToLive is enabled on attribute ${current.attributeName}, not ${spec.AttributeName}`,
      );
    }
    this.#ttl.set(key, { attributeName: spec.AttributeName, enabled: spec.Enabled });
    return { TimeToLiveSpecification: { Enabled: spec.Enabled, AttributeName: spec.AttributeName } };
  }

  async #describeTimeToLive(accountId: string, region: string, input: Record<string, unknown>) {
    await this.#requireTable(accountId, region, input.TableName);
    const current = this.#ttl.get(this.#ttlKey(accountId, region, input.TableName));
    // AWS passes through ENABLING/DISABLING for up to an hour; here the change is immediate.
    return {
      TimeToLiveDescription: current?.enabled
        ? { TimeToLiveStatus: 'ENABLED', AttributeName: current.attributeName }
        : { TimeToLiveStatus: 'DISABLED' },
    };
  }

  /** dynalite stamps tables with wall time; the local cloud speaks simulated time. */
  #simulatedTimes(output: Record<string, unknown>): void {
    for (const key of ['Table', 'TableDescription']) {
      const table = output[key] as { CreationDateTime?: unknown } | undefined;
      if (table && typeof table.CreationDateTime === 'number') {
        table.CreationDateTime =
          Math.round(this.#clock.toSimulatedEpochMs(table.CreationDateTime * 1000)) / 1000;
      }
    }
  }
}

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
