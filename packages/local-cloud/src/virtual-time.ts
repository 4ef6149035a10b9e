import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import { syncBuiltinESMExports } from 'node:module';
import { type Clock, withGlobal } from '@sinonjs/fake-timers';
import { SeededRandom, seedFromString } from './seeded-random.ts';

/**
 * Virtual time: simulated time that does not depend on the machine.
 *
 * The process's `Date`, `setTimeout` and `setInterval` are replaced by a clock that stands still
 * while anything is happening (a request in flight, a handler running, a response on its way)
 * and, once the process is quiet, jumps straight to the next timer. CPU time therefore costs no
 * simulated time, however busy the machine is; only modelled latencies, Waits, Retry intervals,
 * role propagation and pipeline durations move the clock. `setImmediate`, `process.nextTick`,
 * `queueMicrotask` and `performance.now()` stay real, so Node's own I/O machinery and wall-time
 * measurements keep working.
 *
 * "Quiet" is judged from HTTP activity (Node's `http.client.*` and `http.server.*` diagnostics
 * channels, so it covers the local cloud, the DynamoDB emulator and every SDK client in the
 * process) and from a few real event-loop turns in which nothing new happened.
 */

const realSetTimeout = globalThis.setTimeout;
const realSetImmediate = globalThis.setImmediate;
const realDateNow = Date.now;

/**
 * The real timers, captured when this module loads (fake-timers patches `node:timers` too): for
 * wall-time deadlines and samplers that must not become simulated timers.
 */
export const realTimers = {
  setTimeout: globalThis.setTimeout,
  clearTimeout: globalThis.clearTimeout,
  setInterval: globalThis.setInterval,
  clearInterval: globalThis.clearInterval,
  now: realDateNow,
} as const;

/** Turns of the event loop with no activity before the process counts as quiet. */
const QUIET_TURNS = 4;

class Activity {
  /** Client requests from creation until their response headers arrive (or they close). */
  readonly client = new Set<ClientRequest>();
  /** Server requests from arrival until their response is finished (or the socket closes). */
  readonly server = new Set<ServerResponse>();
  /** Server requests waiting out a modelled latency: in flight, but not work. */
  parked = 0;
  /** Bumped on every change, so that a quiet check can see that something happened. */
  generation = 0;

  busy(): boolean {
    // A client request the server has not seen yet, or a response the client has not read yet,
    // is in transit; a server request that is not parked is being worked on.
    return this.server.size - this.parked > 0 || this.client.size > this.server.size;
  }
}

const activity = new Activity();

/**
 * The draw key of the request now on each in-process client socket, by its local port: the
 * server (the other end, same process) reads it by the remote port and keys its latency draw
 * by it. A keep-alive socket carries one request at a time, so the entry is the current one.
 */
const drawsByPort = new Map<number, string>();

/** The actor draw key of the request arriving from `remotePort`, if an actor made it. */
export function actorDrawFor(remotePort: number | undefined): string | undefined {
  return remotePort === undefined ? undefined : drawsByPort.get(remotePort);
}

function onClientStart(message: unknown): void {
  const request = (message as { request: ClientRequest }).request;
  const draw = actorDrawKey('request');
  const socket = request.socket;
  if (socket) {
    const remember = () => {
      if (socket.localPort === undefined) return;
      if (draw) drawsByPort.set(socket.localPort, draw);
      else drawsByPort.delete(socket.localPort);
    };
    if (socket.connecting) socket.once('connect', remember);
    else remember();
  }
  // A request queued in its agent for a free socket is not in transit yet: it moves when a
  // response frees a socket, which may wait for the clock.
  const inTransit = () => {
    activity.client.add(request);
    activity.generation += 1;
  };
  if (request.socket) inTransit();
  else request.once('socket', inTransit);
  request.once('close', () => {
    activity.client.delete(request);
    activity.generation += 1;
  });
}

function onClientResponse(message: unknown): void {
  activity.client.delete((message as { request: ClientRequest }).request);
  activity.generation += 1;
}

function onServerStart(message: unknown): void {
  const { response } = message as { request: IncomingMessage; response: ServerResponse };
  activity.server.add(response);
  activity.generation += 1;
  const done = () => {
    activity.server.delete(response);
    activity.generation += 1;
  };
  response.once('finish', done);
  response.once('close', done);
}

