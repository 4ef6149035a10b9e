import type { BootstrapperConfig } from '#core/config.ts';
import { EventBus, type EventEnvelope, makeEnvelope } from './bus.ts';
import { SimulatedClock, SimulatedScheduler } from './clock.ts';
import type { LocalDeployment } from './deployment.ts';
import { DynamoDbBackend } from './dynamodb.ts';
import { FaultInjector } from './faults.ts';
import { CredentialStore } from './identity.ts';
import { AWS_LATENCY, LatencyModel, NO_LATENCY, stableKey } from './latency.ts';
import {
  lzaSessionManagerContent,
  type PlannedAction,
  type PlannedRun,
  type PlannedStage,
  planRun,
  securityResourcesActions,
} from './lza-pipeline.ts';
import { type AccountRecord, type CreateAccountRequest, Organization } from './organization.ts';
import { RateLimiter } from './rate-limits.ts';
import {
  generatedAccountIds,
  type Scenario,
  type ScenarioAccount,
  type ScenarioPipelineRun,
} from './scenario.ts';
import { DocumentStore } from './ssm-documents.ts';
import type { StepFunctionsExecutor } from './step-functions-executor.ts';
import { accountJoinedEvent, createAccountResultEvent, managedAccountEvent } from './vend-events.ts';

export const PREFERENCES_DOCUMENT = 'SSM-SessionManagerRunShell';
export const CONTROL_TOWER_ROLE = 'AWSControlTowerExecution';
const DAY_MS = 86_400_000;

/** A pipeline run as the timeline or the API asks for it; the newer fields are optional. */
export type PipelineRunRequest = Omit<ScenarioPipelineRun, 'changesSessionManagerSettings' | 'dropEvents'> &
  Partial<Pick<ScenarioPipelineRun, 'changesSessionManagerSettings' | 'dropEvents'>>;

export interface CallStats {
  accountId: string;
  region: string;
  /** IAM action name, e.g. `ssm:UpdateDocument`. */
  operation: string;
  count: number;
  /** Error code -> count, including injected faults. */
  errors: Record<string, number>;
}

export interface LzaWriteRecord {
  time: string;
  executionId: string;
  stage: string;
  accountId: string;
  region: string;
  outcome: 'updated' | 'created' | 'unchanged' | 'failed';
  /**
   * Why LZA's custom resource ran here (aws-facts §8): the account's SecurityResources stack
   * was created by this run, or the run changed the session-manager logging settings.
   */
  trigger: 'stack-created' | 'settings-changed';
  version?: string;
  error?: string;
  runAsBefore?: { runAsEnabled: unknown; runAsDefaultUser: unknown };
  runAsAfter: { runAsEnabled: unknown; runAsDefaultUser: unknown };
}

/** The whole simulated organization and its services' state. */
export class CloudWorld {
  readonly scenario: Scenario;
  readonly config: BootstrapperConfig | undefined;
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
  /** The bootstrapper's stacks, rules and state machines, once the local runtime deployed them. */
  deployment: LocalDeployment | undefined;
  timelineStartSeconds: number | undefined;

  constructor(scenario: Scenario, config: BootstrapperConfig | undefined, onError: (error: unknown) => void) {
    this.scenario = scenario;
    this.config = config;
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
    this.pipelineName = scenario.pipeline.name ?? config?.lza.pipelineName ?? 'AWSAccelerator-Pipeline';
    const regions = scenario.pipeline.regions ?? config?.governedRegions ?? [scenario.homeRegion];
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
    if (management) this.#seedDocuments(management);
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
        this.#seedDocuments(account);
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

  #seedDocuments(account: ScenarioAccount): void {
    for (const [region, content] of Object.entries(account.documents)) {
      const text = typeof content === 'string' ? content : JSON.stringify(content, null, 2);
      let format: 'JSON' | 'YAML' = 'JSON';
      if (typeof content === 'string') {
        try {
          JSON.parse(content);
        } catch {
          format = 'YAML';
        }
      }
      this.documents.create({
        accountId: account.accountId,
        region,
        name: PREFERENCES_DOCUMENT,
        content: text,
        documentType: 'Session',
        documentFormat: format,
        writer: 'scenario',
        trusted: true,
      });
    }
  }

