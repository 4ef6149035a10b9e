import { throttlingError } from './faults.ts';
import type { ScenarioRateLimits } from './scenario.ts';

/**
 * Request-rate quotas, per caller account, on simulated time: a token bucket per (account,
 * quota key). A key is an IAM action (`organizations:DescribeAccount`) or a whole service
 * (`organizations`); the action's own bucket wins. Over the quota a call gets the service's
 * throttling error, as AWS answers it, before it does anything.
 */
export class RateLimiter {
  readonly #limits: ScenarioRateLimits;
  readonly #now: () => number;
  readonly #buckets = new Map<string, { tokens: number; atMs: number }>();
  /** Calls refused, per quota key. */
  readonly throttled = new Map<string, number>();

  constructor(limits: ScenarioRateLimits, now: () => number) {
    this.#limits = limits;
    this.#now = now;
  }

  /** Throws the service's throttling error when the caller's bucket for this operation is empty. */
  take(operation: string, accountId: string): void {
    const service = operation.split(':')[0] ?? operation;
    const key = operation in this.#limits ? operation : service in this.#limits ? service : undefined;
    if (key === undefined) return;
    const { perSecond, burst } = this.#limits[key] as { perSecond: number; burst: number };
    const id = `${accountId}|${key}`;
    const now = this.#now();
    const bucket = this.#buckets.get(id) ?? { tokens: burst, atMs: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.atMs) / 1000) * perSecond);
    bucket.atMs = now;
    this.#buckets.set(id, bucket);
    if (bucket.tokens < 1) {
      this.throttled.set(key, (this.throttled.get(key) ?? 0) + 1);
      throw throttlingError(service);
    }
    bucket.tokens -= 1;
  }
}
