import { readFileSync } from 'node:fs';
import type { BootstrapperConfig } from '#core/config.ts';
import { parseScenario, resolveScenarioConfig, type Scenario } from '#local/cloud/scenario.ts';
import { UserError } from './io.ts';

/** Read a scenario and overlay its partial `config` on the config file's raw content. */
export function loadScenario(
  file: string | undefined,
  configFile: string,
): { scenario: Scenario; config: BootstrapperConfig } {
  let baseConfig: unknown = {};
  try {
    baseConfig = JSON.parse(readFileSync(configFile, 'utf8'));
  } catch {
    throw new UserError(`cannot read config file ${configFile} as JSON`);
  }
  let raw: unknown = { managementAccountId: '111111111111', homeRegion: 'us-east-1' };
  if (file) {
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new UserError(`cannot read scenario ${file}: ${(error as Error).message}`);
    }
  }
  const scenario = parseScenario(raw, file ?? 'the default scenario');
  return { scenario, config: resolveScenarioConfig(scenario, baseConfig) };
}
