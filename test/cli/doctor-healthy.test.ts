import { readFileSync } from 'node:fs';
import {
  DEFAULT_SCENARIO,
  type LocalCloud,
  parseScenario,
  startLocalCloud,
} from '@runas-bootstrapper/local-cloud';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DoctorCheck } from '#cli/doctor-check.ts';
import { resolveScenarioConfig } from '#cli/scenario-file.ts';
import { pipelineDefaultsFor } from '#local/runtime/deployment.ts';
import { LocalRuntime } from '#local/runtime/runtime.ts';
import { cli } from './helpers.ts';

/**
 * What `runas-bootstrapper local-cloud` serves: the default scenario (no LZA pipeline, no
 * subscription to the failure topic) with the bootstrapper deployed from bootstrapper.config.json.
 */
describe('doctor on the default local cloud', () => {
  let cloud: LocalCloud;
  let runtime: LocalRuntime;

  beforeAll(async () => {
    const scenario = parseScenario(DEFAULT_SCENARIO, 'the default scenario');
    const config = resolveScenarioConfig(
      scenario,
      JSON.parse(readFileSync('bootstrapper.config.json', 'utf8')),
    );
    cloud = await startLocalCloud({ port: 0, scenario, pipelineDefaults: pipelineDefaultsFor(config) });
    runtime = await LocalRuntime.start({
      host: cloud,
      config,
      managementAccountId: scenario.managementAccountId,
      homeRegion: scenario.homeRegion,
    });
    cloud.startTimeline();
  });
  afterAll(async () => {
    runtime.stop();
    await runtime.whenIdle();
    await cloud.close();
  });

  const doctor = (...extra: string[]) =>
    cli('--endpoint-url', cloud.url, '--region', 'us-east-1', ...extra, 'doctor');

  it('is healthy: a missing subscription is a warning, and no LZA pipeline means no gap measured', async () => {
    // Act
    const { code, out } = await doctor();
    const json = await doctor('--json');
    // Assess
    expect(code).toBe(0);
    expect(out.split('\n').at(-1)).toBe('Healthy, with 1 warning(s) (--strict fails on them).');
    const report = JSON.parse(json.out) as { healthy: boolean; warnings: number; checks: DoctorCheck[] };
    expect(report).toMatchObject({ ok: true, command: 'doctor', exitCode: 0, healthy: true, warnings: 1 });
    expect(report.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(report.checks.find((c) => c.check === 'failure topic')?.status).toBe('warn');
    const lza = report.checks.find((c) => c.check === 'LZA pipeline');
    expect(lza).toMatchObject({
      status: 'ok',
      detail: expect.stringMatching(/^no LZA pipeline: gap not measured/),
    });
  });

  it('--strict makes the warning fail: exit 1', async () => {
    // Act
    const { code, out } = await cli(
      '--endpoint-url',
      cloud.url,
      '--region',
      'us-east-1',
      'doctor',
      '--strict',
    );
    // Assess
    expect(code).toBe(1);
    expect(out.split('\n').at(-1)).toBe('Not healthy under --strict: 1 warning(s).');
  });
});
