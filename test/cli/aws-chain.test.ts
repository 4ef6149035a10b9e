import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chooseRegion } from '#cli/aws-target.ts';
import { DEFAULT_STACK_NAME, PRODUCT_VERSION } from '#core/deploy/deployment.ts';
import { cli } from './helpers.ts';
import { type OperatorCloud, startOperatorCloud } from './operator-cloud.ts';

const VARIABLES = [
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_PROFILE',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
];

describe('chooseRegion', () => {
  const base = { configFile: 'c.json', profileRegion: async () => 'ap-south-1' };

  it('takes --region, then homeRegion, then AWS_REGION, then AWS_DEFAULT_REGION, then the profile', async () => {
    // Prepare
    const env = { AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'eu-central-1', AWS_PROFILE: 'ops' };
    // Act
    const chain = [
      await chooseRegion({ ...base, env, flag: 'us-west-2', homeRegion: 'eu-north-1' }),
      await chooseRegion({ ...base, env, homeRegion: 'eu-north-1' }),
      await chooseRegion({ ...base, env }),
      await chooseRegion({ ...base, env: { AWS_DEFAULT_REGION: 'eu-central-1' } }),
      await chooseRegion({ ...base, env: { AWS_PROFILE: 'ops' } }),
    ];
    // Assess
    expect(chain).toEqual([
      { region: 'us-west-2', source: '--region' },
      { region: 'eu-north-1', source: 'homeRegion in c.json' },
      { region: 'eu-west-1', source: 'AWS_REGION' },
      { region: 'eu-central-1', source: 'AWS_DEFAULT_REGION' },
      { region: 'ap-south-1', source: 'profile ops' },
    ]);
  });

  it('never falls back to us-east-1: with no source it says how to give one', async () => {
    // Act + Assess
    await expect(chooseRegion({ ...base, env: {}, profileRegion: async () => undefined })).rejects.toThrow(
      'no AWS region: pass --region, set homeRegion in c.json, AWS_REGION or AWS_DEFAULT_REGION, or region in profile default',
    );
  });
});

describe('the AWS chain against a stack deployed in eu-west-1', () => {
  let env: OperatorCloud;
  let saved: Record<string, string | undefined>;
  let awsDir: string;

  beforeAll(async () => {
    env = await startOperatorCloud([], {}, { homeRegion: 'eu-west-1' });
  });
  afterAll(async () => {
    await env.close();
  });
  beforeEach(() => {
    saved = Object.fromEntries(VARIABLES.map((v) => [v, process.env[v]]));
    for (const v of VARIABLES) delete process.env[v];
    awsDir = mkdtempSync(join(tmpdir(), 'aws-config-'));
    writeFileSync(
      join(awsDir, 'config'),
      '[profile eu]\nregion = eu-west-1\naws_access_key_id = test\naws_secret_access_key = test\n',
    );
    writeFileSync(join(awsDir, 'credentials'), '');
    process.env.AWS_CONFIG_FILE = join(awsDir, 'config');
    process.env.AWS_SHARED_CREDENTIALS_FILE = join(awsDir, 'credentials');
  });
  afterEach(() => {
    for (const v of VARIABLES) {
      if (saved[v] === undefined) delete process.env[v];
      else process.env[v] = saved[v];
    }
  });

  it('finds the stack with AWS_DEFAULT_REGION=eu-west-1 and no --region, and says so with --verbose', async () => {
    // Prepare
    process.env.AWS_DEFAULT_REGION = 'eu-west-1';
    // Act
    const { code, out, err } = await cli(...env.args('--verbose', 'status', '--since', '24h'));
    // Assess
    expect(code).toBe(0);
    expect(out).toBe('no vends recorded for that selection');
    expect(err).toContain('region eu-west-1 (region from AWS_DEFAULT_REGION)');
  });

  it('finds the stack with a profile whose region is eu-west-1, and no --region', async () => {
    // Act
    const { code, out } = await cli(...env.args('--profile', 'eu', '--json', 'status', '--since', '24h'));
    // Assess
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({
      ok: true,
      command: 'status',
      exitCode: 0,
      region: 'eu-west-1',
      vends: [],
      unverified: 0,
    });
  });

  it('names the region and its source when the stack is not found', async () => {
    // Prepare
    process.env.AWS_REGION = 'us-west-2';
    // Act
    const { code, err } = await cli(...env.args('status', '--since', '24h'));
    // Assess
    expect(code).toBe(2);
    expect(err).toMatch(/^error: stack RunAsBootstrapper not found in us-west-2 \(region from AWS_REGION\)/);
  });

  it('with no region anywhere: one line, exit 2, and under --json the error as JSON on stdout', async () => {
    // Act
    const { code, out, err } = await cli(...env.args('--json', 'status', '--since', '24h'));
    // Assess
    expect(code).toBe(2);
    expect(err.split('\n')).toHaveLength(1);
    expect(JSON.parse(out)).toEqual({
      ok: false,
      command: 'status',
      exitCode: 2,
      error: { kind: 'usage', message: expect.stringMatching(/^no AWS region: pass --region/) },
    });
  });

  it('a profile that does not exist is one line and exit 4', async () => {
    // Act
    const { code, out, err } = await cli(
      ...env.args('--profile', 'nope', '--region', 'eu-west-1', 'check', '--account-id', '111111111111'),
    );
    // Assess
    expect(code).toBe(4);
    expect(out).toBe('');
    expect(err.split('\n')).toHaveLength(1);
    expect(err).toMatch(/^error: no AWS credentials for profile nope: .*aws sso login --profile nope$/);
  });

  it('an endpoint nobody answers is one line with a hint, exit 3', async () => {
    // Act
    const { code, err } = await cli(
      '--config',
      env.configFile,
      '--endpoint-url',
      'http://127.0.0.1:1',
      '--region',
      'eu-west-1',
      'status',
      '--since',
      '1h',
    );
    // Assess
    expect(code).toBe(3);
    expect(err).toBe(
      'error: cannot reach http://127.0.0.1:1 (ECONNREFUSED): is http://127.0.0.1:1 serving (runas-bootstrapper local-cloud)? check --endpoint-url, the region eu-west-1 (region from --region)',
    );
  });

  it('--version prints the CLI version and the deployed stack version', async () => {
    // Prepare
    process.env.AWS_DEFAULT_REGION = 'eu-west-1';
    // Act
    const { code, out } = await cli(...env.args('--version'));
    // Assess
    expect(code).toBe(0);
    expect(out.split('\n')).toEqual([
      `runas-bootstrapper ${PRODUCT_VERSION} (node ${process.version})`,
      `stack ${DEFAULT_STACK_NAME} ${PRODUCT_VERSION} in eu-west-1 (region from AWS_DEFAULT_REGION)`,
    ]);
  });
});

// On real time: under the operator cloud's virtual clock, --version's 5-second limit could pass
// in one jump before the refused connection is reported.
describe('--version with no stack reachable', () => {
  it('--version with no stack reachable still prints the CLI version and exits 0', async () => {
    // Act
    const { code, out } = await cli(
      '--region',
      'eu-west-1',
      '--endpoint-url',
      'http://127.0.0.1:1',
      '--version',
    );
    // Assess
    expect(code).toBe(0);
    expect(out).toMatch(new RegExp(`^runas-bootstrapper ${PRODUCT_VERSION.replaceAll('.', '\\.')} \\(node`));
    expect(out).toContain(`stack ${DEFAULT_STACK_NAME}: not reachable: connect ECONNREFUSED`);
  });
});
