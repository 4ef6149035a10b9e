import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { App, DefaultStackSynthesizer, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CfnInclude } from 'aws-cdk-lib/cloudformation-include';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigurationError } from '#core/shared/errors.ts';
import {
  buildApp,
  buildAppFromEnvironment,
  MISSING_REGION_MESSAGE,
  regionFromEnvironment,
} from '#stacks/app.ts';
import { PROJECT_ROOT } from '#stacks/task-function.ts';
import {
  CDK_JSON_CONTEXT,
  MANAGEMENT_ACCOUNT,
  required,
  type SynthesizedApp,
  synthApp,
  templateOf,
  testConfig,
} from './stack-fixture.ts';

const run = promisify(execFile);

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'runas-lza-'));
});
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

/** Every S3 bucket the template reads code or definitions from. */
function assetBuckets(template: Template): string[] {
  const functions = Object.values(template.findResources('AWS::Lambda::Function')).map(
    (fn) => fn.Properties.Code.S3Bucket,
  );
  const machines = Object.values(template.findResources('AWS::StepFunctions::StateMachine')).map(
    (sm) => required(sm.Properties.DefinitionS3Location, 'a state machine definition in S3').Bucket,
  );
  return [...functions, ...machines].map((bucket) => JSON.stringify(bucket));
}

