import { AwsServiceError } from './aws-error.ts';
import type { FaultErrorCode, FaultRates, ScenarioFaults } from './scenario.ts';
import { SeededRandom } from './seeded-random.ts';

/** Seeded fault injection: throttling, 5xx, TooManyUpdates and latency, global or per operation. */

export interface FaultDecision {
  latencyMs: number;
  error?: AwsServiceError;
}

/** SSM operations that can answer TooManyUpdates. */
export const SSM_WRITE_OPERATIONS = new Set([
  'ssm:CreateDocument',
  'ssm:UpdateDocument',
  'ssm:UpdateDocumentDefaultVersion',
  'ssm:DeleteDocument',
]);

/** Each service's own throttling error. */
export function throttlingError(service: string): AwsServiceError {
  if (service === 'sts') return new AwsServiceError('Throttling', 'Rate exceeded', 400);
  if (service === 'organizations') {
    return new AwsServiceError(
      'TooManyRequestsException',
      'You have sent too many requests in too short a period of time. The quota helps protect against denial-of-service attacks. Try again later.',
      400,
    );
  }
  return new AwsServiceError('ThrottlingException', 'Rate exceeded', 400);
}

function faultError(code: FaultErrorCode, service: string): AwsServiceError {
  switch (code) {
    case 'ThrottlingException':
      return throttlingError(service);
    case 'InternalServerError':
      return new AwsServiceError('InternalServerError', 'An internal error occurred. Try again.', 500);
    case 'ServiceUnavailable':
      return new AwsServiceError('ServiceUnavailable', 'Service is unavailable. Try again later.', 503);
    case 'TooManyUpdates':
      return new AwsServiceError(
        'TooManyUpdates',
        'There are concurrent updates for a resource that supports one update at a time.',
        400,
      );
  }
}

/**
 * A targeted fault: picks single calls (one account and region, the first N, only after some
 * event) and answers them with its error. Undefined lets the call through.
 */
export type FaultRule = (call: {
  operation: string;
  accountId: string;
  region: string;
}) => AwsServiceError | undefined;

export class FaultInjector {
  readonly #faults: ScenarioFaults;
  readonly #random: SeededRandom;
  readonly #firstCalls = new Map<string, number>();
  readonly #rules = new Set<FaultRule>();
  injected = 0;

  constructor(faults: ScenarioFaults) {
    this.#faults = faults;
    this.#random = new SeededRandom(faults.seed);
  }

  /**
   * Add a rule, consulted before the scenario's faults; rules are asked in the order they were
   * added, and the first error wins. Returns its removal.
   */
  addRule(rule: FaultRule): () => void {
    this.#rules.add(rule);
    return () => {
      this.#rules.delete(rule);
    };
  }

  /** Decide the fate of one call to `operation` (IAM action name) by a caller in `scope` (account/region). */
  decide(operation: string, scope: string): FaultDecision {
    const [accountId = '', region = ''] = scope.split('/');
    for (const rule of this.#rules) {
      const error = rule({ operation, accountId, region });
      if (error) {
        this.injected += 1;
        return { latencyMs: 0, error };
      }
    }
    const service = operation.split(':')[0] as string;
    const specific: FaultRates = this.#faults.operations[operation] ?? {};
    const pick = <K extends keyof FaultRates>(key: K): FaultRates[K] => specific[key] ?? this.#faults[key];
    const latency = pick('latencyMs');
    const latencyMs = latency ? this.#random.int(latency.min, latency.max) : 0;
    const decision = (error?: AwsServiceError): FaultDecision => {
      if (error) this.injected += 1;
      return error ? { latencyMs, error } : { latencyMs };
    };

    const failFirst = pick('failFirst') ?? 0;
    if (failFirst > 0) {
      const key = `${operation}|${scope}`;
      const seen = this.#firstCalls.get(key) ?? 0;
      this.#firstCalls.set(key, seen + 1);
      if (seen < failFirst)
        return decision(faultError(pick('failFirstWith') ?? 'ThrottlingException', service));
    }
    const throttleRate = pick('throttleRate') ?? 0;
    if (throttleRate > 0 && this.#random.next() < throttleRate) return decision(throttlingError(service));
    const serverErrorRate = pick('serverErrorRate') ?? 0;
    if (serverErrorRate > 0 && this.#random.next() < serverErrorRate) {
      return decision(
        faultError(this.#random.next() < 0.5 ? 'InternalServerError' : 'ServiceUnavailable', service),
      );
    }
    const tooManyUpdatesRate = pick('tooManyUpdatesRate') ?? 0;
    if (
      SSM_WRITE_OPERATIONS.has(operation) &&
      tooManyUpdatesRate > 0 &&
      this.#random.next() < tooManyUpdatesRate
    ) {
      return decision(faultError('TooManyUpdates', service));
    }
    return decision();
  }
}
