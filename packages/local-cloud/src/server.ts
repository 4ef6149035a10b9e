import type { AddressInfo } from 'node:net';
import type { EventBus, EventEnvelope } from './bus.ts';
import type { SimulatedClock } from './clock.ts';
import { type CallStats, CloudWorld, type PipelineDefaults } from './cloud-world.ts';
import type { LocalDeployment } from './deployment.ts';
import { eventReaches } from './event-forwarding.ts';
import type { FaultRule } from './faults.ts';
import { createCloudServer } from './http-api.ts';
import type { LatencyModel } from './latency.ts';
import { compareVersions } from './lza-pipeline.ts';
import type { LzaWriteRecord } from './lza-timeline.ts';
import type { AccountRecord } from './organization.ts';
import { DEFAULT_SCENARIO, parseScenario, type Scenario, type ScenarioInput } from './scenario.ts';
import type { DocumentRecord } from './ssm-documents.ts';
import type { StepFunctionsExecutor } from './step-functions-executor.ts';
import { LISTEN_BACKLOG } from './wire.ts';

export interface LocalCloudOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Parsed or raw scenario; validated again here. Default: a lone management account. */
  scenario?: Scenario | ScenarioInput;
  /** The LZA pipeline's name and regions when the scenario leaves them out. */
  pipelineDefaults?: PipelineDefaults;
}

export interface DocumentVersionView {
  version: string;
  status: string;
  createdDate: string;
  writer: string;
  documentFormat: string;
  content: string;
  versionName?: string;
}

/** The content of one version of a document view, by version number. */
export function versionContent(
  doc: DocumentView | undefined,
  version: string | undefined,
): string | undefined {
  return doc?.versions.find((v) => v.version === version)?.content;
}

export interface DocumentView {
  accountId: string;
  region: string;
  name: string;
  documentType: string;
  status: string;
  latestVersion: string;
  defaultVersion: string;
  createdDate: string;
  versions: DocumentVersionView[];
}

export interface AccountView {
  accountId: string;
  name: string;
  email: string;
  status: string;
  isManagement: boolean;
  origin: string;
  organizationalUnit: string;
  /** Whether the account is in the organization now. */
  exists: boolean;
  /** DescribeAccount's JoinedTimestamp (ISO) and JoinedMethod. */
  joinedAt?: string;
  joinedMethod: 'CREATED' | 'INVITED';
  roles: { name: string; assumableAt?: string; assumable: boolean }[];
  expect?: Scenario['accounts'][number]['expect'];
}

export interface CallFilter {
  operation?: string;
  accountId?: string;
  region?: string;
}

export interface PipelineExecutionView {
  executionId: string;
  status: string;
  startTime: string;
  endTime: string;
  regionByRegion: boolean;
  actions: {
    stage: string;
    action: string;
    runOrder: number;
    status: string;
    startTime: string;
    endTime: string;
  }[];
}

/** Read-only views of the simulated world; the same data as `GET /_local/state`. */
export interface LocalCloudState {
  accounts(): AccountView[];
  account(accountId: string): AccountView | undefined;
  /** Every document with all its versions; optionally filtered. */
  documents(filter?: { accountId?: string; region?: string; name?: string }): DocumentView[];
  document(accountId: string, region: string, name?: string): DocumentView | undefined;
  /** API calls per account, region and operation (IAM action name), including failed attempts. */
  calls(filter?: CallFilter): CallStats[];
  callCount(filter?: CallFilter): number;
  lzaWrites(): LzaWriteRecord[];
  pipelineExecutions(): PipelineExecutionView[];
  /**
   * sts:AssumeRole calls (any caller) for a role in `targetAccountId` that reached STS: refused ones
   * count, but not those a rate limit or an injected fault answered first (`calls()` counts those).
   */
  assumeRoleCallsFor(targetAccountId: string): number;
  /** The busiest simulated second of `operation` called by `accountId` (all regions), and its count. */
  peakRate(accountId: string, operation: string): { perSecond: number; atMs?: number };
  /** Calls refused by the scenario's `rateLimits`, per service. */
  throttled(): Record<string, number>;
  /** Calls answered with an injected fault (scenario `faults` and `addFaultRule` rules). */
  faultsInjected(): number;
  /** Timeline tasks (vends, events, pipeline actions) still scheduled; 0 once the scenario has played out. */
  pendingTimelineTasks(): number;
  snapshot(): LocalCloudSnapshot;
}