describe('the home region', () => {
  it('is required: without homeRegion or a region from the environment, buildApp refuses', () => {
    // Prepare
    const config = testConfig();
    // Act
    const build = () => buildApp(config, { bundling: false, nag: false, defaultAccount: MANAGEMENT_ACCOUNT });
    // Assess
    expect(config.homeRegion).toBeUndefined();
    expect(build).toThrow(ConfigurationError);
    expect(build).toThrow(MISSING_REGION_MESSAGE);
  });

  it('is required by `cdk synth` (stacks/app.ts): one line that says how to give one', async () => {
    // Prepare: the shipped config names no homeRegion, and the environment no region.
    const env: NodeJS.ProcessEnv = { ...process.env, CDK_CONTEXT_JSON: JSON.stringify(CDK_JSON_CONTEXT) };
    delete env.CDK_DEFAULT_REGION;
    delete env.AWS_REGION;
    delete env.AWS_DEFAULT_REGION;
    env.CDK_OUTDIR = path.join(scratch, 'no-region');
    // Act
    const result = await run('npx', ['tsx', 'stacks/app.ts'], { cwd: PROJECT_ROOT, env }).then(
      () => ({ failed: false, stderr: '' }),
      (error: { stderr: string }) => ({ failed: true, stderr: error.stderr }),
    );
    // Assess
    expect(result.failed).toBe(true);
    expect(result.stderr.trim()).toBe(MISSING_REGION_MESSAGE);
  });

  it('is refused by the real `cdk synth`, whose us-east-1 fallback does not count', async () => {
    // Prepare: no region anywhere, and a home without AWS config files.
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: mkdtempSync(path.join(tmpdir(), 'runas-home-')) };
    for (const key of [
      'AWS_REGION',
      'AWS_DEFAULT_REGION',
      'CDK_DEFAULT_REGION',
      'AWS_CONFIG_FILE',
      'AWS_PROFILE',
    ])
      delete env[key];
    // Act
    const result = await run(
      'npx',
      ['cdk', 'synth', '--no-notices', '-q', '-o', path.join(scratch, 'cli-out')],
      {
        cwd: PROJECT_ROOT,
        env,
      },
    ).then(
      () => ({ failed: false, stderr: '' }),
      (error: { stderr: string }) => ({ failed: true, stderr: error.stderr }),
    );
    // Assess
    expect(result.failed).toBe(true);
    expect(result.stderr).toContain(MISSING_REGION_MESSAGE);
  });

  it.each([
    [{ AWS_REGION: 'eu-west-1', CDK_DEFAULT_REGION: 'eu-west-1' }, undefined, 'eu-west-1'],
    [{ AWS_DEFAULT_REGION: 'ap-south-1' }, undefined, 'ap-south-1'],
    // The CDK CLI passes a profile's region as CDK_DEFAULT_REGION.
    [{ CDK_DEFAULT_REGION: 'eu-central-1' }, undefined, 'eu-central-1'],
    // us-east-1 with no other source is the CLI's silent fallback...
    [{ CDK_DEFAULT_REGION: 'us-east-1' }, undefined, undefined],
    // ...unless the profile really says us-east-1.
    [
      { CDK_DEFAULT_REGION: 'us-east-1', AWS_PROFILE: 'org' },
      '[profile org]\nregion = us-east-1\n',
      'us-east-1',
    ],
    [{ CDK_DEFAULT_REGION: 'us-east-1' }, '[default]\nregion=us-east-1\n', 'us-east-1'],
    [{ CDK_DEFAULT_REGION: 'us-east-1' }, '[profile other]\nregion = us-east-1\n', undefined],
  ])('regionFromEnvironment(%j, config file %j) is %s', (env, configFile, expected) => {
    // Act
    const region = regionFromEnvironment({ HOME: '/home/x', ...env }, (file) =>
      file === '/home/x/.aws/config' ? configFile : undefined,
    );
    // Assess
    expect(region).toBe(expected);
  });

  it('takes AWS_REGION when CDK_DEFAULT_REGION is not set (what `cdk synth` builds)', () => {
    // Prepare: the environment the CDK CLI gives the app when only AWS_REGION names a region.
    const env = { AWS_REGION: 'eu-west-1', HOME: scratch };
    // No bundling: this checks only the region wiring.
    const app = new App({ context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
    // Act
    buildAppFromEnvironment(app, env);
    const stacks = app.synth().stacks;
    // Assess
    expect(Object.fromEntries(stacks.map((stack) => [stack.stackName, stack.environment.name]))).toEqual({
      RunAsBootstrapper: 'aws://unknown-account/eu-west-1',
      RunAsBootstrapperForwarder: 'aws://unknown-account/us-east-1',
    });
  });
});

describe('home eu-west-1', () => {
  let euWest: SynthesizedApp;
  beforeAll(() => {
    euWest = synthApp(testConfig({ homeRegion: 'eu-west-1' }), { defaultAccount: MANAGEMENT_ACCOUNT });
  });

  it('puts the home stack in eu-west-1 and the forwarder in us-east-1', () => {
    // Assess
    expect(euWest.bootstrapper.region).toBe('eu-west-1');
    expect(required(euWest.forwarder, 'a forwarder stack').region).toBe('us-east-1');
  });

  it("reads every function's code and every state machine's definition from the eu-west-1 assets bucket", () => {
    // Act
    const buckets = assetBuckets(euWest.templates.bootstrapper);
    // Assess
    // Nine functions and three state machine definitions.
    expect(buckets).toHaveLength(12);
    for (const bucket of buckets)
      expect(bucket).toBe(`"cdk-hnb659fds-assets-${MANAGEMENT_ACCOUNT}-eu-west-1"`);
  });

  it('logs each state machine under /aws/vendedlogs/states/, named uniquely per stack instance', () => {
    // Act
    const machines = Object.values(
      euWest.templates.bootstrapper.findResources('AWS::StepFunctions::StateMachine'),
    );
    const groups = euWest.templates.bootstrapper.findResources('AWS::Logs::LogGroup');
    const names = machines.map((machine) => {
      const arn = machine.Properties.LoggingConfiguration.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn;
      const logicalId = arn['Fn::GetAtt'][0] as string;
      return JSON.stringify(required(groups[logicalId], `log group ${logicalId}`).Properties.LogGroupName);
    });
    // Assess
    expect(names).toHaveLength(3);
    for (const name of names) {
      expect(name).toContain('"/aws/vendedlogs/states/RunAsBootstrapper-');
      expect(name).toContain('{"Ref":"AWS::StackId"}');
    }
  });

  it('runs every function on nodejs24.x', () => {
    // Act
    const runtimes = Object.values(euWest.templates.bootstrapper.findResources('AWS::Lambda::Function')).map(
      (fn) => fn.Properties.Runtime,
    );
    // Assess
    expect(new Set(runtimes)).toEqual(new Set(['nodejs24.x']));
  });
});

describe('the LZA route: customizations-config cloudFormationStacks', () => {
  /**
   * LZA's CustomStack wraps each cloudFormationStacks template in a CDK stack of its own with
   * `CfnInclude` (landing-zone-accelerator-on-aws, accelerator/lib/stacks/custom-stack.ts), and LZA
   * bootstraps with the `accel` qualifier. Our template must survive that: no BootstrapVersion
   * parameter, bootstrap rule or CDKMetadata of its own to collide with LZA's.
   */
  function includeLikeLza(template: Template, name: string, region: string): Template {
    const file = path.join(scratch, `${name}-${region}.template.json`);
    writeFileSync(file, JSON.stringify(template.toJSON()));
    const app = new App({ context: { 'aws:cdk:version-reporting': true } });
    const stack = new Stack(app, `AWSAccelerator-CustomStack-${name}`, {
      env: { account: MANAGEMENT_ACCOUNT, region },
      synthesizer: new DefaultStackSynthesizer({ qualifier: 'accel' }),
      analyticsReporting: true,
    });
    new CfnInclude(stack, name, { templateFile: file });
    return Template.fromStack(stack);
  }

  it('synthesizes the home template (eu-west-1) inside an LZA-style stack with every resource intact', () => {
    // Prepare
    const built = synthApp(testConfig({ homeRegion: 'eu-west-1' }), { defaultAccount: MANAGEMENT_ACCOUNT });
    const ours = built.templates.bootstrapper.toJSON();
    // Act
    const included = includeLikeLza(built.templates.bootstrapper, 'RunAsBootstrapper', 'eu-west-1');
    // Assess
    const resources = included.toJSON().Resources as Record<string, { Type: string }>;
    for (const [logicalId, resource] of Object.entries(ours.Resources as Record<string, { Type: string }>)) {
      expect(required(resources[logicalId], logicalId).Type, logicalId).toBe(resource.Type);
    }
    included.resourceCountIs('AWS::Lambda::Function', 9);
    included.resourceCountIs('AWS::StepFunctions::StateMachine', 3);
    expect(Object.keys(ours.Parameters ?? {})).toEqual([]);
    expect(ours.Rules).toBeUndefined();
    for (const bucket of assetBuckets(included))
      expect(bucket).toBe(`"cdk-hnb659fds-assets-${MANAGEMENT_ACCOUNT}-eu-west-1"`);
  });

  it('synthesizes the forwarder template (us-east-1) the same way', () => {
    // Prepare
    const built = synthApp(testConfig({ homeRegion: 'eu-west-1' }), { defaultAccount: MANAGEMENT_ACCOUNT });
    // Act
    const included = includeLikeLza(
      templateOf(built, 'forwarder'),
      'RunAsBootstrapperForwarder',
      'us-east-1',
    );
    // Assess
    const rules = Object.keys(templateOf(built, 'forwarder').findResources('AWS::Events::Rule'));
    expect(rules.length).toBeGreaterThan(0);
    included.resourceCountIs('AWS::Events::Rule', rules.length);
  });

  it('synthesizes the guardrail template too', () => {
    // Prepare
    const built = synthApp(
      testConfig({ homeRegion: 'eu-west-1', guardrail: { scp: { enabled: true, targetIds: ['r-ab12'] } } }),
      { defaultAccount: MANAGEMENT_ACCOUNT },
    );
    // Act
    const included = includeLikeLza(
      templateOf(built, 'guardrail'),
      'RunAsBootstrapperGuardrail',
      'eu-west-1',
    );
    // Assess
    included.resourceCountIs('AWS::Organizations::Policy', 1);
  });
});
