import { randomBytes } from 'node:crypto';
import type { DescribeMapRunOutput } from '@aws-sdk/client-sfn';
import {
  AwsServiceError,
  type EventEnvelope,
  type LatencyModel,
  type LocalDeployment,
  runAsActor,
  type StepFunctionsExecutor,
  stableKey,
} from '@runas-bootstrapper/local-cloud';
import { type BootstrapperConfig, configToEnvironment } from '#core/config/config.ts';
import { matchesPattern } from '#core/deploy/event-pattern.ts';
import { canonicalJson } from '#core/document/preferences.ts';
import {
  BOOTSTRAP_STATE_MACHINE,
  FOLLOW_UP_STATE_MACHINE,
  SWEEP_STATE_MACHINE,
  VEND_LEDGER_TABLE,
} from '#core/shared/names.ts';
import { FOLLOW_UP_RULE_ID, followUpEventPattern, LEDGER_TABLE_ENV_VAR } from '#core/vend/ledger.ts';
import { matchingRules, vendEventRules } from '#core/vend/rules.ts';
import { localDeployment, ruleDelivers } from './deployment.ts';

import type { ExecutionRecord } from './execution-record.ts';
import { type LocalHandlerDependencies, localHandlerDependencies } from './handler-dependencies.ts';
import { LambdaService } from './lambda-service.ts';
import { createLedgerTable } from './ledger-table.ts';
import {
  dataLimitError,
  historyLimitError,
  MAX_HISTORY_EVENTS,
  MAX_STATE_PAYLOAD_BYTES,
  parentHistoryEventsOf,
  payloadBytes,
  type UncatchableStatesError,
} from './limits.ts';
import { mapRunsOf } from './map-runs.ts';
import { handlerFunctions, productMachines } from './product-machines.ts';
import { type LambdaHandler, type LocalStateMachine, readDefinition } from './state-machine.ts';
import { stepFunctionsApi } from './step-functions-api.ts';

/** What the runtime needs from the local cloud. */
export interface RuntimeHost {
  url: string;
  bus: { subscribe(fn: (event: EventEnvelope) => void | Promise<void>): () => void };
  clock: { nowMs(): number; timeScale: number };
  /** Modelled AWS latencies, applied to Lambda invocations and execution starts too. */
  latency?: LatencyModel;
  setExecutor(executor: StepFunctionsExecutor | undefined): void;
  /** Where the host shows the deployed stacks, rules and state machines (the local cloud). */
  setDeployment?(deployment: LocalDeployment | undefined): void;
  /** Whether an event reaches an account's bus (its own, or forwarded there); default: its own only. */
  eventReaches?(event: EventEnvelope, accountId: string): boolean;
}

export interface LocalRuntimeOptions {
  host: RuntimeHost;
  config: BootstrapperConfig;
  managementAccountId: string;
  homeRegion: string;
  /** Credentials of the deploy account for the handlers; the local cloud's `test`/`test` by default. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Where the product is deployed (a hub account, config hubAccountId); default the management account. */
  deployAccountId?: string;
  /** Change the bootstrap definition before it runs (benchmark baselines). */
  transformDefinition?: (definition: Record<string, unknown>) => Record<string, unknown>;
  /** Replace a function (benchmark baselines), by placeholder: a handler over the dependencies. */
  functionOverrides?: Record<string, (dependencies: () => LocalHandlerDependencies) => LambdaHandler>;
  /** Accounts per sweep batch (tests use a small one to exercise several batches). */
  sweepBatchSize?: number;
  /** Lambda's concurrent-execution quota for the account (DEFAULT_LAMBDA_CONCURRENCY, 1,000). */
  lambdaConcurrency?: number;
}

/**
 * The product, deployed onto the local cloud: the same event patterns route the bus's events
 * to the same ASL, whose Tasks run the same handlers against the local cloud's endpoint.
 */
export class LocalRuntime {
  readonly #host: RuntimeHost;
  readonly #options: LocalRuntimeOptions;
  readonly #machines = new Map<string, LocalStateMachine>();
  readonly #executions = new Map<string, ExecutionRecord>();
  readonly #unsubscribe: () => void;
  readonly dependencies: LocalHandlerDependencies;
  /** Resolves once the runtime's resources (the vend ledger's table) exist on the local cloud. */
  readonly #ready: Promise<void>;
  readonly deployment: LocalDeployment;
  /** Lambda environments and Step Functions latencies, shared by the three state machines. */
  readonly lambda: LambdaService;
  #pendingStarts = 0;
  #running = 0;

