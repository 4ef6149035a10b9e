import type { AddressInfo } from 'node:net';
import type { EventBus, EventEnvelope } from './bus.ts';
import type { SimulatedClock } from './clock.ts';
import { createState, type LocalCloudState } from './cloud-state.ts';
import { CloudWorld, type PipelineDefaults } from './cloud-world.ts';
import type { LocalDeployment } from './deployment.ts';
import { eventReaches } from './event-forwarding.ts';
import type { FaultRule } from './faults.ts';
import { createCloudServer } from './http-api.ts';
import type { LatencyModel } from './latency.ts';
import { DEFAULT_SCENARIO, parseScenario, type Scenario, type ScenarioInput } from './scenario.ts';
import type { StepFunctionsExecutor } from './step-functions-executor.ts';
import { LISTEN_BACKLOG } from './wire.ts';

// The views live in cloud-state.ts; the package's entry point exports them from here.
export {
  type AccountView,
  type CallFilter,
  type DocumentVersionView,
  type DocumentView,
  type LocalCloudSnapshot,
  type LocalCloudState,
  type PipelineExecutionView,
  versionContent,
} from './cloud-state.ts';

export interface LocalCloudOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Parsed or raw scenario; validated again here. Default: a lone management account. */
  scenario?: Scenario | ScenarioInput;
  /** The LZA pipeline's name and regions when the scenario leaves them out. */
  pipelineDefaults?: PipelineDefaults;
}

export interface LocalCloud {
  /** `http://127.0.0.1:<port>`: pass it as the SDK `endpoint` or `--endpoint-url`. */
  readonly url: string;
  readonly port: number;
  readonly scenario: Scenario;
  readonly bus: EventBus;
  readonly clock: SimulatedClock;
  /** The scenario's latency model (answers, deliveries; a runtime may apply it to its own work, such as Lambda invocations). */
  readonly latency: LatencyModel;
  readonly state: LocalCloudState;
  /** Management-account credentials (`test` / `test`). */
  readonly credentials: { accessKeyId: string; secretAccessKey: string };
  /** SDK client config for this cloud: `new SSMClient(cloud.clientConfig('eu-west-1'))`. */
  clientConfig(region?: string): {
    endpoint: string;
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
  /** Attach (or detach) the engine behind the Step Functions API. */
  setExecutor(executor: StepFunctionsExecutor | undefined): void;
  /** Show (or remove) a deployed application to CloudFormation, EventBridge and Step Functions callers. */
  setDeployment(deployment: LocalDeployment | undefined): void;
  /**
   * Whether `event` reaches the default bus of `accountId` in its region: published there, or
   * forwarded by a deployed rule that targets that bus, whose policy allows the sender.
   */
  eventReaches(event: EventEnvelope, accountId: string): boolean;
  /**
   * Write a new version of a document out of band, as another writer (the console, a teammate,
   * LZA) would: the same validation and version rules as UpdateDocument (CreateDocument when the
   * document does not exist yet), no caller, no fault. Returns the new version.
   */
  writeDocument(input: {
    accountId: string;
    region: string;
    name?: string;
    content: string;
    documentFormat?: 'JSON' | 'YAML';
    /** Only when the document does not exist yet: its type (default `Session`). */
    documentType?: string;
    writer: string;
  }): string;
  /** Answer single calls with an error (before the scenario's faults); returns the removal. */
  addFaultRule(rule: FaultRule): () => void;
  /** Start the scenario's vends and pipeline runs, counted from now. Idempotent. */
  startTimeline(): void;
  /**
   * Run `fn` at `seconds` (simulated) after the timeline's start, as one of its tasks: a
   * deployed schedule's invocation. False (and not run) before the timeline starts or at or
   * past the scenario's `playUntilSeconds`.
   */
  atTimelineSeconds(seconds: number, fn: () => void): boolean;
  /** Stop timers and the server. */
  close(): Promise<void>;
}

/** Start the local cloud on 127.0.0.1. The timeline waits for `startTimeline()`. */
export async function startLocalCloud(options: LocalCloudOptions = {}): Promise<LocalCloud> {
  const scenario = parseScenario(options.scenario ?? DEFAULT_SCENARIO);
  const world = new CloudWorld(scenario, options.pipelineDefaults ?? {}, (error) =>
    console.error('local cloud: a scheduled task failed:', error),
  );
  const state = createState(world);
  const server = createCloudServer(world, {
    state: () => state.snapshot(),
    events: (): EventEnvelope[] => [...world.bus.history()],
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: options.port ?? 0, host: '127.0.0.1', backlog: LISTEN_BACKLOG }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  let closed: Promise<void> | undefined;
  const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
  const cloud: LocalCloud = {
    url,
    port,
    scenario,
    bus: world.bus,
    clock: world.clock,
    latency: world.latency,
    state,
    credentials,
    clientConfig: (region = scenario.homeRegion) => ({
      endpoint: url,
      region,
      credentials: { ...credentials },
    }),
    setExecutor: (executor) => {
      world.executor = executor;
    },
    setDeployment: (deployment) => {
      world.deployment = deployment;
      for (const role of deployment?.roleKeys ?? []) {
        world.credentials.addRoleKey(
          role.accessKeyId,
          role.secretAccessKey,
          world.managementAccountId,
          role.name,
          role.policies,
        );
      }
      for (const role of deployment?.roles ?? [])
        world.org.addRole(role.accountId, role.roleName, world.clock.nowMs(), role.trustedPrincipalArns);
    },
    eventReaches: (event, accountId) => eventReaches(world.deployment, event, accountId),
    writeDocument: ({ name = 'SSM-SessionManagerRunShell', documentType = 'Session', ...input }) => {
      if (world.documents.find(input.accountId, input.region, name)) {
        return world.documents.update({ ...input, name }).version.version;
      }
      return world.documents.create({ ...input, name, documentType }).latestVersion;
    },
    addFaultRule: (rule) => world.faults.addRule(rule),
    startTimeline: () => world.startTimeline(),
    atTimelineSeconds: (seconds, fn) => world.atTimelineSeconds(seconds, fn),
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        world.scheduler.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }).then(() => world.dynamodb.close());
      return closed;
    },
  };
  worlds.set(cloud, world);
  return cloud;
}

const worlds = new WeakMap<LocalCloud, CloudWorld>();

/** The live world behind a cloud, for this package's own white-box tests (not exported by index.ts). */
export function worldOf(cloud: LocalCloud): CloudWorld {
  const world = worlds.get(cloud);
  if (!world) throw new Error('not a cloud started by startLocalCloud');
  return world;
}
