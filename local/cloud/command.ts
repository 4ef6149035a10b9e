import { readFile } from 'node:fs/promises';
import type { BootstrapperConfig } from '#core/config.ts';
import { loadScenarioFile, resolveScenarioConfig, type Scenario } from './scenario.ts';
import { type LocalCloud, startLocalCloud } from './server.ts';

export interface LocalCloudCommandOptions {
  port?: number;
  /** A scenario JSON file; without one, a lone management account. */
  scenarioFile?: string;
  /** A bootstrapper.config.json to overlay the scenario's `config` block on. */
  configFile?: string;
  /** Start the scenario timeline immediately (default true). */
  startTimeline?: boolean;
  /** Where status lines go (default: stdout). */
  log?: (line: string) => void;
  /** Stop when aborted, besides SIGINT/SIGTERM. */
  signal?: AbortSignal;
  /** Called once the cloud is listening. */
  onReady?: (cloud: LocalCloud) => void;
}

/**
 * Run the local cloud until SIGINT, SIGTERM or `signal` aborts. Prints one line with the
 * endpoint URL when ready. Resolves after a clean shutdown.
 */
export async function runLocalCloudCommand(options: LocalCloudCommandOptions = {}): Promise<void> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const scenario: Scenario | undefined = options.scenarioFile
    ? await loadScenarioFile(options.scenarioFile)
    : undefined;
  let config: BootstrapperConfig | undefined;
  if (scenario && (options.configFile || scenario.config)) {
    const base = options.configFile
      ? (JSON.parse(await readFile(options.configFile, 'utf8')) as unknown)
      : {};
    config = resolveScenarioConfig(scenario, base);
  }
  const cloud = await startLocalCloud({
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(scenario ? { scenario } : {}),
    ...(config ? { config } : {}),
  });
  if (options.startTimeline ?? true) cloud.startTimeline();
  log(
    `local cloud listening on ${cloud.url} (management account ${cloud.scenario.managementAccountId}, ` +
      `home region ${cloud.scenario.homeRegion}, timeScale ${cloud.scenario.timeScale}; access key test/test)`,
  );
  options.onReady?.(cloud);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      options.signal?.removeEventListener('abort', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    if (options.signal?.aborted) stop();
    else options.signal?.addEventListener('abort', stop);
  });
  await cloud.close();
  log('local cloud stopped');
}