  /** Use `LocalRuntime.start`, which waits for the deployed resources. */
  private constructor(options: LocalRuntimeOptions) {
    this.#host = options.host;
    this.#options = options;
    const config = {
      ...options.config,
      managementAccountId: options.config.managementAccountId ?? options.managementAccountId,
    };
    const credentials = options.credentials ?? { accessKeyId: 'test', secretAccessKey: 'test' };
    // Member roles are assumed with a role of their own whose grant the cloud enforces, as IAM does
    // the Lambda roles' (aws:ResourceOrgID, stacks/tasks.ts).
    const memberSessionKeys = {
      accessKeyId: `AKIA${randomBytes(8).toString('hex').toUpperCase()}`,
      secretAccessKey: randomBytes(30).toString('base64'),
    };
    this.dependencies = localHandlerDependencies(
      {
        ...configToEnvironment(config),
        AWS_REGION: options.homeRegion,
        AWS_ENDPOINT_URL: options.host.url,
        [LEDGER_TABLE_ENV_VAR]: VEND_LEDGER_TABLE,
      },
      // In AWS each concurrent invocation has its own environment and clients; here they share
      // one set, so lift the SDK's 50-socket cap rather than queue a burst behind it. The local
      // cloud closes idle sockets at 6 wall s: the clients close theirs first (idleSocketMs).
      {
        credentials,
        stsCredentials: memberSessionKeys,
        now: () => options.host.clock.nowMs(),
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms * options.host.clock.timeScale)),
        maxSockets: 100_000,
        idleSocketMs: 1000,
      },
    );
    const deps = () => this.dependencies;
    this.lambda = new LambdaService(
      options.host.latency,
      options.host.clock.timeScale,
      options.lambdaConcurrency,
    );
    const machines = productMachines({
      functions: handlerFunctions(deps, options),
      arnOf: (name) => this.stateMachineArn(name),
      region: options.homeRegion,
      timeScale: options.host.clock.timeScale,
      lambda: this.lambda,
      startFromTask: (input) => this.#startFromTask(input),
      ...(options.transformDefinition ? { transformBootstrap: options.transformDefinition } : {}),
    });
    for (const [arn, machine] of machines) this.#machines.set(arn, machine);
    // What `cdk deploy` would have created, so CloudFormation, EventBridge and Step Functions
    // callers (replay, sweep, doctor) find it; a rule disabled there stops delivering here too.
    this.deployment = localDeployment({
      config: options.config,
      managementAccountId: options.managementAccountId,
      homeRegion: options.homeRegion,
      stateMachineArns: {
        bootstrap: this.stateMachineArn(BOOTSTRAP_STATE_MACHINE),
        sweep: this.stateMachineArn(SWEEP_STATE_MACHINE),
        followUp: this.stateMachineArn(FOLLOW_UP_STATE_MACHINE),
      },
      definitions: {
        bootstrap: readDefinition('bootstrap'),
        sweep: readDefinition('sweep'),
        followUp: readDefinition('follow-up'),
      },
      ledgerTableName: VEND_LEDGER_TABLE,
      nowMs: options.host.clock.nowMs(),
      memberSessionKeys,
    });
    options.host.setDeployment?.(this.deployment);
    const rules = vendEventRules({ managementAccountId: options.managementAccountId });
    const deployAccount = options.deployAccountId ?? options.managementAccountId;
    const reachesHere = (event: EventEnvelope) => options.host.eventReaches?.(event, deployAccount) ?? true;
    const followUp =
      config.lza.measureGap !== false ? followUpEventPattern(config.lza.pipelineName) : undefined;
    this.#unsubscribe = options.host.bus.subscribe((event) => {
      // Like EventBridge: every matching rule starts its own execution with the whole event.
      // Only what reaches the deploy account's bus: its own events, or forwarded ones.
      for (const rule of reachesHere(event) ? matchingRules(event, rules) : []) {
        if (!ruleDelivers(this.deployment, rule.id)) continue;
        // A home-region rule sees only its region's bus: Control Tower events from another home
        // region never arrive (docs/organization-shapes.md).
        if (rule.deliveredIn === 'home-region' && event.region !== options.homeRegion) continue;
        this.#startDelivered(BOOTSTRAP_STATE_MACHINE, event, rule.id);
      }
      // The follow-up rule is on the management account's bus: LZA's external pipeline account
      // reaches it only through its forward rule and the bus policy (docs/organization-shapes.md).
      const reaches = options.host.eventReaches?.(event, deployAccount) ?? true;
      if (
        followUp &&
        reaches &&
        ruleDelivers(this.deployment, FOLLOW_UP_RULE_ID) &&
        matchesPattern(followUp, event)
      ) {
        this.#startDelivered(FOLLOW_UP_STATE_MACHINE, event, FOLLOW_UP_RULE_ID);
      }
    });
    this.#ready = createLedgerTable(
      this.dependencies.ledger,
      options.host.url,
      options.homeRegion,
      credentials,
    );
    options.host.setExecutor(stepFunctionsApi(this));
  }

  /** Deploy the product onto the local cloud and wait until its resources (the ledger's table) exist. */
  static async start(options: LocalRuntimeOptions): Promise<LocalRuntime> {
    const runtime = new LocalRuntime(options);
    try {
      await runtime.#ready;
    } catch (error) {
      runtime.stop();
      throw error;
    }
    return runtime;
  }

  stateMachineArn(name: string): string {
    const account = this.#options.deployAccountId ?? this.#options.managementAccountId;
    return `arn:aws:states:${this.#options.homeRegion}:${account}:stateMachine:${name}`;
  }

  startExecution(
    machineName: string,
    input: unknown,
    options: { name?: string; startedBy?: string } = {},
  ): ExecutionRecord {
    const stateMachineArn = machineName.startsWith('arn:') ? machineName : this.stateMachineArn(machineName);
    const machine = this.#machines.get(stateMachineArn);
    if (!machine)
      throw new AwsServiceError(
        'StateMachineDoesNotExist',
        `State Machine Does Not Exist: '${stateMachineArn}'`,
      );
    const name = options.name ?? crypto.randomUUID();
    const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    const existing = this.#executions.get(executionArn);
    if (existing) {
      // Standard workflows: the same name and input as a running execution is that execution;
      // a closed one, or another input, is refused (StartExecution API reference).
      if (existing.status === 'RUNNING' && canonicalJson(existing.input) === canonicalJson(input))
        return existing;
      throw new AwsServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    // One actor per execution (virtual-time.ts): its jitter and latency draws are its own.
    const run = runAsActor(`${stateMachineArn}|${options.startedBy ?? ''}|${stableKey(input)}`, () =>
      machine.run(input, name, stateMachineArn),
    );
    const record: ExecutionRecord = {
      executionArn,
      stateMachineArn,
      name,
      input,
      startedBy: options.startedBy ?? 'StartExecution',
      status: 'RUNNING',
      startDate: new Date(this.#host.clock.nowMs()),
      events: [],
      done: Promise.resolve(),
    };
    // Limits AWS enforces on the whole execution; the Task wrapper checks Lambda payloads itself.
    let limitError: UncatchableStatesError | undefined;
    let history = 0;
    const distributed = new Set(machine.distributedMaps.map((m) => m.stateName));
    const collect = (async () => {
      for await (const event of run.eventLogs) {
        record.events.push(event);
        if (limitError) continue;
        history += parentHistoryEventsOf(event, distributed);
        const payload =
          event.type === 'StateEntered'
            ? { where: `The input of ${event.state?.name}`, value: event.state?.input }
            : event.type === 'StateExited'
              ? { where: `The output of ${event.state?.name}`, value: event.state?.output }
              : undefined;
        const bytes = payload ? payloadBytes(payload.value) : 0;
        if (payload && bytes > MAX_STATE_PAYLOAD_BYTES) limitError = dataLimitError(payload.where, bytes);
        else if (history > MAX_HISTORY_EVENTS) limitError = historyLimitError(history);
        if (limitError) run.abort();
      }
    })();
    const finish = run.result.then(
      (output) => {
        record.status = 'SUCCEEDED';
        record.output = output;
      },
      (error: { cause?: { name?: string; message?: string }; name?: string; message?: string }) => {
        record.status = 'FAILED';
        record.error = error.cause?.name ?? error.name ?? 'Error';
        record.cause = error.cause?.message ?? error.message ?? '';
      },
    );
    record.done = Promise.all([collect.catch(() => {}), finish]).then(() => {
      if (limitError) {
        record.status = 'FAILED';
        record.output = undefined;
        record.error = limitError.name;
        record.cause = limitError.message;
      }
      record.stopDate = new Date(this.#host.clock.nowMs());
      this.#running -= 1;
    });
    this.#running += 1;
    this.#executions.set(executionArn, record);
    return record;
  }

  /** A rule's target: StartExecution, after Step Functions' modelled start latency. */
  #startDelivered(machine: string, event: EventEnvelope, ruleId: string): void {
    this.#pendingStarts += 1;
    void this.lambda
      .executionStart(`${machine}|${ruleId}|${event['detail-type']}|${stableKey(event.detail)}`)
      .then(() => this.startExecution(machine, event, { startedBy: `rule/${ruleId}` }))
      .catch((error: unknown) =>
        console.error(`local runtime: rule ${ruleId} could not start ${machine}`, error),
      )
      .finally(() => {
        this.#pendingStarts -= 1;
      });
  }

  /** Executions started and not yet stopped (kept as a count: a burst has thousands of records). */
  get running(): number {
    return this.#running;
  }

  /** Starts that a rule delivered and that wait out their start latency. */
  get pendingStarts(): number {
    return this.#pendingStarts;
  }

  /** The `states:startExecution` service integration, as a Task state calls it. */
  async #startFromTask(input: unknown): Promise<{ ExecutionArn: string; StartDate: string }> {
    const { StateMachineArn, Input } = input as { StateMachineArn: string; Input: unknown };
    const record = this.startExecution(StateMachineArn, Input, { startedBy: 'follow-up' });
    return { ExecutionArn: record.executionArn, StartDate: record.startDate.toISOString() };
  }

  /** What the reconciler's schedule does: settle the open vends from the pipeline's history. */
  reconcile(): ExecutionRecord {
    return this.startExecution(
      FOLLOW_UP_STATE_MACHINE,
      { reconcile: true },
      { startedBy: 'schedule/reconcile' },
    );
  }

  executions(): ExecutionRecord[] {
    return [...this.#executions.values()];
  }

  /** Resolves once no execution is running (including ones started while waiting). */
  async whenIdle(): Promise<void> {
    for (;;) {
      const pending = this.executions().filter((e) => !e.stopDate);
      if (pending.length === 0) return;
      await Promise.all(pending.map((e) => e.done));
    }
  }

  stop(): void {
    this.#unsubscribe();
    this.#host.setExecutor(undefined);
    this.#host.setDeployment?.(undefined);
  }

  /** The execution, or ExecutionDoesNotExist. */
  execution(executionArn: string | undefined): ExecutionRecord {
    const record = this.#executions.get(executionArn ?? '');
    if (!record)
      throw new AwsServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    return record;
  }

  /** The execution's distributed Map runs, as ListMapRuns and DescribeMapRun report them. */
  mapRuns(
    record: ExecutionRecord,
  ): { mapRunArn: string; startDate: Date; stopDate?: Date; description: DescribeMapRunOutput }[] {
    const machine = this.#machines.get(record.stateMachineArn);
    if (!machine || machine.distributedMaps.length === 0) return [];
    // Map-run times follow the simulated clock from the execution's start, like every other date.
    const wallStart = record.events[0]?.timestamp ?? Date.now();
    const simulated = (wall: number) =>
      new Date(record.startDate.getTime() + (wall - wallStart) / this.#host.clock.timeScale);
    const machineName = record.stateMachineArn.split(':').pop();
    return mapRunsOf(record.events, machine.distributedMaps, record.status).map((run) => {
      const mapRunArn = `${record.stateMachineArn.split(':stateMachine:')[0]}:mapRun:${machineName}/${run.spec.label}:${record.name}-${run.sequence}`;
      const counts = {
        pending: run.total - run.started,
        running: run.started - run.succeeded - run.failed,
        succeeded: run.succeeded,
        failed: run.failed,
        timedOut: 0,
        aborted: run.status === 'ABORTED' ? run.started - run.succeeded - run.failed : 0,
        total: run.total,
        resultsWritten: 0,
      };
      const startDate = simulated(run.startedAt);
      const stopDate = run.stoppedAt === undefined ? undefined : simulated(run.stoppedAt);
      return {
        mapRunArn,
        startDate,
        ...(stopDate ? { stopDate } : {}),
        description: {
          mapRunArn,
          executionArn: record.executionArn,
          status: run.status,
          startDate,
          ...(stopDate ? { stopDate } : {}),
          maxConcurrency: run.maxConcurrency,
          toleratedFailurePercentage: 0,
          toleratedFailureCount: 0,
          itemCounts: counts,
          executionCounts: counts,
        },
      };
    });
  }
}