export interface LocalCloudSnapshot {
  now: string;
  elapsedSimulatedSeconds: number;
  timeScale: number;
  timelineStarted: boolean;
  organization: { id: string; managementAccountId: string; homeRegion: string };
  accounts: AccountView[];
  documents: DocumentView[];
  calls: CallStats[];
  pipeline: {
    name: string;
    lzaVersion: string;
    wipesRunAs: boolean;
    regions: string[];
    executions: PipelineExecutionView[];
  };
  lzaWrites: LzaWriteRecord[];
  eventsPublished: number;
  faultsInjected: number;
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

function iso(ms: number | undefined): string | undefined {
  return ms === undefined || !Number.isFinite(ms) ? undefined : new Date(ms).toISOString();
}

function createState(world: CloudWorld): LocalCloudState {
  const accountView = (a: AccountRecord, now = world.clock.nowMs()): AccountView => {
    const exists = a.existsFromMs !== undefined && a.existsFromMs <= now;
    const expect = world.scenario.accounts.find((s) => s.accountId === a.accountId)?.expect;
    const joinedAt = iso(a.joinedMs ?? a.existsFromMs);
    return {
      accountId: a.accountId,
      name: a.name,
      email: a.email,
      status: a.status,
      isManagement: a.isManagement,
      origin: a.origin,
      organizationalUnit: a.organizationalUnit,
      exists,
      ...(joinedAt && exists ? { joinedAt } : {}),
      joinedMethod: a.joinedMethod,
      roles: [...a.roles.entries()].map(([name, readyAt]) => {
        const assumableAt = iso(readyAt);
        return { name, ...(assumableAt ? { assumableAt } : {}), assumable: exists && readyAt <= now };
      }),
      ...(expect ? { expect } : {}),
    };
  };
  const accounts = (): AccountView[] => {
    const now = world.clock.nowMs();
    return world.org.records().map((a) => accountView(a, now));
  };
  const documentView = (d: DocumentRecord): DocumentView => ({
    accountId: d.accountId,
    region: d.region,
    name: d.name,
    documentType: d.documentType,
    status: world.documents.status(d),
    latestVersion: d.latestVersion,
    defaultVersion: d.defaultVersion,
    createdDate: new Date(d.createdMs).toISOString(),
    versions: [...d.versions.values()].map((v) => ({
      version: v.version,
      status: world.documents.versionStatus(d, v),
      createdDate: new Date(v.createdMs).toISOString(),
      writer: v.writer,
      documentFormat: v.documentFormat,
      content: v.content,
      ...(v.versionName ? { versionName: v.versionName } : {}),
    })),
  });
  const documents = (filter: { accountId?: string; region?: string; name?: string } = {}): DocumentView[] =>
    world.documents
      .all()
      .filter(
        (d) =>
          (!filter.accountId || d.accountId === filter.accountId) &&
          (!filter.region || d.region === filter.region) &&
          (!filter.name || d.name === filter.name),
      )
      .map(documentView);
  const calls = (filter: CallFilter = {}) =>
    world
      .calls()
      .filter(
        (c) =>
          (!filter.operation || c.operation === filter.operation) &&
          (!filter.accountId || c.accountId === filter.accountId) &&
          (!filter.region || c.region === filter.region),
      );
  const pipelineExecutions = (): PipelineExecutionView[] => {
    const now = world.clock.nowMs();
    return world.runs
      .filter((r) => r.startMs <= now)
      .map((r) => ({
        executionId: r.executionId,
        status: now < r.endMs ? 'InProgress' : r.status,
        startTime: new Date(r.startMs).toISOString(),
        endTime: new Date(r.endMs).toISOString(),
        regionByRegion: r.regionByRegion,
        actions: r.stages.flatMap((s) =>
          s.actions
            .filter((a) => a.startMs <= now)
            .map((a) => ({
              stage: s.name,
              action: a.actionName,
              runOrder: a.runOrder,
              status: now < a.endMs ? 'InProgress' : a.status,
              startTime: new Date(a.startMs).toISOString(),
              endTime: new Date(a.endMs).toISOString(),
            })),
        ),
      }));
  };
  const state: LocalCloudState = {
    accounts,
    account: (accountId) => {
      const record = world.org.record(accountId);
      return record ? accountView(record) : undefined;
    },
    documents,
    document: (accountId, region, name = 'SSM-SessionManagerRunShell') => {
      const found = world.documents.find(accountId, region, name);
      return found ? documentView(found) : undefined;
    },
    calls,
    callCount: (filter) => calls(filter).reduce((sum, c) => sum + c.count, 0),
    lzaWrites: () => [...world.lzaWrites],
    pipelineExecutions,
    assumeRoleCallsFor: (targetAccountId) => world.assumeRoleCallsFor(targetAccountId),
    peakRate: (accountId, operation) => world.peakRate(accountId, operation),
    throttled: () => Object.fromEntries(world.rateLimits.throttled),
    faultsInjected: () => world.faults.injected,
    pendingTimelineTasks: () => world.scheduler.pending,
    snapshot: () => ({
      now: world.clock.now().toISOString(),
      elapsedSimulatedSeconds: world.clock.elapsedSeconds(),
      timeScale: world.clock.timeScale,
      timelineStarted: world.timelineStartSeconds !== undefined,
      organization: {
        id: world.org.organizationId,
        managementAccountId: world.managementAccountId,
        homeRegion: world.scenario.homeRegion,
      },
      accounts: accounts(),
      documents: documents(),
      calls: calls(),
      pipeline: {
        name: world.pipelineName,
        lzaVersion: world.scenario.pipeline.lzaVersion,
        wipesRunAs: compareVersions(world.scenario.pipeline.lzaVersion, '1.14.0') < 0,
        regions: world.lzaRegions,
        executions: pipelineExecutions(),
      },
      lzaWrites: [...world.lzaWrites],
      eventsPublished: world.bus.history().length,
      faultsInjected: world.faults.injected,
    }),
  };
  return state;
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