const CHANNELS: [string, (message: unknown) => void][] = [
  ['http.client.request.start', onClientStart],
  ['http.client.response.finish', onClientResponse],
  ['http.server.request.start', onServerStart],
];

let installed: VirtualTime | undefined;

/**
 * `fn`, to run in the async context it was scheduled from, as a Node timer's callback does.
 * What `AsyncResource.bind` does, without the deprecated `asyncResource` property it defines on
 * every bound function (two deprecation wrappers per timer: a burst sets hundreds of thousands).
 */
function inThisContext(fn: (...args: unknown[]) => void): (...args: unknown[]) => void {
  const resource = new AsyncResource(fn.name || 'bound-anonymous-fn');
  return function (this: unknown, ...args: unknown[]) {
    return resource.runInAsyncScope(fn, this, ...args);
  };
}

/**
 * A deterministic context for one simulated actor (an execution): its own random stream, so
 * that its retry jitter and latency draws do not depend on what other actors did first.
 */
interface ActorContext {
  key: string;
  random: SeededRandom;
  draws: Map<string, number>;
}

const actors = new AsyncLocalStorage<ActorContext>();
const actorStarts = new Map<string, number>();

/**
 * Run `fn` as the actor `key` (e.g. an execution of a state machine on a given input). The key
 * is numbered per repeat, so two starts with the same key get different but reproducible streams.
 */
export function runAsActor<T>(key: string, fn: () => T): T {
  const n = actorStarts.get(key) ?? 0;
  actorStarts.set(key, n + 1);
  const id = `${key}#${n}`;
  return actors.run({ key: id, random: new SeededRandom(seedFromString(id)), draws: new Map() }, fn);
}

/**
 * A stable key for the n-th draw of `what` by the current actor (`undefined` outside one): the
 * latency model uses it so that draws do not depend on the order actors ran in.
 */
export function actorDrawKey(what: string): string | undefined {
  const actor = actors.getStore();
  if (!actor) return undefined;
  const n = actor.draws.get(what) ?? 0;
  actor.draws.set(what, n + 1);
  return `${actor.key}|${what}|${n}`;
}

/** The installed virtual time, if any. */
export function currentVirtualTime(): VirtualTime | undefined {
  return installed;
}

/**
 * Wait `ms` of simulated time as a modelled latency (a server answering, an event in transit).
 * Under virtual time the wait does not hold the clock; under scaled wall time it is a plain timer.
 */
export async function modelledDelay(ms: number): Promise<void> {
  if (!(ms > 0)) return;
  activity.parked += 1;
  activity.generation += 1;
  try {
    await new Promise<void>((resolve) => setTimeout(resolve, ms));
  } finally {
    activity.parked -= 1;
    activity.generation += 1;
  }
}

export interface VirtualTimeOptions {
  /** Simulated epoch ms at install. Default: the wall time now. */
  startMs?: number;
  /**
   * Seed `Math.random` too (restored on uninstall). Step Functions' retry jitter and the SDK's
   * backoff draw from it; seeded, and drawn in virtual-time order, a run repeats exactly.
   */
  seed?: number;
}

export class VirtualTimeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VirtualTimeError';
  }
}

export class VirtualTime {
  readonly startMs: number;
  readonly #clock: Clock;
  #running = true;
  #timersFired = 0;
  #waiters: { done: () => boolean; resolve: () => void }[] = [];
  readonly #loop: Promise<void>;

  /** Take over the process's timers and Date. One at a time; `uninstall()` gives them back. */
  static install(options: VirtualTimeOptions = {}): VirtualTime {
    if (installed) throw new VirtualTimeError('virtual time is already installed in this process');
    installed = new VirtualTime(options.startMs ?? realDateNow(), options.seed);
    return installed;
  }

  readonly #random: (() => number) | undefined;
  readonly #fakeTimers: { setTimeout: typeof setTimeout; setInterval: typeof setInterval };

