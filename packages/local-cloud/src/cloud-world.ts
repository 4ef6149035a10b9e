import {
  CONTROL_TOWER_ROLE,
  createAccount,
  defaultRoles,
  landingZoneUpdate,
  seedDocuments,
  startVend,
} from './account-vends.ts';
import { EventBus, type EventEnvelope } from './bus.ts';
import { SimulatedClock, SimulatedScheduler } from './clock.ts';
import type { LocalDeployment } from './deployment.ts';
import { DynamoDbBackend } from './dynamodb.ts';
import { FaultInjector } from './faults.ts';
import { CredentialStore } from './identity.ts';
import { AWS_LATENCY, LatencyModel, NO_LATENCY, stableKey } from './latency.ts';
import type { PlannedRun } from './lza-pipeline.ts';
import { type LzaWriteRecord, type PipelineRunRequest, startPipelineRun } from './lza-timeline.ts';
import { Organization } from './organization.ts';
import { RateLimiter } from './rate-limits.ts';
import { generatedAccountIds, type Scenario } from './scenario.ts';
import { DocumentStore } from './ssm-documents.ts';
import type { StepFunctionsExecutor } from './step-functions-executor.ts';

const DAY_MS = 86_400_000;

export interface CallStats {
  accountId: string;
  region: string;
  /** IAM action name, e.g. `ssm:UpdateDocument`. */
  operation: string;
  count: number;
  /** Error code -> count, including injected faults. */
  errors: Record<string, number>;
}

/**
 * What the LZA pipeline is called and which regions it deploys when the scenario does not say:
 * a caller passes the settings of whatever watches the pipeline (its name and regions), so the
 * pipeline the cloud runs is the one the caller expects.
 */
export interface PipelineDefaults {
  name?: string;
  regions?: string[];
}

/** The whole simulated organization and its services' state. */
export class CloudWorld {
  readonly scenario: Scenario;
  readonly clock: SimulatedClock;
  readonly scheduler: SimulatedScheduler;
  readonly bus: EventBus;
  readonly org: Organization;
  readonly documents: DocumentStore;
  readonly credentials = new CredentialStore();
  readonly faults: FaultInjector;
  readonly rateLimits: RateLimiter;
  /** Modelled AWS latencies (none unless the scenario asks for them). */
  readonly latency: LatencyModel;
  readonly pipelineName: string;
  readonly lzaRegions: string[];
  readonly runs: PlannedRun[] = [];
  readonly lzaWrites: LzaWriteRecord[] = [];
  /** Final pipeline events a run dropped (`runs[].dropEvents`), for tests. */
  readonly droppedEvents: { executionId: string; event: string; state: string }[] = [];
  /** `account|region` where LZA's SecurityResources stack exists (its writer ran at creation). */
  readonly securityStacks = new Set<string>();
  readonly #calls = new Map<string, CallStats>();
  readonly #rates = new Map<string, Map<number, number>>();
  readonly #assumeRoles = new Map<string, number>();
  readonly #disabledRegions = new Map<string, Set<string>>();
  readonly #stsDisabledRegions = new Map<string, Set<string>>();
  executor: StepFunctionsExecutor | undefined;
  /** DynamoDB: an in-memory dynalite per account and region, started on first use. */
  readonly dynamodb: DynamoDbBackend;
  /** The deployed application's stacks, rules and state machines, once a runtime registered them. */
  deployment: LocalDeployment | undefined;
  timelineStartSeconds: number | undefined;

