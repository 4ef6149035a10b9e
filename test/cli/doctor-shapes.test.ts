import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type LocalCloud,
  type ScenarioInput,
  startLocalCloud,
  VirtualTime,
} from '@runas-bootstrapper/local-cloud';
import { afterEach, describe, expect, it } from 'vitest';
import type { DoctorCheck } from '#cli/doctor-check.ts';
import { parseConfig } from '#core/config/config.ts';
import { pipelineDefaultsFor } from '#local/runtime/deployment.ts';
import { LocalRuntime } from '#local/runtime/runtime.ts';
import { cli } from './helpers.ts';

/**
 * doctor in each organization shape (docs/organization-shapes.md), on virtual time: the local
 * cloud plays the organization, the local runtime deploys the product, and doctor reads both
 * through the real SDK clients.
 */
const MANAGEMENT = '999999999999';
const MEMBER = '111111111111';
let cloud: LocalCloud | undefined;
let runtime: LocalRuntime | undefined;
let time: VirtualTime | undefined;

afterEach(async () => {
  runtime?.stop();
  await runtime?.whenIdle();
  await cloud?.close();
  await time?.uninstall();
  cloud = undefined;
  runtime = undefined;
  time = undefined;
});

/** The product deployed (config `deployed`) in an organization shaped by `scenario`. */
async function organization(
  deployedConfig: object,
  scenario: Partial<ScenarioInput>,
  runtimeOptions: {
    deployAccountId?: string;
    credentials?: { accessKeyId: string; secretAccessKey: string };
  } = {},
) {
  time = VirtualTime.install({ seed: 1 });
  const input = {
    runAsDefaultUser: 'ec2-user',
    governedRegions: ['us-east-1', 'eu-west-1'],
    notifications: { email: 'oncall@example.com' },
    homeRegion: 'us-east-1',
    ...deployedConfig,
  };
  const dir = mkdtempSync(join(tmpdir(), 'runas-shapes-'));
  const configFile = join(dir, 'bootstrapper.config.json');
  writeFileSync(configFile, JSON.stringify(input));
  const config = parseConfig({ ...input, managementAccountId: MANAGEMENT });
  cloud = await startLocalCloud({
    port: 0,
    pipelineDefaults: pipelineDefaultsFor(config),
    scenario: {
      managementAccountId: MANAGEMENT,
      homeRegion: 'us-east-1',
      timeScale: 1,
      accounts: [{ accountId: MEMBER, name: 'member', vend: { atSeconds: 0, via: 'none' } }],
      ...scenario,
    },
  });
  runtime = await LocalRuntime.start({
    host: cloud,
    config,
    managementAccountId: MANAGEMENT,
    homeRegion: 'us-east-1',
    ...runtimeOptions,
  });
  cloud.startTimeline();
  const args = (...command: string[]) => ['--config', configFile, '--endpoint-url', cloud!.url, ...command];
  return { dir, args };
}

async function doctor(args: string[]) {
  const result = await cli(...args, '--json');
  return { ...result, report: JSON.parse(result.out) as { healthy: boolean; checks: DoctorCheck[] } };
}

const line = (checks: DoctorCheck[], name: string) => checks.find((c) => c.check === name);
const HUB = '444444444444';

/** Run `work` with another access key in the environment (the CLI's credential chain reads it). */
async function withKey<T>(
  key: { accessKeyId: string; secretAccessKey: string },
  work: () => Promise<T>,
): Promise<T> {
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
  process.env.AWS_ACCESS_KEY_ID = key.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = key.secretAccessKey;
  try {
    return await work();
  } finally {
    if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
    else process.env.AWS_ACCESS_KEY_ID = saved.id;
    if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
    else process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
  }
}

