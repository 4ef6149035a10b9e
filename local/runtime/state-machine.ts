import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context } from 'aws-lambda';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { LambdaService } from './lambda-service.ts';
import {
  dataLimitError,
  EXPRESS_CHILD_TASK_SUFFIX,
  EXPRESS_MAX_SECONDS,
  MAX_STATE_PAYLOAD_BYTES,
  payloadBytes,
} from './limits.ts';
import { type DistributedMapSpec, distributedMaps } from './map-runs.ts';
import { installPromiseWithResolvers } from './polyfill.ts';

installPromiseWithResolvers();

const STATEMACHINE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'statemachine');

/** A Lambda handler as Lambda calls it: an event and a context. */
export type LambdaHandler = (event: never, context: Context) => Promise<unknown>;

type Json = Record<string, unknown>;

/** The text of `statemachine/<name>.asl.json`: the very file CDK deploys. */
export function readDefinition(name: string): string {
  return readFileSync(join(STATEMACHINE_DIR, `${name}.asl.json`), 'utf8');
}

/** The `${Name}` placeholders in a definition. */
export function placeholdersOf(text: string): Set<string> {
  return new Set([...text.matchAll(/\$\{([A-Za-z0-9]+)\}/g)].flatMap(([, name]) => (name ? [name] : [])));
}

/** The local stand-in ARN for a placeholder such as `ApplyPreferencesFunctionArn`. */
export function localFunctionArn(placeholder: string, region: string, account = '000000000000'): string {
  return `arn:aws:lambda:${region}:${account}:function:${placeholder.replace(/Arn$/, '')}`;
}

function substitute(text: string, substitutions: Record<string, string>): string {
  return text.replace(/\$\{([A-Za-z0-9]+)\}/g, (_, name: string) => {
    const value = substitutions[name];
    if (value === undefined) throw new Error(`no substitution for \${${name}}`);
    return value;
  });
}

function eachStates(definition: Json, visit: (name: string, state: Json) => void): void {
  const states = definition.States as Record<string, Json> | undefined;
  for (const [name, state] of Object.entries(states ?? {})) {
    visit(name, state);
    for (const nested of [state.ItemProcessor, state.Iterator] as (Json | undefined)[]) {
      if (nested) eachStates(nested, visit);
    }
    for (const branch of (state.Branches as Json[] | undefined) ?? []) eachStates(branch, visit);
  }
}

/**
 * The one transformation the local runtime makes: every Retry interval, MaxDelaySeconds and
 * fixed Wait is multiplied by `timeScale`, so that simulated time runs faster than wall time.
 * Back-off rates, jitter and attempt counts stay as deployed.
 */
export function scaleTimings(definition: Json, timeScale: number): Json {
  const copy = structuredClone(definition);
  if (timeScale === 1) return copy;
  eachStates(copy, (_name, state) => {
    for (const retrier of (state.Retry as Json[] | undefined) ?? []) {
      retrier.IntervalSeconds = ((retrier.IntervalSeconds as number | undefined) ?? 1) * timeScale;
      if (typeof retrier.MaxDelaySeconds === 'number') retrier.MaxDelaySeconds *= timeScale;
    }
    if (state.Type === 'Wait' && typeof state.Seconds === 'number') state.Seconds *= timeScale;
    // A Wait whose length comes from its input cannot be scaled in the definition: it becomes a
    // local Task that waits the scaled seconds (`scaledWaits`), passing its input through.
    if (state.Type === 'Wait' && typeof state.SecondsPath === 'string') {
      const { SecondsPath, Comment: _comment, ...rest } = state;
      delete state.SecondsPath;
      Object.assign(state, {
        ...rest,
        Type: 'Task',
        Resource: SCALED_WAIT_RESOURCE,
        Parameters: { 'seconds.$': SecondsPath },
        ResultPath: null,
      });
    }
  });
  return copy;
}

const SCALED_WAIT_RESOURCE = 'local:scaled-wait';

/** The Wait states `scaleTimings` turns into local Tasks on scaled time. */
function scaledWaits(definition: Json, timeScale: number): string[] {
  const names: string[] = [];
  if (timeScale === 1) return names;
  eachStates(definition, (name, state) => {
    if (state.Type === 'Wait' && typeof state.SecondsPath === 'string') names.push(name);
  });
  return names;
}

export interface LocalStateMachineOptions {
  /** Name of the ASL file under statemachine/, without `.asl.json`. */
  name: string;
  region: string;
  /** Handler per function placeholder, e.g. `{ ApplyPreferencesFunctionArn: handler }`. */
  functions: Record<string, LambdaHandler>;
  timeScale?: number;
  /**
   * Simulated seconds of Wait states whose length comes from their input (`SecondsPath`),
   * scaled like every other delay. Fixed `Seconds` are scaled in the definition itself.
   */
  waitSeconds?: Record<string, number>;
  /** Extra non-function substitutions. */
  substitutions?: Record<string, string>;
  /**
   * Task states whose resource is a Step Functions service integration (not a Lambda), by state
   * name: run locally by this function, which gets the state's effective Parameters.
   */
  serviceTasks?: Record<string, (input: unknown) => Promise<unknown>>;
  /**
   * Change the definition before it runs, e.g. a benchmark's baseline with another retry
   * policy. The result is validated like the deployed file.
   */
  transform?: (definition: Record<string, unknown>) => Record<string, unknown>;
  /** Lambda and Step Functions latencies around each Task and Express child (none by default). */
  lambda?: LambdaService;
}

