import { monitorEventLoopDelay } from 'node:perf_hooks';
import { type DemoRun, runScenario } from '#local/demo.ts';
import { measureRun, type RunFigures } from './measure.ts';
import type { GeneratedScenario } from './scenario-generator.ts';
import { RssSampler } from './stats.ts';

export type PlayedFigures = RunFigures & {
  /** Event-loop delay of the bench process during the run, wall ms. */
  eventLoopDelayMs: { p50: number; p99: number; max: number };
};

export interface PlayOptions {
  label: string;
  transformDefinition?: (definition: Record<string, unknown>) => Record<string, unknown>;
  /** Wall seconds before giving up. */
  timeoutSeconds?: number;
  onProgress?: (finished: number, started: number) => void;
  /** Inspect the run before the cloud is closed (soak checks). */
  inspect?: (run: DemoRun) => void | Promise<void>;
}

/** Play a generated scenario to the end on a fresh local cloud and measure it. */
export async function playGenerated(
  generated: GeneratedScenario,
  options: PlayOptions,
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
  });
  const wallSeconds = (performance.now() - started) / 1000;
  loop.disable();
  // Wall delays become simulated ones divided by timeScale: a saturated loop inflates every figure.
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
    });
    return { ...figures, eventLoopDelayMs };
  } finally {
    rss.stop();
    run.runtime.stop();
    await run.cloud.close();
  }
}