  private constructor(startMs: number, seed: number | undefined) {
    this.startMs = startMs;
    if (seed !== undefined) {
      this.#random = Math.random;
      const seeded = new SeededRandom(seed);
      actorStarts.clear();
      Math.random = () => (actors.getStore()?.random ?? seeded).next();
    }
    this.#clock = withGlobal(globalThis).install({
      now: startMs,
      toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
      shouldClearNativeTimers: true,
      loopLimit: 1_000_000,
    });
    // A timer's callback runs in the async context that set it, as with Node's own timers, so
    // an actor's context survives its Waits, retries and modelled latencies.
    const fakeSetTimeout = globalThis.setTimeout;
    const fakeSetInterval = globalThis.setInterval;
    this.#fakeTimers = { setTimeout: fakeSetTimeout, setInterval: fakeSetInterval };
    globalThis.setTimeout = ((fn: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) =>
      fakeSetTimeout(inThisContext(fn), ms, ...args)) as typeof setTimeout;
    globalThis.setInterval = ((fn: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) =>
      fakeSetInterval(inThisContext(fn), ms, ...args)) as typeof setInterval;
    // ES modules that imported `setTimeout` from `node:timers` (middy's early-timeout timer, say)
    // hold live bindings that follow the patched module only once the builtins are re-synced.
    syncBuiltinESMExports();
    for (const [name, fn] of CHANNELS) subscribe(name, fn);
    this.#loop = this.#run();
  }

  /** Simulated epoch ms. */
  nowMs(): number {
    return this.#clock.now;
  }

  /** Timers fired so far (each is one jump, or none when it was due already). */
  get timersFired(): number {
    return this.#timersFired;
  }

  /** Resolve at the first quiet instant at which `done()` holds. */
  until(done: () => boolean): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#waiters.push({ done, resolve });
    });
  }

  /** Stop the clock's loop and give the process its real timers back. */
  async uninstall(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    await this.#loop;
    for (const [name, fn] of CHANNELS) unsubscribe(name, fn);
    globalThis.setTimeout = this.#fakeTimers.setTimeout;
    globalThis.setInterval = this.#fakeTimers.setInterval;
    this.#clock.uninstall();
    syncBuiltinESMExports();
    if (this.#random) Math.random = this.#random;
    if (installed === this) installed = undefined;
  }

  /** Wait until nothing has happened for a few real event-loop turns. */
  async #quiet(): Promise<void> {
    let turns = 0;
    let seen = activity.generation;
    let timers = this.#clock.countTimers();
    while (this.#running && turns < QUIET_TURNS) {
      if (activity.busy()) {
        // Real work or a socket is pending. Loopback I/O is ready within a turn or two, so turn
        // the loop (I/O is polled every turn) rather than sleep a millisecond each time.
        await new Promise((resolve) => realSetImmediate(resolve));
        turns = 0;
      } else {
        await new Promise((resolve) => realSetImmediate(resolve));
        turns += 1;
      }
      const count = this.#clock.countTimers();
      if (activity.generation !== seen || count !== timers) {
        seen = activity.generation;
        timers = count;
        turns = 0;
      }
    }
  }

  /**
   * Fire the earliest timer and every other one due at that instant, in the clock's order (due
   * time, then creation), as `next()` then `tick(0)` would. `tick(0)` scans every pending timer
   * when none is due, twice per instant: with thousands of executions waiting that was the clock's
   * main cost. The clock's heap answers "is another one due now?" at once.
   */
  #fireNextInstant(): void {
    const heap = this.#clock.timerHeap;
    if (!heap) {
      this.#clock.next();
      this.#clock.tick(0);
      return;
    }
    const at = this.#clock.next();
    while (heap.peek()?.callAt === at) this.#clock.next();
  }

  async #run(): Promise<void> {
    while (this.#running) {
      await this.#quiet();
      if (!this.#running) return;
      if (this.#waiters.length > 0) {
        const ready = this.#waiters.filter((w) => w.done());
        if (ready.length > 0) {
          this.#waiters = this.#waiters.filter((w) => !ready.includes(w));
          for (const w of ready) w.resolve();
          continue;
        }
      }
      if (this.#clock.countTimers() === 0) {
        // Nothing scheduled: only something outside (a test, an operator) can act next.
        await new Promise((resolve) => realSetTimeout(resolve, 1));
        continue;
      }
      try {
        // The earliest timer, and every other one due at that same instant.
        this.#fireNextInstant();
      } catch (error) {
        // A timer's callback threw: in real Node that is the callback's own problem, not time's.
        console.error('virtual time: a timer callback threw', error);
      }
      this.#timersFired += 1;
    }
  }
}