  /** Start scheduled vends, landing-zone updates and pipeline runs, counted from now. Idempotent. */
  startTimeline(): void {
    if (this.timelineStartSeconds !== undefined) return;
    const t0 = this.clock.elapsedSeconds();
    this.timelineStartSeconds = t0;
    for (const account of this.scenario.accounts) {
      if (!account.vend || account.vend.via === 'none') continue;
      const atSeconds = t0 + account.vend.atSeconds;
      const vend = account.vend.via === 'invited' ? this.#invite : this.#vend;
      this.scheduler.at(atSeconds, () => vend.call(this, account, this.clock.epochMsAt(atSeconds)));
    }
    for (const update of this.scenario.landingZoneUpdates) {
      const atSeconds = t0 + update.atSeconds;
      this.scheduler.at(atSeconds, () =>
        this.landingZoneUpdate(this.clock.epochMsAt(atSeconds), update.deliveries),
      );
    }
    for (const run of this.scenario.pipeline.runs) {
      this.startPipelineRun(run, this.clock.epochMsAt(t0 + run.startAtSeconds));
    }
  }

  #vend(account: ScenarioAccount, requestedMs: number): void {
    const vend = account.vend as NonNullable<ScenarioAccount['vend']>;
    const record = this.org.record(account.accountId) as AccountRecord;
    const createSeconds = vend.createSeconds ?? this.scenario.organizations.createAccountSeconds;
    const request: CreateAccountRequest = {
      id: this.org.newRequestId(),
      accountName: account.name,
      email: record.email,
      requestedMs,
      completesAtMs: requestedMs + createSeconds * 1000,
      outcome: vend.failureReason ? 'FAILED' : 'SUCCEEDED',
      ...(vend.failureReason ? { failureReason: vend.failureReason } : { accountId: account.accountId }),
    };
    this.org.addRequest(request);
    this.scheduler.at(this.clock.secondsAt(request.completesAtMs), () => {
      const completedMs = request.completesAtMs;
      if (!vend.failureReason) {
        record.existsFromMs = completedMs;
        record.joinedMs = completedMs;
        const roles = account.roles ?? defaultRoles(account, this.scenario);
        for (const [role, s] of Object.entries(roles))
          this.org.addRole(record.accountId, role, completedMs + s * 1000);
        this.#seedDocuments(account);
      }
      if (vend.via === 'organizations' || vend.emitCreateAccountResult) {
        const event = createAccountResultEvent({
          managementAccountId: this.managementAccountId,
          requestId: request.id,
          accountName: account.name,
          state: request.outcome,
          ...(request.accountId ? { accountId: request.accountId } : {}),
          ...(request.failureReason ? { failureReason: request.failureReason } : {}),
          requestedMs: request.requestedMs,
          completedMs,
        });
        this.#publishRepeated(event, vend.deliveries);
      }
      // Account Factory creates the account with Organizations CreateAccount too, so a
      // controltower vend logs the join as well.
      if (!vend.failureReason) this.#joined(record, completedMs, vend.deliveries);
      if (vend.via === 'controltower') {
        const enrolledMs = completedMs + (vend.enrollSeconds ?? DEFAULT_ENROLL_SECONDS) * 1000;
        this.scheduler.at(this.clock.secondsAt(enrolledMs), () => {
          const event = managedAccountEvent({
            managementAccountId: this.managementAccountId,
            homeRegion: this.scenario.homeRegion,
            eventName: 'CreateManagedAccount',
            accountName: account.name,
            ...(vend.failureReason ? {} : { accountId: account.accountId }),
            organizationalUnitName: account.organizationalUnit,
            organizationalUnitId: this.org.ouId(account.organizationalUnit),
            state: vend.failureReason ? 'FAILED' : 'SUCCEEDED',
            requestedMs: request.requestedMs,
            completedMs: enrolledMs,
          });
          this.#publishRepeated(event, vend.deliveries);
        });
      }
    });
  }

  /**
   * `via: invited`: an account that exists outside accepts the organization's invitation. It
   * joins with JoinedMethod INVITED and logs an Invited join, but no CreateAccountResult (there
   * was no CreateAccount) and gets no member role of the organization's (only `roles` listed in
   * the scenario). With `enrollSeconds`, Control Tower later enrolls it: AWSControlTowerExecution
   * is created then, and CreateManagedAccount SUCCEEDED is published in the home region.
   */
  #invite(account: ScenarioAccount, joinedMs: number): void {
    const vend = account.vend as NonNullable<ScenarioAccount['vend']>;
    const record = this.org.record(account.accountId) as AccountRecord;
    record.existsFromMs = joinedMs;
    record.joinedMs = joinedMs;
    record.joinedMethod = 'INVITED';
    for (const [role, s] of Object.entries(account.roles ?? {}))
      this.org.addRole(record.accountId, role, joinedMs + s * 1000);
    this.#seedDocuments(account);
    this.#joined(record, joinedMs, vend.deliveries);
    if (vend.enrollSeconds === undefined) return;
    const enrolledMs = joinedMs + vend.enrollSeconds * 1000;
    this.scheduler.at(this.clock.secondsAt(enrolledMs), () => {
      // The role Control Tower creates is assumable when the enrollment reports success
      // (aws-facts §1: IAM may still lag in AWS; here a single instant).
      const existing = record.roles.get(CONTROL_TOWER_ROLE);
      if (existing === undefined || existing > enrolledMs)
        this.org.addRole(record.accountId, CONTROL_TOWER_ROLE, enrolledMs);
      const event = managedAccountEvent({
        managementAccountId: this.managementAccountId,
        homeRegion: this.scenario.homeRegion,
        eventName: 'CreateManagedAccount',
        accountName: account.name,
        accountId: account.accountId,
        organizationalUnitName: account.organizationalUnit,
        organizationalUnitId: this.org.ouId(account.organizationalUnit),
        state: 'SUCCEEDED',
        message: 'AWS Control Tower successfully enrolled an existing account.',
        requestedMs: joinedMs,
        completedMs: enrolledMs,
      });
      this.#publishRepeated(event, vend.deliveries);
    });
  }

  /** The Organizations join event for an account that joined at `joinedMs` (aws-facts §1, §8). */
  #joined(record: AccountRecord, joinedMs: number, deliveries: number): void {
    const { emitJoinEvents, joinEventDelaySeconds } = this.scenario.organizations;
    if (!emitJoinEvents) return;
    const eventMs = joinedMs + joinEventDelaySeconds * 1000;
    const publish = () =>
      this.#publishRepeated(
        accountJoinedEvent({
          managementAccountId: this.managementAccountId,
          accountId: record.accountId,
          accountName: record.name,
          joinedMethod: record.joinedMethod,
          joinedMs,
          eventMs,
        }),
        deliveries,
      );
    if (eventMs <= joinedMs) publish();
    else this.scheduler.at(this.clock.secondsAt(eventMs), publish);
  }

  /**
   * A Control Tower landing-zone update (or OU re-register) re-runs every enrolled account:
   * `UpdateManagedAccount` SUCCEEDED in the home region for each ACTIVE member that has
   * AWSControlTowerExecution at that moment (aws-facts §8). Returns how many accounts it touched.
   */
  landingZoneUpdate(atMs: number, deliveries = 1): number {
    let touched = 0;
    for (const account of this.org.members(atMs)) {
      if (account.isManagement || account.status !== 'ACTIVE') continue;
      const readyAt = account.roles.get(CONTROL_TOWER_ROLE);
      if (readyAt === undefined || readyAt > atMs) continue;
      touched += 1;
      this.#publishRepeated(
        managedAccountEvent({
          managementAccountId: this.managementAccountId,
          homeRegion: this.scenario.homeRegion,
          eventName: 'UpdateManagedAccount',
          accountName: account.name,
          accountId: account.accountId,
          organizationalUnitName: account.organizationalUnit,
          organizationalUnitId: this.org.ouId(account.organizationalUnit),
          state: 'SUCCEEDED',
          message: 'AWS Control Tower successfully updated a managed account.',
          requestedMs: atMs,
          completedMs: atMs,
        }),
        deliveries,
      );
    }
    return touched;
  }

  #publishRepeated(event: EventEnvelope, deliveries: number): void {
    // At-least-once: a redelivery carries the same event id.
    for (let i = 0; i < deliveries; i += 1) this.bus.publish(i === 0 ? event : structuredClone(event));
  }

  /** Organizations CreateAccount from the API. */
  createAccount(input: { email: string; accountName: string; roleName: string }): string {
    const now = this.clock.nowMs();
    const completesAtMs = now + this.scenario.organizations.createAccountSeconds * 1000;
    const emailTaken = this.org.emailInUse(input.email);
    const accountId = emailTaken ? undefined : this.org.newAccountId();
    const request = {
      id: this.org.newRequestId(),
      accountName: input.accountName,
      email: input.email,
      requestedMs: now,
      completesAtMs,
      outcome: emailTaken ? ('FAILED' as const) : ('SUCCEEDED' as const),
      ...(accountId ? { accountId } : { failureReason: 'EMAIL_ALREADY_EXISTS' }),
    };
    this.org.addRequest(request);
    if (accountId) {
      this.org.add({
        accountId,
        name: input.accountName,
        email: input.email,
        status: 'ACTIVE',
        joinedMethod: 'CREATED',
        organizationalUnit: 'Root',
        isManagement: false,
        existsFromMs: undefined,
        joinedMs: undefined,
        roles: new Map([[input.roleName, Number.POSITIVE_INFINITY]]),
        origin: 'api',
      });
    }
    this.scheduler.at(this.clock.secondsAt(completesAtMs), () => {
      const record = accountId ? this.org.record(accountId) : undefined;
      if (record) {
        record.existsFromMs = completesAtMs;
        record.joinedMs = completesAtMs;
        this.org.addRole(
          record.accountId,
          input.roleName,
          completesAtMs + this.scenario.organizations.roleReadySeconds * 1000,
        );
      }
      this.bus.publish(
        createAccountResultEvent({
          managementAccountId: this.managementAccountId,
          requestId: request.id,
          accountName: input.accountName,
          state: request.outcome,
          ...(accountId ? { accountId } : { failureReason: 'EMAIL_ALREADY_EXISTS' }),
          requestedMs: now,
          completedMs: completesAtMs,
        }),
      );
      if (record) this.#joined(record, completesAtMs, 1);
    });
    return request.id;
  }

  // ---- pipeline -----------------------------------------------------------------------------

  /** Plan a run starting at `startMs` (simulated epoch ms) and schedule its events and LZA's writes. */
  startPipelineRun(run: PipelineRunRequest, startMs: number): PlannedRun {
    const plan = planRun({
      pipelineName: this.pipelineName,
      pipeline: this.scenario.pipeline,
      run,
      regions: this.lzaRegions,
      startMs,
    });
    this.runs.push(plan);
    const at = (ms: number, fn: () => void) => this.scheduler.at(this.clock.secondsAt(ms), fn);
    const final = (status: 'Succeeded' | 'Failed') => (status === 'Failed' ? 'FAILED' : 'SUCCEEDED');
    at(plan.startMs, () => this.#pipelineEvent(plan, 'STARTED', plan.startMs));
    for (const stage of plan.stages) {
      at(stage.startMs, () => this.#stageEvent(plan, stage, 'STARTED', stage.startMs));
      for (const action of stage.actions) {
        at(action.startMs, () => this.#actionEvent(plan, stage, action, 'STARTED', action.startMs));
        at(action.endMs, () => this.#actionEvent(plan, stage, action, final(action.status), action.endMs));
      }
      at(stage.endMs, () => this.#stageEvent(plan, stage, final(stage.status), stage.endMs));
    }
    at(plan.endMs, () => this.#pipelineEvent(plan, final(plan.status), plan.endMs));
    const { sendToCloudWatchLogs, sendToS3 } = this.scenario.pipeline.sessionManager;
    if (sendToCloudWatchLogs || sendToS3) {
      for (const { stage, action } of securityResourcesActions(plan)) {
        const writeMs =
          action.startMs + (action.endMs - action.startMs) * this.scenario.pipeline.writeAtFraction;
        at(writeMs, () => this.#lzaWrite(plan, stage, writeMs));
      }
    }
    return plan;
  }

  get pipelineArn(): string {
    return `arn:aws:codepipeline:${this.scenario.homeRegion}:${this.managementAccountId}:${this.pipelineName}`;
  }

  /**
   * CodePipeline's native state-change events (aws-facts §8): source `aws.codepipeline`, the
   * pipeline's region (the management account's home region for LZA), delivered at least once
   * (`pipeline.eventDeliveries` copies with the same id) unless the run drops it (`dropEvents`).
   */
  #publishPipelineEvent(
    plan: PlannedRun,
    dropKey: string | undefined,
    detailType: string,
    detail: Record<string, unknown>,
    timeMs: number,
  ): void {
    if (dropKey !== undefined && plan.dropEvents.includes(dropKey)) {
      this.droppedEvents.push({ executionId: plan.executionId, event: dropKey, state: String(detail.state) });
      return;
    }
    const event = makeEnvelope({
      'detail-type': detailType,
      source: 'aws.codepipeline',
      account: this.managementAccountId,
      time: timeMs,
      region: this.scenario.homeRegion,
      resources: [this.pipelineArn],
      detail,
    });
    this.#publishRepeated(event, this.scenario.pipeline.eventDeliveries);
  }

  #pipelineEvent(plan: PlannedRun, state: string, timeMs: number): void {
    this.#publishPipelineEvent(
      plan,
      state === 'STARTED' ? undefined : 'pipeline',
      'CodePipeline Pipeline Execution State Change',
      {
        pipeline: plan.pipelineName,
        'execution-id': plan.executionId,
        'start-time': new Date(plan.startMs).toISOString(),
        'execution-trigger': { 'trigger-type': plan.triggerType, 'trigger-detail': 'local-cloud' },
        state,
        version: 1,
        'pipeline-execution-attempt': 1,
      },
      timeMs,
    );
  }

  #stageEvent(plan: PlannedRun, stage: PlannedStage, state: string, timeMs: number): void {
    this.#publishPipelineEvent(
      plan,
      state === 'STARTED' ? undefined : stage.name,
      'CodePipeline Stage Execution State Change',
      {
        pipeline: plan.pipelineName,
        'execution-id': plan.executionId,
        'start-time': new Date(plan.startMs).toISOString(),
        stage: stage.name,
        state,
        version: 1,
        'pipeline-execution-attempt': 1,
      },
      timeMs,
    );
  }

  #actionEvent(
    plan: PlannedRun,
    stage: PlannedStage,
    action: PlannedAction,
    state: string,
    timeMs: number,
  ): void {
    this.#publishPipelineEvent(
      plan,
      state === 'STARTED' ? undefined : `${stage.name}/${action.actionName}`,
      'CodePipeline Action Execution State Change',
      {
        pipeline: plan.pipelineName,
        'execution-id': plan.executionId,
        'start-time': new Date(plan.startMs).toISOString(),
        stage: stage.name,
        action: action.actionName,
        state,
        // The action's region: LZA's CodeBuild actions all run in the pipeline's (home) region,
        // Deploy-<region> stages included.
        region: this.scenario.homeRegion,
        type: { owner: 'AWS', provider: action.provider, category: action.category, version: '1' },
        version: 1,
        'pipeline-execution-attempt': 1,
        ...(state === 'STARTED'
          ? {}
          : {
              'execution-result': {
                'external-execution-id': action.actionExecutionId,
                'external-execution-summary': `${action.actionName} ${state.toLowerCase()}`,
                'external-execution-state': action.status,
              },
            }),
      },
      timeMs,
    );
  }

  /**
   * LZA's Security_Resources: its `Custom::SsmSessionManagerSettings` resource writes the
   * preferences document in an account and region only when CloudFormation invokes it
   * (aws-facts §8): when this run creates the account's SecurityResources stack there (an
   * account that joined since the last deploy), or when the run changes the session-manager
   * logging settings (`runs[].changesSessionManagerSettings`: every ACTIVE account). Its
   * properties hold no run-unique value, so an unchanged stack is not touched.
   */
  #lzaWrite(plan: PlannedRun, stage: PlannedStage, writeMs: number): void {
    const regions = stage.region ? [stage.region] : this.lzaRegions;
    const settings = {
      lzaVersion: this.scenario.pipeline.lzaVersion,
      ...this.scenario.pipeline.sessionManager,
      homeRegion: this.scenario.homeRegion,
      logArchiveAccountId:
        this.scenario.accounts.find((a) => /log\s*archive/i.test(a.name))?.accountId ??
        this.managementAccountId,
    };
    const writer = `LZA ${this.scenario.pipeline.lzaVersion} ${stage.name}/Security_Resources`;
    for (const account of this.org.members(writeMs)) {
      if (account.status !== 'ACTIVE') continue;
      for (const region of regions) {
        const stackKey = `${account.accountId}|${region}`;
        let trigger: LzaWriteRecord['trigger'];
        if (!this.securityStacks.has(stackKey)) {
          this.securityStacks.add(stackKey);
          trigger = 'stack-created';
        } else if (plan.changesSessionManagerSettings) {
          trigger = 'settings-changed';
        } else {
          continue;
        }
        const doc = this.documents.find(account.accountId, region, PREFERENCES_DOCUMENT);
        // LZA's GetDocument names no version: it reads the default.
        const current = doc ? this.documents.resolveVersion(doc, '$DEFAULT').content : undefined;
        const content = lzaSessionManagerContent(settings, account.accountId, region, current);
        const base = {
          time: new Date(writeMs).toISOString(),
          executionId: plan.executionId,
          stage: stage.name,
          accountId: account.accountId,
          region,
          trigger,
          runAsAfter: runAsOf(content) ?? { runAsEnabled: undefined, runAsDefaultUser: undefined },
        };
        if (!doc) {
          this.documents.create({
            accountId: account.accountId,
            region,
            name: PREFERENCES_DOCUMENT,
            content,
            documentType: 'Session',
            writer,
          });
          this.lzaWrites.push({ ...base, outcome: 'created', version: '1' });
          continue;
        }
        const before = runAsOf(this.documents.resolveVersion(doc, '$LATEST').content);
        const latest = this.documents.resolveVersion(doc, '$LATEST');
        if (latest.content === content) {
          this.lzaWrites.push({
            ...base,
            outcome: 'unchanged',
            version: doc.latestVersion,
            ...(before ? { runAsBefore: before } : {}),
          });
          continue;
        }
        try {
          const { version } = this.documents.update({
            accountId: account.accountId,
            region,
            name: PREFERENCES_DOCUMENT,
            content,
            documentVersion: '$LATEST',
            writer,
          });
          this.lzaWrites.push({
            ...base,
            outcome: 'updated',
            version: version.version,
            ...(before ? { runAsBefore: before } : {}),
          });
        } catch (error) {
          // e.g. DocumentVersionLimitExceeded: LZA's stack would fail here; record and go on.
          this.lzaWrites.push({ ...base, outcome: 'failed', error: (error as Error).message });
        }
      }
    }
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

/** controltower vends: account creation to CreateManagedAccount when `enrollSeconds` is absent. */
const DEFAULT_ENROLL_SECONDS = 900;

function defaultRoles(account: ScenarioAccount, scenario: Scenario): Record<string, number> {
  const via = account.vend?.via ?? 'none';
  if (via === 'organizations')
    return { OrganizationAccountAccessRole: scenario.organizations.roleReadySeconds };
  if (via === 'controltower')
    return { [CONTROL_TOWER_ROLE]: account.vend?.enrollSeconds ?? DEFAULT_ENROLL_SECONDS };
  // An invited account has no role of the organization's until someone creates one.
  if (via === 'invited') return {};
  return { [CONTROL_TOWER_ROLE]: 0, OrganizationAccountAccessRole: 0 };
}

function runAsOf(content: string): { runAsEnabled: unknown; runAsDefaultUser: unknown } | undefined {
  try {
    const inputs = (JSON.parse(content) as { inputs?: Record<string, unknown> }).inputs ?? {};
    return { runAsEnabled: inputs.runAsEnabled, runAsDefaultUser: inputs.runAsDefaultUser };
  } catch {
    return undefined;
  }
}
