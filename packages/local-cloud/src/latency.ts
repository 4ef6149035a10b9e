import { SeededRandom, seedFromString } from './seeded-random.ts';

/**
 * How long AWS takes, so that every simulated figure comes from a model and none from this
 * machine's CPU. Each latency is log-normal, given by its median and its 99th percentile (a
 * long right tail, as service latencies have). The figures and their sources are in
 * `AWS_LATENCY` below, each entry with its source; where no public figure exists the entry says
 * it is an assumption and why.
 *
 * Draws are keyed, not sequential: the n-th draw for a key (an operation on one resource, one
 * function, one event) is the same whatever else ran before it, so two runs of one seeded
 * scenario get the same latencies even when concurrent work interleaves differently.
 */
export interface LatencyDistribution {
  medianMs: number;
  p99Ms: number;
  /** Where the figure comes from. */
  source: string;
}

export interface LatencyModelDefinition {
  /** Per API operation (IAM action name, e.g. `ssm:GetDocument`); `default` for the rest. */
  api: Record<string, LatencyDistribution> & { default: LatencyDistribution };
  /** From an event reaching the bus to its rule target being invoked. */
  eventDelivery: LatencyDistribution;
  /** A Lambda invocation on a warm execution environment: the service's own overhead. */
  lambdaWarmInvoke: LatencyDistribution;
  /** Extra for an invocation that needs a new execution environment (init of a bundled handler). */
  lambdaColdInit: LatencyDistribution;
  /** Step Functions: from one Task state's end to the next Task's start. */
  stateTransition: LatencyDistribution;
  /** From StartExecution (or a rule's delivery) to the first state running. */
  executionStart: LatencyDistribution;
}

const SAME_REGION =
  'assumption: AWS publishes no per-operation latency; a same-region HTTPS control-plane call with a warm client is tens of milliseconds with a tail of a few hundred';
const DYNAMODB = 'DynamoDB documentation: single-digit-millisecond latency at any scale';
const ORGANIZATIONS =
  'AWS General Reference, Organizations endpoints: one endpoint, in us-east-1, for every region; assumption: about 120 ms with the cross-region round trip';

export const AWS_LATENCY: LatencyModelDefinition = {
  api: {
    default: { medianMs: 50, p99Ms: 300, source: SAME_REGION },
    'sts:AssumeRole': { medianMs: 70, p99Ms: 400, source: SAME_REGION },
    'sts:GetCallerIdentity': { medianMs: 40, p99Ms: 250, source: SAME_REGION },
    'ssm:GetDocument': { medianMs: 50, p99Ms: 300, source: SAME_REGION },
    'ssm:DescribeDocument': { medianMs: 50, p99Ms: 300, source: SAME_REGION },
    'ssm:ListDocumentVersions': { medianMs: 50, p99Ms: 300, source: SAME_REGION },
    'ssm:UpdateDocumentDefaultVersion': { medianMs: 60, p99Ms: 400, source: SAME_REGION },
    'ssm:UpdateDocument': {
      medianMs: 150,
      p99Ms: 1000,
      source: `${SAME_REGION}; a write validates the content and stores a new version, so about twice a read`,
    },
    'ssm:CreateDocument': {
      medianMs: 150,
      p99Ms: 1000,
      source: `${SAME_REGION}; a write, like UpdateDocument`,
    },
    'ssm:DeleteDocument': { medianMs: 100, p99Ms: 600, source: `${SAME_REGION}; a write` },
    'organizations:DescribeAccount': { medianMs: 120, p99Ms: 1000, source: ORGANIZATIONS },
    'organizations:ListAccounts': { medianMs: 150, p99Ms: 1000, source: ORGANIZATIONS },
    'organizations:ListParents': { medianMs: 120, p99Ms: 1000, source: ORGANIZATIONS },
    'dynamodb:GetItem': { medianMs: 5, p99Ms: 25, source: DYNAMODB },
    'dynamodb:PutItem': { medianMs: 7, p99Ms: 30, source: DYNAMODB },
    'dynamodb:UpdateItem': { medianMs: 7, p99Ms: 30, source: DYNAMODB },
    'dynamodb:Query': { medianMs: 8, p99Ms: 40, source: DYNAMODB },
  },
  eventDelivery: {
    medianMs: 60,
    p99Ms: 500,
    source:
      'AWS Architecture Blog (Amazon Key on EventBridge, 2026): about 80 ms p90 from publish to subscriber; the EventBridge FAQ says only "near real time". The p99 of 500 ms is an assumption: a heavier tail than that p90 implies (this distribution has a p90 near 190 ms), to cover deliveries the source does not report',
  },
  lambdaWarmInvoke: {
    medianMs: 15,
    p99Ms: 60,
    source:
      'assumption, from public benchmarks of Node.js Lambda functions (no single citable source): warm invocations of small handlers take 10-35 ms',
  },
  lambdaColdInit: {
    medianMs: 250,
    p99Ms: 1000,
    source:
      'Operating Lambda: Performance optimization, part 1 (AWS Compute Blog): cold starts take from under 100 ms to over 1 s; the median within that range is an assumption (public Node.js 20 benchmarks of bundles under 1 MB report means of 242-297 ms)',
  },
  stateTransition: {
    medianMs: 30,
    p99Ms: 150,
    source:
      'assumption: Step Functions publishes no transition latency; a Standard transition persists history, tens of ms',
  },
  executionStart: {
    medianMs: 60,
    p99Ms: 300,
    source:
      'assumption: StartExecution is a control-plane call of tens of milliseconds before the first state runs',
  },
};