export interface LocalExecution {
  executionName: string;
  result: Promise<unknown>;
  eventLogs: AsyncGenerator<import('./state-machine-events.ts').EventLog>;
  abort: () => void;
}

/**
 * The deployed ASL on aws-local-stepfunctions. Every Task is overridden by the real handler,
 * invoked as Lambda invokes it: JSON in, JSON out, errors by name.
 */
export class LocalStateMachine {
  readonly #machine: StateMachine;
  readonly #overrides: Record<string, (input: unknown) => Promise<unknown>>;
  readonly #name: string;
  readonly #waitOverrides: Record<string, number>;
  readonly #timeScale: number;
  readonly #lambda: LambdaService | undefined;
  /** Its distributed Maps, for the map-run view of the local Step Functions API. */
  readonly distributedMaps: DistributedMapSpec[];

  constructor(options: LocalStateMachineOptions) {
    const text = readDefinition(options.name);
    // The local cloud is one commercial-partition cloud; CDK substitutes the stack's partition.
    const substitutions: Record<string, string> = { Partition: 'aws', ...options.substitutions };
    for (const placeholder of placeholdersOf(text)) {
      if (placeholder in options.functions)
        substitutions[placeholder] = localFunctionArn(placeholder, options.region);
    }
    const parsed = JSON.parse(substitute(text, substitutions)) as Json;
    const definition = options.transform ? options.transform(structuredClone(parsed)) : parsed;
    // Validate the definition exactly as deployed; the scaled copy differs only in timings.
    new StateMachine(definition as unknown as StateMachineDefinition);
    const scaled = scaleTimings(definition, options.timeScale ?? 1);
    const { parent, children } = splitExpressChildren(scaled);
    this.#machine = new StateMachine(parent as unknown as StateMachineDefinition, {
      validationOptions: { noValidate: true },
    });
    this.#timeScale = options.timeScale ?? 1;
    this.#name = options.name;
    this.distributedMaps = distributedMaps(definition);
    this.#waitOverrides = Object.fromEntries(
      Object.entries(options.waitSeconds ?? {}).map(([state, seconds]) => [
        state,
        seconds * (options.timeScale ?? 1) * 1000,
      ]),
    );
    this.#overrides = {};
    const lambda = options.lambda;
    this.#lambda = lambda;
    const byArn = new Map<string, { placeholder: string; handler: LambdaHandler }>();
    for (const [placeholder, handler] of Object.entries(options.functions)) {
      byArn.set(localFunctionArn(placeholder, options.region), { placeholder, handler });
    }
    eachStates(definition, (stateName, state) => {
      if (state.Type !== 'Task') return;
      const service = options.serviceTasks?.[stateName];
      if (service) {
        this.#overrides[stateName] = service;
        return;
      }
      const target = byArn.get(String(state.Resource));
      if (!target) throw new Error(`Task ${stateName} has no local handler for ${String(state.Resource)}`);
      this.#overrides[stateName] = async (input) => {
        // A state's payload is limited to 256 KiB; States.ALL cannot catch the failure.
        const inputBytes = payloadBytes(input);
        if (inputBytes > MAX_STATE_PAYLOAD_BYTES)
          throw dataLimitError(`The input of ${stateName}`, inputBytes);
        const invoke = () => invokeLikeLambda(target.handler, target.placeholder, input);
        const output = await (lambda ? lambda.invoke(target.placeholder, invoke) : invoke());
        const outputBytes = payloadBytes(output);
        if (outputBytes > MAX_STATE_PAYLOAD_BYTES)
          throw dataLimitError(`The result of ${stateName}`, outputBytes);
        return output;
      };
    });
    for (const name of scaledWaits(definition, this.#timeScale)) {
      this.#overrides[name] = async (input) => {
        const { seconds } = input as { seconds: number };
        await new Promise((resolve) => setTimeout(resolve, seconds * this.#timeScale * 1000));
        return null;
      };
    }
    for (const child of children) {
      const machine = new StateMachine(child.definition as unknown as StateMachineDefinition, {
        validationOptions: { noValidate: true },
      });
      this.#overrides[child.taskName] = (input) => this.#runExpressChild(machine, child.mapName, input);
    }
  }

  /**
   * One child execution of an Express distributed Map, run as an execution of its own (its
   * events are not the parent's history, as in AWS) and stopped after 5 simulated minutes. A
   * child that fails or times out fails the map run, which tolerates no failure: the Map state
   * fails with `States.ExceedToleratedFailureThreshold`, which the parent may catch (even when the
   * child itself failed with an uncatchable error such as States.DataLimitExceeded).
   */
  async #runExpressChild(machine: StateMachine, mapName: string, input: unknown): Promise<unknown> {
    await this.#lambda?.executionStart(`${this.#name}/${mapName}`);
    const child = machine.run(input as never, {
      overrides: {
        taskResourceLocalHandlers: this.#overrides as never,
        waitTimeOverrides: this.#waitOverrides,
      },
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new ExpressTimeoutSignal()),
        EXPRESS_MAX_SECONDS * this.#timeScale * 1000,
      );
    });
    try {
      return await Promise.race([child.result, timedOut]);
    } catch (error) {
      if (error instanceof ExpressTimeoutSignal) {
        child.result.catch(() => {});
        child.abort();
        throw new MapRunFailedError(
          `A child execution of ${mapName} failed with States.Timeout: Express executions are limited to ${EXPRESS_MAX_SECONDS} seconds`,
        );
      }
      const cause = error as { name?: string; message?: string; cause?: { name?: string } };
      const name = cause.cause?.name ?? cause.name ?? 'Error';
      throw new MapRunFailedError(
        `A child execution of ${mapName} failed with ${name}: ${cause.message ?? ''}`,
      );
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * `stateMachineArn`, when given, is the context's `$$.StateMachine.Id`, and the execution's ARN
   * its `$$.Execution.Id`, as Step Functions sets them (Developer Guide, "Context object").
   */
  run(
    input: unknown,
    executionName = `${this.#name}-${randomUUID()}`,
    stateMachineArn?: string,
  ): LocalExecution {
    const execution = this.#machine.run(input as never, {
      overrides: {
        taskResourceLocalHandlers: this.#overrides as never,
        waitTimeOverrides: this.#waitOverrides,
      },
      context: {
        Execution: {
          Name: executionName,
          Id: stateMachineArn
            ? `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${executionName}`
            : executionName,
        },
        ...(stateMachineArn
          ? { StateMachine: { Id: stateMachineArn, Name: stateMachineArn.split(':').pop() } }
          : {}),
      } as never,
    });
    return {
      executionName,
      result: execution.result,
      eventLogs: execution.eventLogs as never,
      abort: execution.abort,
    };
  }
}

