import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseScenario } from '@runas-bootstrapper/local-cloud';
import { describe, expect, it } from 'vitest';
import { loadScenario, resolveScenarioConfig } from '#cli/scenario-file.ts';
import { ConfigurationError } from '#core/shared/errors.ts';

const SCENARIOS = join(import.meta.dirname, '..', '..', 'local', 'scenarios');

describe('shipped scenarios', () => {
  it.each(readdirSync(SCENARIOS).filter((f) => f.endsWith('.json')))(
    'parses the shipped scenario %s',
    (file) => {
      // Prepare
      const raw = JSON.parse(readFileSync(join(SCENARIOS, file), 'utf8')) as unknown;
      // Act
      const scenario = parseScenario(raw, file);
      // Assess
      expect(scenario.accounts.length).toBeGreaterThan(0);
    },
  );

  it.each(readdirSync(SCENARIOS).filter((f) => f.endsWith('.json')))(
    'resolves the product config of the shipped scenario %s',
    async (file) => {
      // Act
      const { config } = await loadScenario(join(SCENARIOS, file), 'bootstrapper.config.json');
      // Assess
      expect(config.governedRegions.length).toBeGreaterThan(0);
    },
  );

  it('reports a bad scenario file as a ConfigurationError naming the field', async () => {
    // Act
    const attempt = loadScenario(join(SCENARIOS, '..', '..', 'package.json'), 'bootstrapper.config.json');
    // Assess
    await expect(attempt).rejects.toThrow(ConfigurationError);
    await expect(attempt).rejects.toThrow(/Invalid scenario in .*package\.json: .*managementAccountId/);
  });
});

describe('scenario expectations', () => {
  it('names a bad expect block by account and field: the local cloud carries it unread, the product checks it', async () => {
    // Prepare
    const file = join(mkdtempSync(join(tmpdir(), 'scenario-')), 'typo.json');
    writeFileSync(
      file,
      JSON.stringify({
        managementAccountId: '111111111111',
        homeRegion: 'us-east-1',
        accounts: [
          { accountId: '222222222222', name: 'fine', expect: { regions: { 'us-east-1': 'refused' } } },
          {
            accountId: '333333333333',
            name: 'typo',
            expect: { regions: { 'us-east-1': 'refuse' }, region: {} },
          },
        ],
      }),
    );
    // Act
    const attempt = loadScenario(file, 'bootstrapper.config.json');
    // Assess
    await expect(attempt).rejects.toThrow(ConfigurationError);
    await expect(attempt).rejects.toThrow(/accounts\.1\.expect: unknown field\(s\) region/);
    await expect(attempt).rejects.toThrow(/accounts\.1\.expect\.regions\.us-east-1: /);
  });
});

describe('resolveScenarioConfig', () => {
  it('overlays the scenario config block on the base config and fills identity from the scenario', () => {
    // Prepare
    const scenario = parseScenario({
      managementAccountId: '111111111111',
      homeRegion: 'eu-west-1',
      config: { governedRegions: ['eu-west-1'], lza: { pipelineName: 'Custom-Pipeline' } },
    });
    const base = { runAsDefaultUser: 'ec2-user', governedRegions: ['us-east-1'], lza: { measureGap: false } };
    // Act
    const config = resolveScenarioConfig(scenario, base);
    // Assess
    expect(config.governedRegions).toEqual(['eu-west-1']);
    expect(config.lza).toMatchObject({ pipelineName: 'Custom-Pipeline', measureGap: false });
    expect(config.managementAccountId).toBe('111111111111');
    expect(config.homeRegion).toBe('eu-west-1');
  });

  it('rejects an invalid merged config with a ConfigurationError', () => {
    // Prepare
    const scenario = parseScenario({
      managementAccountId: '111111111111',
      homeRegion: 'eu-west-1',
      config: { governedRegions: [] },
    });
    // Act / Assess
    expect(() => resolveScenarioConfig(scenario, { runAsDefaultUser: 'ec2-user' })).toThrow(
      ConfigurationError,
    );
  });
});
