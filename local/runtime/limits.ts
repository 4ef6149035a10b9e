import type { EventLog } from './state-machine-events.ts';

/**
 * Step Functions limits the local engine enforces, so that tests see what AWS would do
 * (docs/aws-behaviour.md#step-functions-quotas): 256 KiB of payload per state, 25,000 history events per Standard
 * execution, 5 minutes per Express execution.
 */
export const MAX_STATE_PAYLOAD_BYTES = 256 * 1024;
export const MAX_HISTORY_EVENTS = 25_000;
export const EXPRESS_MAX_SECONDS = 5 * 60;

/**
 * An error that no Retry or Catch can handle: Step Functions' `States.ALL` does not catch
 * `States.DataLimitExceeded` or `States.Runtime`. aws-local-stepfunctions honours the
 * `isRetryable` / `isCatchable` flags on a thrown error.
 */
export class UncatchableStatesError extends Error {
  readonly isRetryable = false;
  readonly isCatchable = false;
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** UTF-8 bytes of a state's JSON payload, as Step Functions measures it. */
export function payloadBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value ?? null), 'utf8');
}

export function dataLimitError(where: string, bytes: number): UncatchableStatesError {
  return new UncatchableStatesError(
    'States.DataLimitExceeded',
    `${where} is ${bytes} bytes, over the ${MAX_STATE_PAYLOAD_BYTES}-byte (256 KiB) limit of a state's payload`,
  );
}

/**
 * How many Step Functions history events one aws-local-stepfunctions event log entry stands
 * for, for a Lambda Task in a Standard execution: `TaskStateEntered`, `LambdaFunctionScheduled`,
 * `LambdaFunctionStarted`, `LambdaFunctionSucceeded|Failed`, `TaskStateExited`; a retry adds a
 * failed attempt and a new scheduled/started pair; Map and Parallel states add their Started and
 * Succeeded|Failed events; iterations add theirs.
 */
export function historyEventsOf(event: EventLog): number {
  const type = event.state?.type;
  switch (event.type) {
    case 'ExecutionStarted':
    case 'ExecutionSucceeded':
    case 'ExecutionFailed':
    case 'ExecutionAborted':
    case 'ExecutionTimeout':
    case 'MapIterationStarted':
    case 'MapIterationSucceeded':
    case 'MapIterationFailed':
      return 1;
    case 'StateEntered':
      return type === 'Task' ? 3 : type === 'Map' || type === 'Parallel' ? 2 : 1;
    case 'StateExited':
      return type === 'Task' || type === 'Map' || type === 'Parallel' ? 2 : 1;
    case 'StateRetried':
      return 3;
    case 'StateFailed':
    case 'StateCaught':
      return 1;
    default:
      return 0;
  }
}

/** The synthetic Task that stands for one Express child execution in the parent's Map. */
export const EXPRESS_CHILD_TASK_SUFFIX = 'ExpressChild';

/**
 * Events `event` adds to its execution's own history. A distributed Map's items are child
 * executions with histories of their own: AWS records the map run in the parent, not one set
 * of events per item (Step Functions developer guide, "Using Map state in Distributed mode":
 * each child workflow execution has its own execution history). The engine here reports the
 * items inline, as iterations of the Map.
 */
export function parentHistoryEventsOf(event: EventLog, distributedMaps: ReadonlySet<string>): number {
  if (event.parentState && distributedMaps.has(event.parentState.name)) return 0;
  if (event.index !== undefined && event.state?.name.endsWith(EXPRESS_CHILD_TASK_SUFFIX)) return 0;
  return historyEventsOf(event);
}

export function historyLimitError(events: number): UncatchableStatesError {
  return new UncatchableStatesError(
    'States.Runtime',
    `The execution history reached ${events} events, over the ${MAX_HISTORY_EVENTS} a Standard execution may have`,
  );
}
