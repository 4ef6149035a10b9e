import { readFileSync } from 'node:fs';
import {
  DEFAULT_SCENARIO,
  loadScenarioFile,
  parseScenario,
  type Scenario,
  ScenarioError,
} from '@runas-bootstrapper/local-cloud';
import { type BootstrapperConfig, overlayConfig, parseConfig } from '#core/config/config.ts';
import { ConfigurationError } from '#core/shared/errors.ts';
import { checkExpectations } from '#local/expectations.ts';
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
  let scenario: Scenario;
  try {
    scenario = file ? await loadScenarioFile(file) : parseScenario(DEFAULT_SCENARIO, 'the default scenario');
  } catch (error) {
    // A bad scenario is bad input, like a bad config: one line naming the fields, exit code 2.
    if (error instanceof ScenarioError) throw new ConfigurationError(error.message, { cause: error });
    throw error;
  }
  checkExpectations(scenario, file ?? 'the default scenario');
  return { scenario, config: resolveScenarioConfig(scenario, baseConfig) };
}

/**
 * The product config a scenario runs with: the base config input overlaid with the scenario's
 * `config` block, then validated. The scenario's management account and home region fill the
 * config's when the merged config leaves them out.
 */
export function resolveScenarioConfig(scenario: Scenario, baseConfigInput: unknown): BootstrapperConfig {
  const merged = overlayConfig(baseConfigInput ?? {}, scenario.config ?? {}) as Record<string, unknown>;
  const withIdentity = {
    ...merged,
    managementAccountId: merged.managementAccountId ?? scenario.managementAccountId,
    homeRegion: merged.homeRegion ?? scenario.homeRegion,
  };
  return parseConfig(withIdentity, 'scenario config (base config overlaid with the scenario "config" block)');
}