/**
 * A reproducible key for a draw about `value` (an event, an execution's input): its JSON without
 * the ids EventBridge (`id`) and CloudTrail (`eventID`) make random for every event.
 */
export function stableKey(value: unknown): string {
  return JSON.stringify(value, (key, v) => (key === 'id' || key === 'eventID' ? undefined : v)) ?? '';
}

/** No latency at all: the figures are then the scenario's own delays and nothing else. */
export const NO_LATENCY: LatencyModelDefinition = (() => {
  const zero: LatencyDistribution = { medianMs: 0, p99Ms: 0, source: 'none' };
  return {
    api: { default: zero },
    eventDelivery: zero,
    lambdaWarmInvoke: zero,
    lambdaColdInit: zero,
    stateTransition: zero,
    executionStart: zero,
  };
})();

/** z of the 99th percentile of the standard normal distribution. */
const Z99 = 2.3263;

function standardNormal(random: SeededRandom): number {
  // Box-Muller: two uniforms in (0, 1] give one standard normal draw.
  const u = 1 - random.next();
  const v = random.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

export function sampleLogNormal(distribution: LatencyDistribution, random: SeededRandom): number {
  if (distribution.medianMs <= 0) return 0;
  const sigma = Math.max(0, Math.log(distribution.p99Ms / distribution.medianMs) / Z99);
  return distribution.medianMs * Math.exp(sigma * standardNormal(random));
}

export class LatencyModel {
  readonly definition: LatencyModelDefinition;
  readonly enabled: boolean;
  readonly #seed: string;
  readonly #draws = new Map<string, number>();

  constructor(definition: LatencyModelDefinition, seed: number) {
    this.definition = definition;
    this.enabled = definition !== NO_LATENCY;
    this.#seed = String(seed);
  }

  /** The next draw (ms) of `distribution` for `key`. */
  sample(kind: string, distribution: LatencyDistribution, key: string): number {
    if (distribution.medianMs <= 0) return 0;
    const id = `${kind}|${key}`;
    const n = this.#draws.get(id) ?? 0;
    this.#draws.set(id, n + 1);
    return Math.round(
      sampleLogNormal(distribution, new SeededRandom(seedFromString(`${this.#seed}|${id}|${n}`))),
    );
  }

  api(operation: string, key: string): number {
    return this.sample(operation, this.definition.api[operation] ?? this.definition.api.default, key);
  }
}