class ExpressTimeoutSignal extends Error {}

/** What a distributed Map reports when more children failed than it tolerates (here: any). */
class MapRunFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'States.ExceedToleratedFailureThreshold';
  }
}

/**
 * aws-local-stepfunctions runs a distributed Map's iterations inline. For `ExecutionType:
 * EXPRESS`, replace the item processor with one Task whose local handler runs the original
 * processor as a separate execution, so the parent's history excludes the children's events and
 * each child can be held to the Express duration limit.
 */
function splitExpressChildren(definition: Json): {
  parent: Json;
  children: { mapName: string; taskName: string; definition: Json }[];
} {
  const parent = structuredClone(definition);
  const children: { mapName: string; taskName: string; definition: Json }[] = [];
  for (const [mapName, state] of Object.entries((parent.States as Record<string, Json>) ?? {})) {
    const processor = state.ItemProcessor as Json | undefined;
    const config = processor?.ProcessorConfig as Json | undefined;
    if (
      !processor ||
      state.Type !== 'Map' ||
      config?.Mode !== 'DISTRIBUTED' ||
      config.ExecutionType !== 'EXPRESS'
    )
      continue;
    const taskName = `${mapName}${EXPRESS_CHILD_TASK_SUFFIX}`;
    children.push({
      mapName,
      taskName,
      definition: { StartAt: processor.StartAt, States: processor.States },
    });
    state.ItemProcessor = {
      ProcessorConfig: config,
      StartAt: taskName,
      States: {
        // Its own timer enforces the Express limit; the engine's default Task timeout must not.
        [taskName]: {
          Type: 'Task',
          Resource: `local:express-child:${mapName}`,
          TimeoutSeconds: 2_000_000,
          End: true,
        },
      },
    };
  }
  return { parent, children };
}

/** A function error as Step Functions reports it: `Error` is the name, `Cause` Lambda's JSON. */
class LambdaFunctionError extends Error {
  constructor(name: string, payload: string) {
    super(payload);
    this.name = name;
  }
}

async function invokeLikeLambda(
  handler: LambdaHandler,
  placeholder: string,
  input: unknown,
): Promise<unknown> {
  const functionName = placeholder.replace(/Arn$/, '');
  const started = Date.now();
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, 60_000 - (Date.now() - started)),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  } satisfies Context;
  try {
    const output = await handler(JSON.parse(JSON.stringify(input ?? null)) as never, context);
    return output === undefined ? null : JSON.parse(JSON.stringify(output));
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    const message = error instanceof Error ? error.message : String(error);
    throw new LambdaFunctionError(name, JSON.stringify({ errorType: name, errorMessage: message }));
  }
}
