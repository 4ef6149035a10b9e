import { randomUUID } from 'node:crypto';

/** An EventBridge event as delivered to rule targets. */
export interface EventEnvelope<Detail = Record<string, unknown>> {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Detail;
}

export type EventSubscriber = (event: EventEnvelope) => void | Promise<void>;

/** EventBridge `time`: ISO 8601 UTC without milliseconds. */
export function eventTime(epochMs: number): string {
  return new Date(Math.floor(epochMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export function makeEnvelope(
  fields: Omit<EventEnvelope, 'version' | 'id' | 'time' | 'resources'> & {
    time: number;
    resources?: string[];
  },
): EventEnvelope {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': fields['detail-type'],
    source: fields.source,
    account: fields.account,
    time: eventTime(fields.time),
    region: fields.region,
    resources: fields.resources ?? [],
    detail: fields.detail,
  };
}

/**
 * The local default event bus. Delivery is asynchronous, like EventBridge: `publish` returns
 * before subscribers run, and a failing subscriber never affects the publisher or the others.
 */
export class EventBus {
  readonly #subscribers = new Set<EventSubscriber>();
  readonly #history: EventEnvelope[] = [];
  readonly #onError: (error: unknown, event: EventEnvelope) => void;
  readonly #deliveryDelayMs: (event: EventEnvelope) => number;
  #inFlight = 0;

  /** `deliveryDelayMs`: wall ms between publishing and each subscriber's delivery (0: next turn). */
  constructor(
    onError: (error: unknown, event: EventEnvelope) => void = defaultOnError,
    deliveryDelayMs: (event: EventEnvelope) => number = () => 0,
  ) {
    this.#onError = onError;
    this.#deliveryDelayMs = deliveryDelayMs;
  }

  /** Receive every event published from now on. Returns an unsubscribe function. */
  subscribe(fn: EventSubscriber): () => void {
    this.#subscribers.add(fn);
    return () => {
      this.#subscribers.delete(fn);
    };
  }

  publish(event: EventEnvelope): void {
    this.#history.push(event);
    for (const fn of [...this.#subscribers]) {
      const deliver = () => {
        try {
          Promise.resolve(fn(event)).catch((error: unknown) => this.#onError(error, event));
        } catch (error) {
          this.#onError(error, event);
        }
      };
      const delay = this.#deliveryDelayMs(event);
      this.#inFlight += 1;
      const arrive = () => {
        this.#inFlight -= 1;
        deliver();
      };
      if (delay > 0) setTimeout(arrive, delay);
      else setImmediate(arrive);
    }
  }

  /** Deliveries published but not yet handed to their subscriber. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Every event published so far, oldest first. */
  history(): readonly EventEnvelope[] {
    return this.#history;
  }

  /** Resolve with the first event (past or future) that matches, or reject after `timeoutMs` wall ms. */
  waitFor(predicate: (event: EventEnvelope) => boolean, timeoutMs = 10_000): Promise<EventEnvelope> {
    const seen = this.#history.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        unsubscribe();
        reject(new Error(`no matching event on the local bus within ${timeoutMs} ms`));
      }, timeoutMs);
      const unsubscribe = this.subscribe((event) => {
        if (!predicate(event)) return;
        clearTimeout(timer);
        unsubscribe();
        resolve(event);
      });
    });
  }
}

function defaultOnError(error: unknown, event: EventEnvelope): void {
  console.error(`local cloud: a bus subscriber failed on ${event['detail-type']} (${event.id}):`, error);
}
