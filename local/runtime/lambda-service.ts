import { actorDrawKey, type LatencyModel } from '@runas-bootstrapper/local-cloud';

/**
 * What Lambda and Step Functions add around a handler, on simulated time: the state
 * transition into the Task, the invoke itself, and a cold start when no environment of the
 * function is free. Environments are kept per function like Lambda's: one serves one
 * invocation at a time and stays warm after it, so a burst of vends pays for as many cold
 * starts as it has concurrent invocations, and later vends run warm.
 */
export class LambdaService {
  readonly #latency: LatencyModel | undefined;
  readonly #timeScale: number;
  readonly #idle = new Map<string, number>();
  #invocations = 0;
  #coldStarts = 0;

  constructor(latency: LatencyModel | undefined, timeScale: number) {
    this.#latency = latency?.enabled ? latency : undefined;
    this.#timeScale = timeScale;
  }

  /** Run `handler` as Lambda invokes it for a Task state of a Step Functions execution. */
  async invoke<T>(functionName: string, handler: () => Promise<T>): Promise<T> {
    this.#invocations += 1;
    const idle = this.#idle.get(functionName) ?? 0;
    const warm = idle > 0;
    if (warm) this.#idle.set(functionName, idle - 1);
    else this.#coldStarts += 1;
    const latency = this.#latency;
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
    try {
      return await handler();
    } finally {
      this.#idle.set(functionName, (this.#idle.get(functionName) ?? 0) + 1);
    }
  }

  /** From a start request (a rule's delivery, StartExecution, a Map's child) to the first state. */
  async executionStart(key: string): Promise<void> {
    const latency = this.#latency;
    if (latency) await this.#sleep(latency.sample('states:start', latency.definition.executionStart, key));
  }

  get stats(): { invocations: number; coldStarts: number } {
    return { invocations: this.#invocations, coldStarts: this.#coldStarts };
  }

  #sleep(simulatedMs: number): Promise<void> {
    const wallMs = simulatedMs * this.#timeScale;
    return wallMs > 0 ? new Promise((resolve) => setTimeout(resolve, wallMs)) : Promise.resolve();
  }
}