  constructor(scenario: Scenario, pipeline: PipelineDefaults, onError: (error: unknown) => void) {
    this.scenario = scenario;
    this.clock = new SimulatedClock(scenario.timeScale);
    this.scheduler = new SimulatedScheduler(this.clock, onError);
    this.latency = new LatencyModel(
      scenario.latency.model === 'aws' ? AWS_LATENCY : NO_LATENCY,
      scenario.latency.seed,
    );
    // EventBridge is not instant: each delivery to a rule target waits a modelled latency.
    this.bus = new EventBus(undefined, (event) =>
      this.clock.simSecondsToWallMs(
        this.latency.sample(
          'eventbridge',
          this.latency.definition.eventDelivery,
          `${event.source}|${event['detail-type']}|${stableKey(event.detail)}`,
        ) / 1000,
      ),
    );
    this.org = new Organization(scenario.managementAccountId);
    this.documents = new DocumentStore({
      versionLimit: scenario.documentVersionLimit,
      statusDelayMs: scenario.documentStatusDelaySeconds * 1000,
      nowMs: () => this.clock.nowMs(),
    });
    this.faults = new FaultInjector(scenario.faults);
    this.rateLimits = new RateLimiter(scenario.rateLimits, () => this.clock.nowMs());
    this.dynamodb = new DynamoDbBackend(this.clock, scenario.dynamodb.tableStatusDelaySeconds);
    this.pipelineName = scenario.pipeline.name ?? pipeline.name ?? 'AWSAccelerator-Pipeline';
    const regions = scenario.pipeline.regions ?? pipeline.regions ?? [scenario.homeRegion];
    // Region-by-region deploys the home region first.
    this.lzaRegions = regions.includes(scenario.homeRegion)
      ? [scenario.homeRegion, ...regions.filter((r) => r !== scenario.homeRegion)]
      : [...regions];

    this.credentials.addLongTermKey('test', 'test', scenario.managementAccountId, 'local-admin');
    for (const key of scenario.accessKeys) {
      this.credentials.addLongTermKey(
        key.accessKeyId,
        key.secretAccessKey,
        key.accountId ?? scenario.managementAccountId,
        key.userName,
      );
    }
    for (const account of scenario.accounts) {
      if (account.disabledRegions.length > 0)
        this.#disabledRegions.set(account.accountId, new Set(account.disabledRegions));
      if (account.stsDisabledRegions.length > 0)
        this.#stsDisabledRegions.set(account.accountId, new Set(account.stsDisabledRegions));
      for (const [region, count] of Object.entries(account.failDocumentWrites))
        this.documents.failNextWrites(account.accountId, region, count);
    }
    this.#seedOrganization();
  }

  /** Whether STS is deactivated in `region` for `accountId` (RegionDisabledException). */
  stsRegionDisabled(accountId: string, region: string): boolean {
    return this.#stsDisabledRegions.get(accountId)?.has(region) ?? false;
  }

  /** Whether `region` is an opt-in region that `accountId` has not enabled. */
  regionDisabled(accountId: string, region: string): boolean {
    return this.#disabledRegions.get(accountId)?.has(region) ?? false;
  }

  /** Where Control Tower's landing zone lives, and so where its lifecycle events arrive. */
  get controlTowerHomeRegion(): string {
    return this.scenario.controlTower.homeRegion ?? this.scenario.homeRegion;
  }

  get managementAccountId(): string {
    return this.scenario.managementAccountId;
  }

  // ---- organization -------------------------------------------------------------------------

