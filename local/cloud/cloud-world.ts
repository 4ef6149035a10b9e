import type { BootstrapperConfig } from '#core/config.ts';
import { EventBus, type EventEnvelope, makeEnvelope } from './bus.ts';
import { SimulatedClock, SimulatedScheduler } from './clock.ts';
import type { LocalDeployment } from './deployment.ts';
import { FaultInjector } from './faults.ts';
import { CredentialStore } from './identity.ts';
import {
  lzaSessionManagerContent,
  type PlannedAction,
  type PlannedRun,
  type PlannedStage,
  planRun,
  securityResourcesActions,
} from './lza-pipeline.ts';
import { type AccountRecord, type CreateAccountRequest, Organization } from './organization.ts';
import type { Scenario, ScenarioAccount, ScenarioPipelineRun } from './scenario.ts';
import { DocumentStore } from './ssm-documents.ts';
import type { StepFunctionsExecutor } from './step-functions-executor.ts';
import { createAccountResultEvent, managedAccountEvent } from './vend-events.ts';

export const PREFERENCES_DOCUMENT = 'SSM-SessionManagerRunShell';

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
  readonly pipelineName: string;
  readonly lzaRegions: string[];
  readonly runs: PlannedRun[] = [];
  readonly lzaWrites: LzaWriteRecord[] = [];
  readonly #calls = new Map<string, CallStats>();
  readonly #disabledRegions = new Map<string, Set<string>>();
  executor: StepFunctionsExecutor | undefined;
  /** The bootstrapper's stacks, rules and state machines, once the local runtime deployed them. */
  deployment: LocalDeployment | undefined;
  timelineStartSeconds: number | undefined;

  constructor(scenario: Scenario, config: BootstrapperConfig | undefined, onError: (error: unknown) => void) {
    this.scenario = scenario;
    this.config = config;
    this.clock = new SimulatedClock(scenario.timeScale);
    this.scheduler = new SimulatedScheduler(this.clock, onError);
    this.bus = new EventBus();
    this.org = new Organization(scenario.managementAccountId);
    this.documents = new DocumentStore({
      versionLimit: scenario.documentVersionLimit,
      statusDelayMs: scenario.documentStatusDelaySeconds * 1000,
      nowMs: () => this.clock.nowMs(),
    });
    this.faults = new FaultInjector(scenario.faults);
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
    }
    this.#seedOrganization();
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
      joinedMethod: 'CREATED',
      organizationalUnit: 'Root',
      isManagement: true,
      existsFromMs: start,
      roles: new Map(Object.entries(management?.roles ?? {}).map(([role, s]) => [role, start + s * 1000])),
      origin: 'none',
    });
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
        joinedMethod: 'CREATED',
        organizationalUnit: account.organizationalUnit,
        isManagement: false,
        existsFromMs: via === 'none' ? start : undefined,
        roles: new Map(),
        origin: via,
      });
      if (via === 'none') {
        for (const [role, s] of Object.entries(roles))
          this.org.addRole(record.accountId, role, start + s * 1000);
        this.#seedDocuments(account);
      }
    }
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

  /** Start scheduled vends and pipeline runs, counted from now. Idempotent. */
  startTimeline(): void {
    if (this.timelineStartSeconds !== undefined) return;
    const t0 = this.clock.elapsedSeconds();
    this.timelineStartSeconds = t0;
    for (const account of this.scenario.accounts) {
      if (!account.vend || account.vend.via === 'none') continue;
      const atSeconds = t0 + account.vend.atSeconds;
      this.scheduler.at(atSeconds, () => this.#vend(account, this.clock.epochMsAt(atSeconds)));
    }
    for (const run of this.scenario.pipeline.runs) {
      this.startPipelineRun(run, this.clock.epochMsAt(t0 + run.startAtSeconds));
    }
  }

  #vend(account: ScenarioAccount, requestedMs: number): void {
    const vend = account.vend as NonNullable<ScenarioAccount['vend']>;
    const record = this.org.records().find((a) => a.accountId === account.accountId) as AccountRecord;
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
      if (vend.via === 'controltower') {
        const enrolledMs = completedMs + vend.enrollSeconds * 1000;
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
        roles: new Map([[input.roleName, Number.POSITIVE_INFINITY]]),
        origin: 'api',
      });
    }
    this.scheduler.at(this.clock.secondsAt(completesAtMs), () => {
      if (accountId) {
        const record = this.org.records().find((a) => a.accountId === accountId) as AccountRecord;
        record.existsFromMs = completesAtMs;
        this.org.addRole(
          accountId,
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
    });
    return request.id;
  }

  // ---- pipeline -----------------------------------------------------------------------------

  /** Plan a run starting at `startMs` (simulated epoch ms) and schedule its events and LZA's writes. */
  startPipelineRun(run: ScenarioPipelineRun, startMs: number): PlannedRun {
    const plan = planRun({
      pipelineName: this.pipelineName,
      pipeline: this.scenario.pipeline,
      run,
      regions: this.lzaRegions,
      startMs,
    });
    this.runs.push(plan);
    const at = (ms: number, fn: () => void) => this.scheduler.at(this.clock.secondsAt(ms), fn);
    at(plan.startMs, () => this.#pipelineEvent(plan, 'STARTED', plan.startMs));
    for (const stage of plan.stages) {
      at(stage.startMs, () => this.#stageEvent(plan, stage, 'STARTED', stage.startMs));
      for (const action of stage.actions) {
        at(action.startMs, () => this.#actionEvent(plan, stage, action, 'STARTED', action.startMs));
        at(action.endMs, () =>
          this.#actionEvent(
            plan,
            stage,
            action,
            action.status === 'Failed' ? 'FAILED' : 'SUCCEEDED',
            action.endMs,
          ),
        );
      }
      at(stage.endMs, () =>
        this.#stageEvent(plan, stage, stage.status === 'Failed' ? 'FAILED' : 'SUCCEEDED', stage.endMs),
      );
    }
    at(plan.endMs, () =>
      this.#pipelineEvent(plan, plan.status === 'Failed' ? 'FAILED' : 'SUCCEEDED', plan.endMs),
    );
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

  #codePipelineEnvelope(detailType: string, detail: Record<string, unknown>, timeMs: number): EventEnvelope {
    return makeEnvelope({
      'detail-type': detailType,
      source: 'aws.codepipeline',
      account: this.managementAccountId,
      time: timeMs,
      region: this.scenario.homeRegion,
      resources: [this.pipelineArn],
      detail,
    });
  }

  #pipelineEvent(plan: PlannedRun, state: string, timeMs: number): void {
    this.bus.publish(
      this.#codePipelineEnvelope(
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
      ),
    );
  }

  #stageEvent(plan: PlannedRun, stage: PlannedStage, state: string, timeMs: number): void {
    this.bus.publish(
      this.#codePipelineEnvelope(
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
      ),
    );
  }

  #actionEvent(
    plan: PlannedRun,
    stage: PlannedStage,
    action: PlannedAction,
    state: string,
    timeMs: number,
  ): void {
    this.bus.publish(
      this.#codePipelineEnvelope(
        'CodePipeline Action Execution State Change',
        {
          pipeline: plan.pipelineName,
          'execution-id': plan.executionId,
          'start-time': new Date(plan.startMs).toISOString(),
          stage: stage.name,
          action: action.actionName,
          state,
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
      ),
    );
  }

  /** LZA's Security_Resources writes the preferences document in every ACTIVE account and region. */
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

function defaultRoles(account: ScenarioAccount, scenario: Scenario): Record<string, number> {
  const via = account.vend?.via ?? 'none';
  if (via === 'organizations')
    return { OrganizationAccountAccessRole: scenario.organizations.roleReadySeconds };
  if (via === 'controltower') return { AWSControlTowerExecution: account.vend?.enrollSeconds ?? 0 };
  return { AWSControlTowerExecution: 0, OrganizationAccountAccessRole: 0 };
}

function runAsOf(content: string): { runAsEnabled: unknown; runAsDefaultUser: unknown } | undefined {
  try {
    const inputs = (JSON.parse(content) as { inputs?: Record<string, unknown> }).inputs ?? {};
    return { runAsEnabled: inputs.runAsEnabled, runAsDefaultUser: inputs.runAsDefaultUser };
  } catch {
    return undefined;
  }
}