describe('doctor sees the organization shape', () => {
  it('Control Tower without LZA, measureGap auto: no LZA pipeline is healthy, gap not measured', async () => {
    // Prepare: no LZA pipeline at all, one unrelated pipeline in the home region.
    const { args } = await organization(
      {},
      { pipeline: { exists: false, otherPipelines: ['app-pipeline'] } },
    );
    // Act
    const { code, report } = await doctor(args('doctor'));
    // Assess
    expect(line(report.checks, 'organization')).toMatchObject({
      status: 'ok',
      detail: `caller ${MANAGEMENT} is the management account; Control Tower in us-east-1; no LZA pipeline`,
    });
    expect(line(report.checks, 'LZA pipeline')).toMatchObject({
      status: 'ok',
      detail: expect.stringContaining('no LZA pipeline: gap not measured'),
    });
    expect(line(report.checks, 'Control Tower')).toMatchObject({
      status: 'ok',
      detail: 'home region us-east-1 (landing zone 3.3)',
    });
    expect(report.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(report.healthy).toBe(true);
    expect(code).toBe(0);
  });

  it("Control Tower's home region is not homeRegion: fails, naming the region to deploy in", async () => {
    // Prepare: the landing zone lives in eu-west-1, the product in us-east-1.
    const { args } = await organization(
      {},
      { pipeline: { exists: false }, controlTower: { homeRegion: 'eu-west-1' } },
    );
    // Act
    const { code, report } = await doctor(args('doctor'));
    // Assess
    expect(line(report.checks, 'Control Tower')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining(
        "Control Tower's home region is eu-west-1 (landing zone 3.3), homeRegion is us-east-1",
      ),
      fix: 'set homeRegion to "eu-west-1" and redeploy the product there (npx cdk deploy --all)',
    });
    expect(code).toBe(1);
  });

  it('an organization without a landing zone: the Control Tower line is skipped, not failed', async () => {
    // Prepare
    const { args } = await organization(
      {},
      { pipeline: { exists: true }, controlTower: { landingZone: false } },
    );
    // Act
    const { report } = await doctor(args('doctor'));
    // Assess
    expect(line(report.checks, 'Control Tower')).toMatchObject({ status: 'skip' });
    expect(report.healthy).toBe(true);
  });

  it('Control Tower without LZA, measureGap true: fails, and says to use auto', async () => {
    // Prepare
    const { args } = await organization({ lza: { measureGap: true } }, { pipeline: { exists: false } });
    // Act
    const { code, report } = await doctor(args('doctor'));
    // Assess
    expect(line(report.checks, 'LZA pipeline')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('no pipeline there has LZA'),
      fix: expect.stringContaining('lza.measureGap to "auto"'),
    });
    expect(code).toBe(1);
  });

  it('LZA installed with a qualifier: names acme-pipeline among the pipelines, not app-pipeline', async () => {
    // Prepare: LZA runs as acme-pipeline; the config keeps the default name.
    const { args } = await organization(
      {},
      { pipeline: { exists: true, name: 'acme-pipeline', otherPipelines: ['app-pipeline', 'web-pipeline'] } },
    );
    // Act
    const { code, report } = await doctor(args('doctor'));
    // Assess
    expect(line(report.checks, 'LZA pipeline')).toMatchObject({
      status: 'fail',
      detail:
        'AWSAccelerator-Pipeline not found in us-east-1; LZA runs here as acme-pipeline; other pipelines: app-pipeline, web-pipeline',
      fix: expect.stringContaining('set lza.pipelineName to "acme-pipeline"'),
    });
    expect(line(report.checks, 'organization')?.detail).toContain('LZA pipeline acme-pipeline');
    expect(code).toBe(1);
  });

  it('LZA installed with a qualifier and lza.pipelineName set: healthy', async () => {
    // Prepare
    const { args } = await organization(
      { lza: { pipelineName: 'acme-pipeline' } },
      { pipeline: { exists: true, name: 'acme-pipeline', otherPipelines: ['app-pipeline'] } },
    );
    // Act
    const { code, report } = await doctor(args('doctor'));
    // Assess
    expect(line(report.checks, 'LZA pipeline')).toMatchObject({
      status: 'ok',
      detail: 'acme-pipeline found in us-east-1',
    });
    expect(report.healthy).toBe(true);
    expect(code).toBe(0);
  });

  it('from a hub account: names the hub, and checks the chain hub -> hop role -> member role', async () => {
    // Prepare: the product in the hub 444444444444, doctor run with the hub's key.
    const hubKey = { accessKeyId: 'HUBADMIN', secretAccessKey: 'hub-secret' };
    const { args } = await organization(
      { hubAccountId: HUB, managementAccountId: MANAGEMENT },
      {
        pipeline: { exists: true },
        accessKeys: [{ ...hubKey, accountId: HUB }],
        accounts: [
          { accountId: HUB, name: 'hub', vend: { atSeconds: 0, via: 'none' } },
          { accountId: MEMBER, name: 'member', vend: { atSeconds: 0, via: 'none' } },
        ],
      },
      { deployAccountId: HUB, credentials: hubKey },
    );
    // Act
    const { code, report } = await withKey(hubKey, () => doctor(args('doctor')));
    // Assess
    expect(report.checks[0]).toMatchObject({
      check: 'organization',
      status: 'ok',
      detail: expect.stringContaining(
        `caller ${HUB} is the hub (hubAccountId) of management account ${MANAGEMENT}`,
      ),
    });
    expect(line(report.checks, 'hop role')).toMatchObject({ status: 'ok' });
    expect(line(report.checks, 'LZA pipeline')).toMatchObject({ status: 'ok' });
    expect(line(report.checks, 'member role')).toMatchObject({ status: 'ok' });
    expect(report.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(code).toBe(0);
  });

  it('from a hub account whose management stack is missing: the hop role line fails with the fix', async () => {
    // Prepare: deployed as if in the management account (no hop role), doctor told of a hub.
    const hubKey = { accessKeyId: 'HUBADMIN', secretAccessKey: 'hub-secret' };
    const { args, dir } = await organization(
      {},
      {
        pipeline: { exists: true },
        accessKeys: [{ ...hubKey, accountId: HUB }],
        accounts: [
          { accountId: HUB, name: 'hub', vend: { atSeconds: 0, via: 'none' } },
          { accountId: MEMBER, name: 'member', vend: { atSeconds: 0, via: 'none' } },
        ],
      },
    );
    const hubConfig = join(dir, 'hub.json');
    writeFileSync(
      hubConfig,
      JSON.stringify({
        runAsDefaultUser: 'ec2-user',
        governedRegions: ['us-east-1', 'eu-west-1'],
        homeRegion: 'us-east-1',
        hubAccountId: HUB,
        managementAccountId: MANAGEMENT,
      }),
    );
    // Act
    const { report } = await withKey(hubKey, () => doctor([...args('doctor'), '--config', hubConfig]));
    // Assess
    expect(line(report.checks, 'hop role')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('AccessDenied'),
      fix: expect.stringContaining('RunAsBootstrapperManagement'),
    });
  });

  it('run from a member account: says so first, naming the management account', async () => {
    // Prepare: credentials of a member account's administrator.
    const { args } = await organization(
      {},
      {
        pipeline: { exists: true },
        accessKeys: [{ accessKeyId: 'MEMBERADMIN', secretAccessKey: 'member-secret', accountId: MEMBER }],
      },
    );
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = 'MEMBERADMIN';
    process.env.AWS_SECRET_ACCESS_KEY = 'member-secret';
    // Act
    let result: Awaited<ReturnType<typeof doctor>>;
    try {
      result = await doctor(args('doctor'));
    } finally {
      if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
      else process.env.AWS_ACCESS_KEY_ID = saved.id;
      if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
      else process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
    }
    // Assess: the first line, not a later one, says where the problem is.
    expect(result.report.checks[0]).toMatchObject({
      check: 'organization',
      status: 'fail',
      detail: expect.stringContaining(`caller ${MEMBER} is not the management account ${MANAGEMENT}`),
      fix: `run doctor with credentials of the management account ${MANAGEMENT}`,
    });
    expect(result.code).toBe(1);
  });
});
