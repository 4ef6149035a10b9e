/**
 * The local cloud's read-only views of its simulated world: accounts, documents, calls, the LZA
 * pipeline's executions, and the whole snapshot that `GET /_local/state` serves.
 */
import type { CallStats, CloudWorld } from './cloud-world.ts';
import { compareVersions } from './lza-pipeline.ts';
import type { LzaWriteRecord } from './lza-timeline.ts';
import type { AccountRecord } from './organization.ts';
import type { Scenario } from './scenario.ts';
import type { DocumentRecord } from './ssm-documents.ts';

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

function iso(ms: number | undefined): string | undefined {
  return ms === undefined || !Number.isFinite(ms) ? undefined : new Date(ms).toISOString();
}

function accountView(world: CloudWorld, a: AccountRecord, now = world.clock.nowMs()): AccountView {
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
}

function accountsOf(world: CloudWorld): AccountView[] {
  const now = world.clock.nowMs();
  return world.org.records().map((a) => accountView(world, a, now));
}

function documentView(world: CloudWorld, d: DocumentRecord): DocumentView {
  return {
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
  };
}

function documentsOf(
  world: CloudWorld,
  filter: { accountId?: string; region?: string; name?: string } = {},
): DocumentView[] {
  return world.documents
    .all()
    .filter(
      (d) =>
        (!filter.accountId || d.accountId === filter.accountId) &&
        (!filter.region || d.region === filter.region) &&
        (!filter.name || d.name === filter.name),
    )
    .map((d) => documentView(world, d));
}

function callsOf(world: CloudWorld, filter: CallFilter = {}): CallStats[] {
  return world
    .calls()
    .filter(
      (c) =>
        (!filter.operation || c.operation === filter.operation) &&
        (!filter.accountId || c.accountId === filter.accountId) &&
        (!filter.region || c.region === filter.region),
    );
}

/** The pipeline runs started by now, with the actions started by now; unfinished ones InProgress. */
function pipelineExecutionsOf(world: CloudWorld): PipelineExecutionView[] {
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
}

function snapshotOf(world: CloudWorld): LocalCloudSnapshot {
  return {
    now: world.clock.now().toISOString(),
    elapsedSimulatedSeconds: world.clock.elapsedSeconds(),
    timeScale: world.clock.timeScale,
    timelineStarted: world.timelineStartSeconds !== undefined,
    organization: {
      id: world.org.organizationId,
      managementAccountId: world.managementAccountId,
      homeRegion: world.scenario.homeRegion,
    },
    accounts: accountsOf(world),
    documents: documentsOf(world),
    calls: callsOf(world),
    pipeline: {
      name: world.pipelineName,
      lzaVersion: world.scenario.pipeline.lzaVersion,
      wipesRunAs: compareVersions(world.scenario.pipeline.lzaVersion, '1.14.0') < 0,
      regions: world.lzaRegions,
      executions: pipelineExecutionsOf(world),
    },
    lzaWrites: [...world.lzaWrites],
    eventsPublished: world.bus.history().length,
    faultsInjected: world.faults.injected,
  };
}

/** The read-only views of `world`. */
export function createState(world: CloudWorld): LocalCloudState {
  return {
    accounts: () => accountsOf(world),
    account: (accountId) => {
      const record = world.org.record(accountId);
      return record ? accountView(world, record) : undefined;
    },
    documents: (filter) => documentsOf(world, filter),
    document: (accountId, region, name = 'SSM-SessionManagerRunShell') => {
      const found = world.documents.find(accountId, region, name);
      return found ? documentView(world, found) : undefined;
    },
    calls: (filter) => callsOf(world, filter),
    callCount: (filter) => callsOf(world, filter).reduce((sum, c) => sum + c.count, 0),
    lzaWrites: () => [...world.lzaWrites],
    pipelineExecutions: () => pipelineExecutionsOf(world),
    assumeRoleCallsFor: (targetAccountId) => world.assumeRoleCallsFor(targetAccountId),
    peakRate: (accountId, operation) => world.peakRate(accountId, operation),
    throttled: () => Object.fromEntries(world.rateLimits.throttled),
    faultsInjected: () => world.faults.injected,
    pendingTimelineTasks: () => world.scheduler.pending,
    snapshot: () => snapshotOf(world),
  };
}
