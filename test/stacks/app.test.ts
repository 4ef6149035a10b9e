import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { App } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_ENV_VAR } from '#core/config/config.ts';
import { ConfigurationError } from '#core/shared/errors.ts';
import { CONFIG_FILE_ENV_VAR, configFilePath, loadConfigFile } from '#stacks/app.ts';
import { PROJECT_ROOT, type TaskFunction } from '#stacks/task-function.ts';
import { HANDLERS } from '#stacks/tasks.ts';
import {
  CDK_JSON_CONTEXT,
  MANAGEMENT_ACCOUNT,
  required,
  resourceById,
  synthApp,
  testConfig,
} from './stack-fixture.ts';

const run = promisify(execFile);

let scratch: string;

beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'runas-stacks-'));
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

function writeConfig(name: string, content: unknown): string {
  const file = path.join(scratch, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

describe('configFilePath', () => {
  it('prefers --context config over the environment variable', () => {
    // Prepare
    const app = new App({ context: { config: 'from-context.json' } });
    // Act
    const file = configFilePath(app, { [CONFIG_FILE_ENV_VAR]: 'from-env.json' });
    // Assess
    expect(file).toBe('from-context.json');
  });

  it('falls back to $BOOTSTRAPPER_CONFIG_FILE, then to bootstrapper.config.json', () => {
    // Prepare
    const app = new App();
    // Act
    const fromEnv = configFilePath(app, { [CONFIG_FILE_ENV_VAR]: 'from-env.json' });
    const fallback = configFilePath(app, {});
    // Assess
    expect(fromEnv).toBe('from-env.json');
    expect(fallback).toBe('bootstrapper.config.json');
  });
});

describe('loadConfigFile', () => {
  it('names the offending field when a value is invalid', () => {
    // Prepare
    const file = writeConfig('bad-region.json', {
      runAsDefaultUser: 'ec2-user',
      governedRegions: ['mars-1'],
    });
    // Act
    const load = () => loadConfigFile(file);
    // Assess
    expect(load).toThrow(ConfigurationError);
    expect(load).toThrow(/governedRegions\.0: "mars-1" is not an AWS region name/);
  });

  it('names the file when it cannot be read', () => {
    // Act
    const load = () => loadConfigFile(path.join(scratch, 'missing.json'));
    // Assess
    expect(load).toThrow(/Cannot read configuration file .*missing\.json/);
  });
});

describe('stacks/app.ts entry', () => {
  it('fails synth with the field name for a bad config given by --context', async () => {
    // Prepare
    const file = writeConfig('bad-user.json', { runAsDefaultUser: '-root', governedRegions: ['us-east-1'] });
    const context = JSON.stringify({ ...CDK_JSON_CONTEXT, config: file });
    // Act
    const result = await run('npx', ['tsx', 'stacks/app.ts'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, CDK_CONTEXT_JSON: context, CDK_OUTDIR: path.join(scratch, 'out-bad') },
    }).then(
      () => ({ failed: false, stderr: '' }),
      (error: { stderr: string }) => ({ failed: true, stderr: error.stderr }),
    );
    // Assess
    expect(result.failed).toBe(true);
    expect(result.stderr).toContain(`Invalid configuration in ${file}`);
    expect(result.stderr).toMatch(/runAsDefaultUser: "-root" is not a portable user name/);
  });
});

describe('Lambda bundles', () => {
  let assetDir: string;
  /** Each handler's index.mjs, as synthesized. */
  const bundles = new Map<string, string>();

  beforeAll(() => {
    // Prepare: a real esbuild bundle, as `cdk synth` makes it.
    const built = synthApp(testConfig(), {
      bundling: true,
      defaultAccount: MANAGEMENT_ACCOUNT,
      defaultRegion: 'us-east-1',
      appProps: {
        context: { ...CDK_JSON_CONTEXT, [cxapi.ASSET_RESOURCE_METADATA_ENABLED_CONTEXT]: true },
        outdir: path.join(scratch, 'cdk.out'),
      },
    });
    const assetPathOf = (fn: TaskFunction): string =>
      required(
        resourceById(
          built.templates.bootstrapper,
          'AWS::Lambda::Function',
          built.bootstrapper.getLogicalId(fn.node.defaultChild as never),
        ).Metadata?.['aws:asset:path'],
        'the asset path of a bundled function',
      );
    for (const [name, fn] of Object.entries(built.bootstrapper.functions)) {
      bundles.set(name, readFileSync(path.join(scratch, 'cdk.out', assetPathOf(fn), 'index.mjs'), 'utf8'));
    }
    // Copied away from the project, so node cannot resolve anything from its node_modules.
    assetDir = path.join(scratch, 'resolve-request');
    cpSync(
      path.join(scratch, 'cdk.out', assetPathOf(built.bootstrapper.functions['resolve-request'])),
      assetDir,
      {
        recursive: true,
      },
    );
  });

  it('is one ESM file with a source map and no unresolved #core/ or package imports', () => {
    // Act
    const code = readFileSync(path.join(assetDir, 'index.mjs'), 'utf8');
    // Assess
    expect(readFileSync(path.join(assetDir, 'index.mjs.map'), 'utf8')).toContain('"mappings"');
    expect(code).not.toMatch(/["']#(core|adapters|handlers)\//);
    expect(code).not.toMatch(/from\s*["'](@aws-sdk|@aws-lambda-powertools|@middy|zod)/);
    expect(code.startsWith("import { createRequire as __runasCreateRequire } from 'node:module';")).toBe(
      true,
    );
  });

  it('carries in each bundle only the SDK clients its handler calls', () => {
    // Prepare: each client's wire-protocol target prefix appears only in its own client's code.
    const markers = {
      ssm: 'AmazonSSM',
      sts: 'AWSSecurityTokenServiceV20110615',
      organizations: 'AWSOrganizationsV20161128',
      codepipeline: 'CodePipeline_20150709',
      dynamodb: 'DynamoDB_20120810',
    };
    const expected: Record<string, string[]> = {
      // STS for a hub account's hop role (hub role -> hop role -> organization).
      'resolve-request': ['dynamodb', 'organizations', 'sts'],
      'list-accounts': ['organizations', 'sts'],
      // Organizations: a denied wait asks now and then whether the account is suspended or closed.
      'await-role': ['organizations', 'sts'],
      'apply-preferences': ['ssm', 'sts'],
      'verify-preferences': ['ssm', 'sts'],
      // STS assumes the reader role of LZA's external pipeline account, when there is one.
      'plan-follow-up': ['codepipeline', 'dynamodb', 'sts'],
      // CodePipeline: under measureGap auto, whether the LZA pipeline exists once a vend is measured;
      // STS: a hub reads it through the hop role, an external pipeline account through its reader role.
      'record-enforcement': ['codepipeline', 'dynamodb', 'sts'],
      'record-follow-up': ['dynamodb'],
      'record-sweep': [],
    };
    // Act
    const actual = Object.fromEntries(
      [...bundles].map(([name, code]) => [
        name,
        Object.entries(markers)
          .filter(([, marker]) => code.includes(marker))
          .map(([client]) => client)
          .sort(),
      ]),
    );
    // Assess
    expect(actual).toEqual(expected);
  });

  it('keeps every bundle within 500 KB with its SDK clients bundled', () => {
    // Act
    const sizes = Object.fromEntries(
      [...bundles].map(([name, code]) => [name, Buffer.byteLength(code) / 1024]),
    );
    // Assess: issue 14's budget, for every handler.
    expect(Object.keys(sizes).sort()).toEqual(HANDLERS.map((spec) => spec.name).sort());
    for (const [name, kb] of Object.entries(sizes)) expect(kb, name).toBeLessThanOrEqual(500);
  });

  it('loads every bundle on its own: nothing left out is needed at cold start', async () => {
    // Prepare: each bundle alone in a directory with no node_modules above it.
    const isolated = path.join(scratch, 'isolated');
    const loaded: string[] = [];
    // Act
    for (const [name, code] of bundles) {
      const file = path.join(isolated, name, 'index.mjs');
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, code);
      const { stdout } = await run(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const m = await import(${JSON.stringify(file)}); process.stdout.write(typeof m.handler);`,
        ],
        {
          cwd: isolated,
          env: {
            PATH: process.env.PATH,
            AWS_REGION: 'us-east-1',
            POWERTOOLS_TRACE_ENABLED: 'false',
            POWERTOOLS_LOG_LEVEL: 'SILENT',
            [CONFIG_ENV_VAR]: JSON.stringify({ ...testConfig(), managementAccountId: MANAGEMENT_ACCOUNT }),
          },
        },
      );
      if (stdout === 'function') loaded.push(name);
    }
    // Assess
    expect(loaded.sort()).toEqual([...bundles.keys()].sort());
  });

  it('refuses bad task input with zod messages in English words, where the bundle carries zod/mini alone', async () => {
    // Prepare: await-role's bundle alone; a malformed account id and deadline.
    const file = path.join(scratch, 'validation', 'await-role', 'index.mjs');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, bundles.get('await-role') as string);
    const script = `
      const { handler } = await import(${JSON.stringify(file)});
      try {
        await handler({ accountId: '12345', deadline: 'soon' },
          { functionName: 'f', awsRequestId: 'r', getRemainingTimeInMillis: () => 1000 });
      } catch (error) {
        process.stdout.write(JSON.stringify(error.cause.map((issue) => [issue.path.join('.'), issue.message])));
      }`;
    // Act
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: path.dirname(file),
      env: {
        PATH: process.env.PATH,
        AWS_REGION: 'us-east-1',
        POWERTOOLS_LOG_LEVEL: 'SILENT',
        [CONFIG_ENV_VAR]: JSON.stringify({ ...testConfig(), managementAccountId: MANAGEMENT_ACCOUNT }),
      },
    });
    // Assess
    expect(JSON.parse(stdout)).toEqual([
      ['accountId', 'Invalid string: must match pattern /^\\d{12}$/'],
      ['deadline', 'Invalid ISO datetime'],
    ]);
  });

  it('loads and runs the resolve-request handler on its own', async () => {
    // Prepare
    const script = `
      const { handler } = await import(${JSON.stringify(path.join(assetDir, 'index.mjs'))});
      const out = await handler({ event: { source: 'aws.ec2', 'detail-type': 'x', detail: {} }, execution: 'e' },
        { functionName: 'f', awsRequestId: 'r', getRemainingTimeInMillis: () => 1000 });
      process.stdout.write(JSON.stringify(out));`;
    // Act
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: scratch,
      env: {
        PATH: process.env.PATH,
        AWS_REGION: 'us-east-1',
        VEND_LEDGER_TABLE: 'ledger',
        POWERTOOLS_TRACE_ENABLED: 'false',
        POWERTOOLS_LOG_LEVEL: 'SILENT',
        [CONFIG_ENV_VAR]: JSON.stringify({ ...testConfig(), managementAccountId: MANAGEMENT_ACCOUNT }),
      },
    });
    // Assess
    expect(JSON.parse(stdout)).toMatchObject({ action: 'ignore', code: 'unknown-shape' });
  });
});
