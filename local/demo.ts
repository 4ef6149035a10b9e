import {
  currentVirtualTime,
  type LocalCloud,
  realTimers,
  type Scenario,
  startLocalCloud,
  VirtualTime,
} from '@runas-bootstrapper/local-cloud';
import type { BootstrapperConfig } from '#core/config/config.ts';
import { buildReport, type DemoReport } from './report.ts';
import { pipelineDefaultsFor } from './runtime/deployment.ts';
import { collectHandlerMetrics } from './runtime/emf-metrics.ts';
import { LocalRuntime, type LocalRuntimeOptions } from './runtime/runtime.ts';
import { fireSchedules } from './runtime/schedules.ts';

export interface DemoOptions {
  scenario: Scenario;
  scenarioName?: string;
  config: BootstrapperConfig;
  /** Called as executions start and finish: (finished, started). */
  onProgress?: (finished: number, started: number) => void;
  /** Give up after this many wall seconds. */
  timeoutSeconds?: number;
  /** Change the bootstrap definition before it runs (benchmark baselines). */
  transformDefinition?: (definition: Record<string, unknown>) => Record<string, unknown>;
  /** Replace a Task's function (benchmark baselines): placeholder → handler over the dependencies. */
  functionOverrides?: LocalRuntimeOptions['functionOverrides'];
  /** Called once the cloud is up, before its timeline starts (tests install targeted faults). */
  beforeTimeline?: (cloud: LocalCloud) => void;
  /** Lambda's concurrent-execution quota (1,000 by default, as AWS's). */
  lambdaConcurrency?: number;
}

export interface DemoRun {
  report: DemoReport;
  cloud: LocalCloud;
  runtime: LocalRuntime;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Run `work` on the clock the scenario asks for. On timeScale 1 that is virtual time, seeded by
 * the scenario's latency seed: simulated figures then owe nothing to this machine's load. Below 1
 * it is scaled wall time, and `work` gets no virtual clock.
 */
export async function onScenarioClock<T>(
  scenario: Scenario,
  work: (time: VirtualTime | undefined) => Promise<T>,
  startMs?: number,
): Promise<T> {
  const time =
    scenario.timeScale === 1
      ? VirtualTime.install({ seed: scenario.latency.seed, ...(startMs === undefined ? {} : { startMs }) })
      : undefined;
  try {
    return await work(time);
  } finally {
    await time?.uninstall();
  }
}

/** Wait until the scenario's timeline has played out and no execution is running. */
export async function settle(
  cloud: LocalCloud,
  runtime: LocalRuntime,
  options: Pick<DemoOptions, 'onProgress' | 'timeoutSeconds'> = {},
): Promise<void> {
  const time = currentVirtualTime();
  if (time) {
    // Virtual time stands still while anything runs and is checked at quiet instants only, so
    // "nothing scheduled and nothing running" is exact; the deadline is wall time.
    // Checked at every quiet instant, so it must stay cheap: counts, and progress at most
    // every 200 wall ms (a burst has thousands of executions).
    let reported = 0;
    const finished = () => {
      if (options.onProgress && realTimers.now() - reported > 200) {
        reported = realTimers.now();
        const executions = runtime.executions();
        options.onProgress(executions.length - runtime.running, executions.length);
      }
      return (
        cloud.state.pendingTimelineTasks() === 0 &&
        cloud.bus.inFlight === 0 &&
        runtime.pendingStarts === 0 &&
        runtime.running === 0
      );
    };
    const seconds = options.timeoutSeconds ?? 600;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = realTimers.setTimeout(
        () => reject(new Error(`the scenario did not settle within ${seconds} wall seconds`)),
        seconds * 1000,
      );
    });
    try {
      await Promise.race([time.until(finished), expired]);
    } finally {
      realTimers.clearTimeout(timer);
    }
    return;
  }
  const deadline = Date.now() + (options.timeoutSeconds ?? 600) * 1000;
  let quietChecks = 0;
  while (quietChecks < 3) {
    if (Date.now() > deadline)
      throw new Error(`the scenario did not settle within ${options.timeoutSeconds ?? 600} s`);
    await sleep(25);
    const executions = runtime.executions();
    options.onProgress?.(executions.filter((e) => e.stopDate).length, executions.length);
    const busy =
      cloud.state.pendingTimelineTasks() > 0 ||
      cloud.bus.inFlight > 0 ||
      runtime.pendingStarts > 0 ||
      executions.some((e) => !e.stopDate);
    quietChecks = busy ? 0 : quietChecks + 1;
  }
}

/**
 * Where the scenario deploys the product (`deployAccountId`, a hub account) and the key the
 * runtime signs with there: one of the scenario's `accessKeys` of that account.
 */
function deployAccount(scenario: Scenario): {
  deployAccountId?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
} {
  const id = scenario.deployAccountId;
  if (!id || id === scenario.managementAccountId) return {};
  const key = scenario.accessKeys.find((k) => k.accountId === id);
  if (!key) throw new Error(`deployAccountId ${id}: the scenario has no accessKeys entry for that account`);
  return {
    deployAccountId: id,
    credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey },
  };
}

/**
 * Play a scenario on the local cloud with the product deployed on it, and report per account.
 * The cloud and runtime are returned open so callers can inspect them; close the cloud after.
 */
export async function runScenario(options: DemoOptions): Promise<DemoRun> {
  const { scenario, config } = options;
  const cloud = await startLocalCloud({ port: 0, scenario, pipelineDefaults: pipelineDefaultsFor(config) });
  // The handlers' EMF, summed per metric for the report (and kept off the demo's stdout).
  const emitted = collectHandlerMetrics();
  let runtime: LocalRuntime;
  try {
    runtime = await LocalRuntime.start({
      host: cloud,
      config,
      managementAccountId: scenario.managementAccountId,
      homeRegion: scenario.homeRegion,
      ...(options.transformDefinition ? { transformDefinition: options.transformDefinition } : {}),
      ...(options.functionOverrides ? { functionOverrides: options.functionOverrides } : {}),
      ...(options.lambdaConcurrency ? { lambdaConcurrency: options.lambdaConcurrency } : {}),
      ...deployAccount(scenario),
    });
  } catch (error) {
    emitted.stop();
    await cloud.close();
    throw error;
  }
  try {
    options.beforeTimeline?.(cloud);
    cloud.startTimeline();
    // The deployed schedules run while the scenario plays (only a bounded play can hold them).
    if (scenario.playUntilSeconds !== undefined)
      fireSchedules(cloud, runtime, config, scenario.playUntilSeconds);
    await settle(cloud, runtime, options);
  } catch (error) {
    runtime.stop();
    await cloud.close();
    throw error;
  } finally {
    emitted.stop();
  }
  const vends = (
    await Promise.all(scenario.accounts.map((a) => runtime.dependencies.ledger.vendsOf(a.accountId)))
  ).flat();
  const report = buildReport({
    vends,
    cloud: cloud.state,
    scenario,
    config,
    executions: runtime.executions(),
    metrics: emitted.totals(),
    ...(options.scenarioName ? { scenarioName: options.scenarioName } : {}),
  });
  return { report, cloud, runtime };
}
