import { readFileSync } from 'node:fs';
import type { BootstrapperConfig } from '#core/config.ts';
import {
  DEFAULT_SCENARIO,
  loadScenarioFile,
  parseScenario,
  resolveScenarioConfig,
  type Scenario,
} from '#local/cloud/scenario.ts';
import { UserError } from './io.ts';

/** Read a scenario (or take the default one) and overlay its partial `config` on the config file. */
export async function loadScenario(
  file: string | undefined,
  configFile: string,
): Promise<{ scenario: Scenario; config: BootstrapperConfig }> {
  let baseConfig: unknown;
  try {
    baseConfig = JSON.parse(readFileSync(configFile, 'utf8'));
  } catch {
    throw new UserError(`cannot read config file ${configFile} as JSON`);
  }
  const scenario = file
    ? await loadScenarioFile(file)
    : parseScenario(DEFAULT_SCENARIO, 'the default scenario');
  return { scenario, config: resolveScenarioConfig(scenario, baseConfig) };
}
