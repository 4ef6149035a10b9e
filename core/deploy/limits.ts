import { ConfigurationError } from '../shared/errors.ts';

/** Lambda allows 4 KB of environment variables per function: every key and value, in bytes. */
export const LAMBDA_ENVIRONMENT_MAX_BYTES = 4 * 1024;
/** Step Functions keeps at most 25,000 history events per Standard execution. */
export const MAX_HISTORY_EVENTS = 25_000;

const encoder = new TextEncoder();
function utf8Bytes(text: string): number {
  return encoder.encode(text).length;
}

/** The size Lambda counts against the 4 KB limit. */
export function environmentBytes(environment: Record<string, string>): number {
  return Object.entries(environment).reduce(
    (sum, [key, value]) => sum + utf8Bytes(key) + utf8Bytes(value),
    0,
  );
}

/**
 * Refuse an environment over Lambda's limit at synth, naming the config fields that fill it, so
 * that a config which synthesizes also deploys.
 */
export function assertEnvironmentFits(
  environment: Record<string, string>,
  contributors: Record<string, number>,
): void {
  const bytes = environmentBytes(environment);
  if (bytes <= LAMBDA_ENVIRONMENT_MAX_BYTES) return;
  const largest = Object.entries(contributors)
    .filter(([, size]) => size > 0)
    .sort(([, a], [, b]) => b - a)
    .slice(0, 3)
    .map(([field, size]) => `${field} (${size} bytes)`)
    .join(', ');
  throw new ConfigurationError(
    `The Lambda environment would be ${bytes} bytes, over the ${LAMBDA_ENVIRONMENT_MAX_BYTES} Lambda allows (the config travels in it): shorten ${largest}`,
  );
}

type Json = Record<string, unknown>;

export interface HistoryBoundOptions {
  /** Iterations of each inline Map (the governed regions). */
  mapItems: number;
  /**
   * Retriers whose attempts are bounded by a deadline rather than by MaxAttempts: error name →
   * deadline seconds. With FULL jitter the delays are random; the bound assumes they average no
   * less than a quarter of MaxDelaySeconds (their mean is half), which over hundreds of attempts
   * fails with vanishing probability.
   */
  deadlineBound: Record<string, number>;
  /** Passes through each loop of the definition (Choice → Wait → back), e.g. pipeline polls. */
  loopIterations: number;
  /** How often a Map inside a loop runs in all (it is not re-run on every pass)... */
  loopMapRuns: number;
  /** ...and how many items each of those runs has. */
  loopMapItems: number;
  /** Items of a named Map on the loop, when it has a cap of its own (else `loopMapItems`). */
  loopMapItemsByState?: Record<string, number>;
}

export interface HistoryBound {
  total: number;
  /** Events per cause: `fixed`, `mapItems`, `deadline:<error>`, `loop`. */
  terms: Record<string, number>;
}

function retriers(state: Json): Json[] {
  return (state.Retry as Json[] | undefined) ?? [];
}

/**
 * Worst-case history events of one Standard execution, read from the ASL: every state once with
 * every retrier exhausted (a Lambda Task is 5 events, each retry 3 more), inline Maps times their
 * items, deadline-bound retries by their deadline, and the states of a loop times its passes.
 */
export function worstCaseHistory(definition: Json, options: HistoryBoundOptions): HistoryBound {
  const terms: Record<string, number> = { fixed: 2 };
  const add = (term: string, events: number) => {
    terms[term] = (terms[term] ?? 0) + events;
  };
  const states = (definition.States as Record<string, Json>) ?? {};
  const inLoop = loopStates(states);

  /** Events of one state run once; deadline-bound retries are reported through `add`. */
  const stateEvents = (state: Json, multiplier: number, term: string, items = options.mapItems): number => {
    switch (state.Type) {
      case 'Task': {
        let events = 5;
        for (const retrier of retriers(state)) {
          const errors = (retrier.ErrorEquals as string[]) ?? [];
          // Only a retrier for deadline-bound errors alone; mixed lists stay bounded by MaxAttempts.
          const bounds = errors.map((e) => options.deadlineBound[e]);
          const bound = bounds.every((s) => s !== undefined) ? Math.max(...(bounds as number[])) : undefined;
          const maxAttempts = (retrier.MaxAttempts as number | undefined) ?? 3;
          if (bound === undefined) {
            events += 3 * maxAttempts;
            continue;
          }
          const meanDelay = Math.max(((retrier.MaxDelaySeconds as number | undefined) ?? 1) / 4, 0.25);
          const attempts = Math.min(maxAttempts, Math.ceil(bound / meanDelay));
          add(`deadline:${errors.join('|')}`, 3 * attempts * multiplier);
        }
        return events;
      }
      case 'Map': {
        const processor = (state.ItemProcessor ?? state.Iterator) as Json;
        const config = processor?.ProcessorConfig as Json | undefined;
        // A distributed Map's children are executions of their own: the parent records the map run.
        if (config?.Mode === 'DISTRIBUTED') return 6;
        const perItem = Object.values((processor?.States as Record<string, Json>) ?? {}).reduce(
          (sum, child) => sum + stateEvents(child, multiplier * items, term === 'fixed' ? 'mapItems' : term),
          2,
        );
        add(term === 'fixed' ? 'mapItems' : term, perItem * items * multiplier);
        return 4;
      }
      case 'Parallel':
        return (state.Branches as Json[]).reduce(
          (sum, branch) =>
            sum +
            Object.values((branch.States as Record<string, Json>) ?? {}).reduce(
              (s, child) => s + stateEvents(child, multiplier, term),
              0,
            ),
          4,
        );
      case 'Succeed':
      case 'Fail':
        return 1;
      default:
        return 2;
    }
  };

  for (const [name, state] of Object.entries(states)) {
    if (!inLoop.has(name)) {
      add('fixed', stateEvents(state, 1, 'fixed'));
      continue;
    }
    const runs = state.Type === 'Map' ? options.loopMapRuns : options.loopIterations;
    const items = options.loopMapItemsByState?.[name] ?? options.loopMapItems;
    add('loop', stateEvents(state, runs, 'loop', items) * runs);
  }
  const total = Object.values(terms).reduce((a, b) => a + b, 0);
  return { total, terms };
}

/** Names of the top-level states that lie on a cycle (reachable from themselves). */
function loopStates(states: Record<string, Json>): Set<string> {
  const next = (state: Json): string[] =>
    [
      state.Next,
      state.Default,
      ...((state.Choices as Json[] | undefined) ?? []).map((c) => c.Next),
      ...((state.Catch as Json[] | undefined) ?? []).map((c) => c.Next),
    ].filter((n): n is string => typeof n === 'string');
  const onCycle = new Set<string>();
  for (const [start, first] of Object.entries(states)) {
    const seen = new Set<string>();
    const stack = next(first);
    for (let name = stack.pop(); name !== undefined; name = stack.pop()) {
      if (name === start) {
        onCycle.add(start);
        break;
      }
      const state = states[name];
      if (seen.has(name) || !state) continue;
      seen.add(name);
      stack.push(...next(state));
    }
  }
  return onCycle;
}
