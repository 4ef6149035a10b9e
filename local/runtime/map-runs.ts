import type { EventLog } from './state-machine-events.ts';

/** A `Map` state with `ProcessorConfig.Mode: DISTRIBUTED`, as the definition declares it. */
export interface DistributedMapSpec {
  stateName: string;
  /** `Label`, or the state name: the part of the map run ARN that names the Map. */
  label: string;
  itemsPath?: string;
  maxConcurrency?: number;
  maxConcurrencyPath?: string;
}

type Json = Record<string, unknown>;

/** Every distributed Map in a definition, at any depth. */
export function distributedMaps(definition: Json): DistributedMapSpec[] {
  const found: DistributedMapSpec[] = [];
  const visit = (def: Json) => {
    for (const [stateName, state] of Object.entries((def.States as Record<string, Json>) ?? {})) {
      const processor = (state.ItemProcessor ?? state.Iterator) as Json | undefined;
      const config = processor?.ProcessorConfig as Json | undefined;
      if (state.Type === 'Map' && config?.Mode === 'DISTRIBUTED') {
        found.push({
          stateName,
          label: typeof state.Label === 'string' ? state.Label : stateName,
          ...(typeof state.ItemsPath === 'string' ? { itemsPath: state.ItemsPath } : {}),
          ...(typeof state.MaxConcurrency === 'number' ? { maxConcurrency: state.MaxConcurrency } : {}),
          ...(typeof state.MaxConcurrencyPath === 'string'
            ? { maxConcurrencyPath: state.MaxConcurrencyPath }
            : {}),
        });
      }
      if (processor) visit(processor);
      for (const branch of (state.Branches as Json[] | undefined) ?? []) visit(branch);
    }
  };
  visit(definition);
  return found;
}

/** `$.a.b` on a value: the only path shape the map-run view needs. */
function select(value: unknown, path: string | undefined): unknown {
  if (!path || path === '$') return value;
  let current = value;
  for (const key of path.replace(/^\$\.?/, '').split('.')) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Json)[key];
  }
  return current;
}

export type MapRunStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';

export interface MapRunView {
  /** 1-based, in the order the execution entered its distributed Maps. */
  sequence: number;
  spec: DistributedMapSpec;
  status: MapRunStatus;
  /** Wall-clock epoch ms of the events that opened and closed it. */
  startedAt: number;
  stoppedAt?: number;
  maxConcurrency: number;
  total: number;
  started: number;
  succeeded: number;
  failed: number;
}

/**
 * The map runs of one execution, read from its event log: each entry into a top-level
 * distributed Map opens one, its iterations count the items, and its exit closes it. This is
 * what DescribeMapRun reports in AWS, for the local Step Functions API.
 */
export function mapRunsOf(
  events: readonly EventLog[],
  specs: readonly DistributedMapSpec[],
  executionStatus: string,
): MapRunView[] {
  const byName = new Map(specs.map((spec) => [spec.stateName, spec]));
  const runs: MapRunView[] = [];
  const open = new Map<string, MapRunView>();
  for (const event of events) {
    const topLevel = event.index === undefined;
    const stateName = event.state?.name;
    const spec = event.type === 'StateEntered' && topLevel && stateName ? byName.get(stateName) : undefined;
    if (spec) {
      const items = select(event.state?.input, spec.itemsPath);
      const concurrency = spec.maxConcurrencyPath
        ? select(event.state?.input, spec.maxConcurrencyPath)
        : spec.maxConcurrency;
      const run: MapRunView = {
        sequence: runs.length + 1,
        spec,
        status: 'RUNNING',
        startedAt: event.timestamp,
        maxConcurrency: typeof concurrency === 'number' ? concurrency : 0,
        total: Array.isArray(items) ? items.length : 0,
        started: 0,
        succeeded: 0,
        failed: 0,
      };
      runs.push(run);
      open.set(spec.stateName, run);
      continue;
    }
    const parent = event.parentState?.name;
    const iterating = parent ? open.get(parent) : undefined;
    if (iterating && event.type === 'MapIterationStarted') iterating.started += 1;
    if (iterating && event.type === 'MapIterationSucceeded') iterating.succeeded += 1;
    if (iterating && event.type === 'MapIterationFailed') iterating.failed += 1;
    const closing = topLevel && stateName ? open.get(stateName) : undefined;
    if (closing && (event.type === 'StateExited' || event.type === 'StateFailed')) {
      closing.status = event.type === 'StateExited' ? 'SUCCEEDED' : 'FAILED';
      // The last iterations' events are forwarded after the Map's own exit; a Map that exited
      // successfully ran every item successfully.
      if (closing.status === 'SUCCEEDED') {
        closing.started = closing.total;
        closing.succeeded = closing.total - closing.failed;
      }
      closing.stoppedAt = event.timestamp;
      open.delete(closing.spec.stateName);
    }
  }
  // An execution that ended while a Map was open ended that map run with it.
  if (executionStatus !== 'RUNNING') {
    for (const run of open.values()) {
      run.status = executionStatus === 'ABORTED' ? 'ABORTED' : 'FAILED';
    }
  }
  return runs;
}
