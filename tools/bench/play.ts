import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { VirtualTime } from '@runas-bootstrapper/local-cloud';
import { type DemoOptions, type DemoRun, onScenarioClock, runScenario } from '#local/demo.ts';
import { measureRun, type RunFigures } from './measure.ts';
import type { GeneratedScenario } from './scenario-generator.ts';
import { RssSampler } from './stats.ts';

export type PlayedFigures = RunFigures & {
  /** Event-loop delay of the bench process during the run, wall ms (no effect on virtual time). */
  eventLoopDelayMs: { p50: number; p99: number; max: number };
  clock: 'virtual' | 'scaled';
  /** Under virtual time: timers fired, i.e. the instants the clock stopped at. */
  timersFired?: number;
  /** Lambda invocations, cold starts (modelled environments) and those the concurrency quota refused. */
  lambda: { invocations: number; coldStarts: number; throttled: number };
};

export interface PlayOptions {
  label: string;
  transformDefinition?: (definition: Record<string, unknown>) => Record<string, unknown>;
  functionOverrides?: DemoOptions['functionOverrides'];
  /** Wall seconds before giving up. */
  timeoutSeconds?: number;
  onProgress?: (finished: number, started: number) => void;
  /** Inspect the run before the cloud is closed (soak checks). */
  inspect?: (run: DemoRun) => void | Promise<void>;
}

/** Every virtual-time run starts at the same instant, so that its timestamps (and draws) repeat. */
export const BENCH_EPOCH_MS = Date.parse('2026-01-05T09:00:00Z');

/** Play a generated scenario to the end on a fresh local cloud and measure it. */
export async function playGenerated(
  generated: GeneratedScenario,
  options: PlayOptions,
): Promise<PlayedFigures> {
  return onScenarioClock(generated.scenario, (time) => play(generated, options, time), BENCH_EPOCH_MS);
}

async function play(
  generated: GeneratedScenario,
  options: PlayOptions,
  time: VirtualTime | undefined,
): Promise<PlayedFigures> {
  const rss = new RssSampler();
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const started = performance.now();
  const run = await runScenario({
    scenario: generated.scenario,
    config: generated.config,
    timeoutSeconds: options.timeoutSeconds ?? 3600,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.transformDefinition ? { transformDefinition: options.transformDefinition } : {}),
    ...(options.functionOverrides ? { functionOverrides: options.functionOverrides } : {}),
  });
  const wallSeconds = (performance.now() - started) / 1000;
  loop.disable();
  // On scaled wall time, wall delays become simulated ones divided by timeScale; on virtual time
  // they cost nothing simulated.
  const eventLoopDelayMs = {
    p50: Math.round(loop.percentile(50) / 1e6),
    p99: Math.round(loop.percentile(99) / 1e6),
    max: Math.round(loop.max / 1e6),
  };
  try {
    await options.inspect?.(run);
    const figures = measureRun({
      label: options.label,
      generated,
      cloud: run.cloud,
      report: run.report,
      executions: run.runtime.executions(),
      wallSeconds,
      peakRssMb: rss.stop(),
      virtualTime: time !== undefined,
    });
    return {
      ...figures,
      eventLoopDelayMs,
      clock: time ? 'virtual' : 'scaled',
      ...(time ? { timersFired: time.timersFired } : {}),
      lambda: run.runtime.lambda.stats,
    };
  } finally {
    rss.stop();
    run.runtime.stop();
    await run.cloud.close();
  }
}
