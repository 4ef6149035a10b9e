import { actorDrawKey, type LatencyModel } from '@runas-bootstrapper/local-cloud';

/**
 * Lambda's default quota of concurrent executions per account and region (AWS Lambda quotas
 * page: 1,000, raisable; new accounts may start lower). An invocation over it is refused, and
 * Step Functions reports `Lambda.TooManyRequestsException`, which every Task here retries.
 */
export const DEFAULT_LAMBDA_CONCURRENCY = 1000;

/** The error Step Functions reports for a Lambda invocation refused by the concurrency quota. */
export class LambdaThrottledError extends Error {
  constructor(functionName: string) {
    super(
      `Rate Exceeded. (Service: AWSLambda; Status Code: 429; Error Code: TooManyRequestsException; function ${functionName})`,
    );
    this.name = 'Lambda.TooManyRequestsException';
  }
}

/**
 * What Lambda and Step Functions add around a handler, on simulated time: the state
 * transition into the Task, the invoke itself, and a cold start when no environment of the
 * function is free. Environments are kept per function like Lambda's: one serves one
 * invocation at a time and stays warm after it, so a burst of vends pays for as many cold
 * starts as it has concurrent invocations, and later vends run warm (an assumption: Lambda
 * reclaims idle environments after a time it does not publish; here they never expire, so vends
 * spread over hours all run warm). Across all functions at
 * most `concurrency` invocations run at once; one more is refused, as Lambda refuses it.
 */
export class LambdaService {
  readonly #latency: LatencyModel | undefined;
  readonly #timeScale: number;
  readonly #concurrency: number;
  readonly #idle = new Map<string, number>();
  #invocations = 0;
  #coldStarts = 0;
  #running = 0;
  #throttled = 0;

  constructor(
    latency: LatencyModel | undefined,
    timeScale: number,
    concurrency = DEFAULT_LAMBDA_CONCURRENCY,
  ) {
    this.#latency = latency?.enabled ? latency : undefined;
    this.#timeScale = timeScale;
    this.#concurrency = concurrency;
  }

  /** Run `handler` as Lambda invokes it for a Task state of a Step Functions execution. */
  async invoke<T>(functionName: string, handler: () => Promise<T>): Promise<T> {
    if (this.#running >= this.#concurrency) {
      this.#throttled += 1;
      throw new LambdaThrottledError(functionName);
    }
    this.#running += 1;
    this.#invocations += 1;
    const idle = this.#idle.get(functionName) ?? 0;
    const warm = idle > 0;
    if (warm) this.#idle.set(functionName, idle - 1);
    else this.#coldStarts += 1;
    const latency = this.#latency;
    try {
      if (latency) {
        const { stateTransition, lambdaWarmInvoke, lambdaColdInit } = latency.definition;
        // Keyed by the execution (the actor) where there is one, so draws do not depend on order.
        const key = actorDrawKey(functionName) ?? functionName;
        const ms =
          latency.sample('states:transition', stateTransition, key) +
          latency.sample('lambda:invoke', lambdaWarmInvoke, key) +
          (warm ? 0 : latency.sample('lambda:init', lambdaColdInit, key));
        await this.#sleep(ms);
      }
      return await handler();
    } finally {
      this.#running -= 1;
      this.#idle.set(functionName, (this.#idle.get(functionName) ?? 0) + 1);
    }
  }

  /** From a start request (a rule's delivery, StartExecution, a Map's child) to the first state. */
  async executionStart(key: string): Promise<void> {
    const latency = this.#latency;
    if (latency) await this.#sleep(latency.sample('states:start', latency.definition.executionStart, key));
  }

  get stats(): { invocations: number; coldStarts: number; throttled: number } {
    return { invocations: this.#invocations, coldStarts: this.#coldStarts, throttled: this.#throttled };
  }

  #sleep(simulatedMs: number): Promise<void> {
    const wallMs = simulatedMs * this.#timeScale;
    return wallMs > 0 ? new Promise((resolve) => setTimeout(resolve, wallMs)) : Promise.resolve();
  }
}