  #seedOrganization(): void {
    const start = this.clock.startWallMs;
    const management = this.scenario.accounts.find((a) => a.accountId === this.managementAccountId);
    this.org.add({
      accountId: this.managementAccountId,
      name: management?.name ?? 'Management',
      email: management?.email ?? 'aws-management@example.com',
      status: 'ACTIVE',
      joinedMethod: management?.joinedMethod ?? 'CREATED',
      organizationalUnit: 'Root',
      isManagement: true,
      existsFromMs: start,
      joinedMs: start - (management?.joinedDaysAgo ?? 400) * DAY_MS,
      roles: new Map(Object.entries(management?.roles ?? {}).map(([role, s]) => [role, start + s * 1000])),
      origin: 'none',
    });
    this.#existingStacks(this.managementAccountId);
    if (management) seedDocuments(this.documents, management);
    for (const account of this.scenario.accounts) {
      if (account.accountId === this.managementAccountId) continue;
      const via = account.vend?.via ?? 'none';
      const roles = account.roles ?? defaultRoles(account, this.scenario);
      const record = this.org.add({
        accountId: account.accountId,
        name: account.name,
        email: account.email ?? `aws+${account.accountId}@example.com`,
        status: account.status,
        joinedMethod: via === 'none' ? account.joinedMethod : via === 'invited' ? 'INVITED' : 'CREATED',
        organizationalUnit: account.organizationalUnit,
        isManagement: false,
        existsFromMs: via === 'none' ? start : undefined,
        joinedMs: via === 'none' ? start - account.joinedDaysAgo * DAY_MS : undefined,
        roles: new Map(),
        origin: via,
      });
      if (via === 'none') {
        for (const [role, s] of Object.entries(roles))
          this.org.addRole(record.accountId, role, start + s * 1000);
        this.#existingStacks(record.accountId);
        seedDocuments(this.documents, account);
      }
    }
    this.#seedGeneratedAccounts(start);
  }

  /** `generatedAccounts`: many existing, enrolled members without documents. */
  #seedGeneratedAccounts(start: number): void {
    const generated = this.scenario.generatedAccounts;
    if (!generated) return;
    const roles = generated.roles ?? { [CONTROL_TOWER_ROLE]: 0, OrganizationAccountAccessRole: 0 };
    for (const [index, accountId] of generatedAccountIds(generated).entries()) {
      this.org.add({
        accountId,
        name: `${generated.namePrefix}-${index + 1}`,
        email: `aws+${accountId}@example.com`,
        status: 'ACTIVE',
        joinedMethod: 'CREATED',
        organizationalUnit: generated.organizationalUnit,
        isManagement: false,
        existsFromMs: start,
        joinedMs: start - generated.joinedDaysAgo * DAY_MS,
        roles: new Map(Object.entries(roles).map(([role, s]) => [role, start + s * 1000])),
        origin: 'none',
      });
      this.#existingStacks(accountId);
    }
  }

  /** An account that predates the simulation already has its SecurityResources stacks. */
  #existingStacks(accountId: string): void {
    for (const region of this.lzaRegions) this.securityStacks.add(`${accountId}|${region}`);
  }

  /** Start scheduled vends, landing-zone updates and pipeline runs, counted from now. Idempotent. */
  startTimeline(): void {
    if (this.timelineStartSeconds !== undefined) return;
    const t0 = this.clock.elapsedSeconds();
    this.timelineStartSeconds = t0;
    for (const account of this.scenario.accounts) {
      if (!account.vend || account.vend.via === 'none') continue;
      const atSeconds = t0 + account.vend.atSeconds;
      this.scheduler.at(atSeconds, () => startVend(this, account, this.clock.epochMsAt(atSeconds)));
    }
    for (const account of this.scenario.accounts)
      for (const change of account.stateChanges)
        this.scheduler.at(t0 + change.atSeconds, () => this.org.setState(account.accountId, change.state));
    for (const update of this.scenario.landingZoneUpdates) {
      const atSeconds = t0 + update.atSeconds;
      this.scheduler.at(atSeconds, () =>
        this.landingZoneUpdate(this.clock.epochMsAt(atSeconds), update.deliveries),
      );
    }
    for (const run of this.scenario.pipeline.runs) {
      this.startPipelineRun(run, this.clock.epochMsAt(t0 + run.startAtSeconds));
    }
    // The timeline's end: pending until then, so the scenario plays at least this long.
    const until = this.scenario.playUntilSeconds;
    if (until !== undefined) this.scheduler.at(t0 + until, () => {});
  }

  /**
   * Run `fn` at `seconds` after the timeline's start, as a timeline task (pending until it ran).
   * Refused before `startTimeline()`, and at or past the scenario's `playUntilSeconds`.
   */
  atTimelineSeconds(seconds: number, fn: () => void): boolean {
    const t0 = this.timelineStartSeconds;
    const until = this.scenario.playUntilSeconds;
    if (t0 === undefined || (until !== undefined && seconds >= until)) return false;
    this.scheduler.at(t0 + seconds, fn);
    return true;
  }

  /**
   * A Control Tower landing-zone update (or OU re-register) re-runs every enrolled account
   * (`account-vends.ts`). Returns how many accounts it touched.
   */
  landingZoneUpdate(atMs: number, deliveries = 1): number {
    return landingZoneUpdate(this, atMs, deliveries);
  }

  /** Organizations CreateAccount from the API; returns the request id. */
  createAccount(input: { email: string; accountName: string; roleName: string }): string {
    return createAccount(this, input);
  }

  /** Plan a run starting at `startMs` (simulated epoch ms) and schedule its events and LZA's writes. */
  startPipelineRun(run: PipelineRunRequest, startMs: number): PlannedRun {
    return startPipelineRun(this, run, startMs);
  }

  publishRepeated(event: EventEnvelope, deliveries: number): void {
    // At-least-once: a redelivery carries the same event id.
    for (let i = 0; i < deliveries; i += 1) this.bus.publish(i === 0 ? event : structuredClone(event));
  }

  /** Where the LZA pipeline runs: the management account, or an external pipeline account. */
  get pipelineAccountId(): string {
    return this.scenario.pipeline.accountId ?? this.managementAccountId;
  }

  get pipelineArn(): string {
    return `arn:aws:codepipeline:${this.scenario.homeRegion}:${this.pipelineAccountId}:${this.pipelineName}`;
  }

  // ---- calls --------------------------------------------------------------------------------

  recordCall(accountId: string, region: string, operation: string, errorCode?: string): void {
    const key = `${accountId}|${region}|${operation}`;
    let stats = this.#calls.get(key);
    if (!stats) {
      stats = { accountId, region, operation, count: 0, errors: {} };
      this.#calls.set(key, stats);
    }
    stats.count += 1;
    if (errorCode) stats.errors[errorCode] = (stats.errors[errorCode] ?? 0) + 1;
    // Requests per simulated second and caller, per operation: what a rate quota counts.
    const second = Math.floor(this.clock.nowMs() / 1000);
    const rateKey = `${accountId}|${operation}`;
    let perSecond = this.#rates.get(rateKey);
    if (!perSecond) {
      perSecond = new Map();
      this.#rates.set(rateKey, perSecond);
    }
    perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
  }

  /** An AssumeRole into a role of `targetAccountId`, answered or refused. */
  countAssumeRole(targetAccountId: string): void {
    this.#assumeRoles.set(targetAccountId, (this.#assumeRoles.get(targetAccountId) ?? 0) + 1);
  }

  /** AssumeRole calls into roles of `targetAccountId` so far (the calls are the caller's). */
  assumeRoleCallsFor(targetAccountId: string): number {
    return this.#assumeRoles.get(targetAccountId) ?? 0;
  }

  /** The busiest simulated second of `operation` called by `accountId` (all regions), and its count. */
  peakRate(accountId: string, operation: string): { perSecond: number; atMs?: number } {
    let peak = { perSecond: 0 } as { perSecond: number; atMs?: number };
    for (const [second, count] of this.#rates.get(`${accountId}|${operation}`) ?? []) {
      if (count > peak.perSecond) peak = { perSecond: count, atMs: second * 1000 };
    }
    return peak;
  }

  /** A failed call was already counted by `recordCall`; this attributes its error. */
  recordError(accountId: string, region: string, operation: string, errorCode: string): void {
    const stats = this.#calls.get(`${accountId}|${region}|${operation}`);
    if (stats) stats.errors[errorCode] = (stats.errors[errorCode] ?? 0) + 1;
  }

  calls(): CallStats[] {
    return [...this.#calls.values()].map((c) => ({ ...c, errors: { ...c.errors } }));
  }
}
