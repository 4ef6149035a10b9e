import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { type BootstrapperConfig, overlayConfig, parseConfig } from '#core/config/config.ts';
import { required } from '#core/shared/required.ts';
import { type BootstrapperApp, type BuildAppOptions, buildApp } from '#stacks/app.ts';
import { PROJECT_ROOT } from '#stacks/task-function.ts';

export const MANAGEMENT_ACCOUNT = '111111111111';

/** The feature flags the CLI passes from cdk.json, so in-process apps synthesize the same way. */
export const CDK_JSON_CONTEXT: Record<string, unknown> = JSON.parse(
  readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8'),
).context;

/** The shipped bootstrapper.config.json with `override` deep-merged over it. */
export function testConfig(override: unknown = {}): BootstrapperConfig {
  const base: unknown = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'bootstrapper.config.json'), 'utf8'));
  return parseConfig(overlayConfig(base, override), 'test config');
}

export interface SynthesizedApp extends BootstrapperApp {
  templates: {
    bootstrapper: Template;
    forwarder?: Template;
    guardrail?: Template;
    pipelineAccount?: Template;
    management?: Template;
  };
}

/** Build the app in-process (templates only; no esbuild unless asked) and synthesize every stack once. */
export function synthApp(config: BootstrapperConfig, options: BuildAppOptions = {}): SynthesizedApp {
  const built = buildApp(config, {
    appProps: { context: CDK_JSON_CONTEXT },
    bundling: false,
    ...options,
  });
  const template = (stack: Stack | undefined) => (stack ? Template.fromStack(stack) : undefined);
  return {
    ...built,
    templates: {
      bootstrapper: Template.fromStack(built.bootstrapper),
      ...(built.forwarder ? { forwarder: template(built.forwarder) } : {}),
      ...(built.guardrail ? { guardrail: template(built.guardrail) } : {}),
      ...(built.pipelineAccount ? { pipelineAccount: template(built.pipelineAccount) } : {}),
      ...(built.management ? { management: template(built.management) } : {}),
      ...(built.management ? { management: template(built.management) } : {}),
    },
  };
}

export interface PolicyStatementJson {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

/** Every statement of every AWS::IAM::Policy attached to the role with this logical id. */
export function statementsOfRole(template: Template, roleLogicalId: string): PolicyStatementJson[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) =>
      (policy.Properties.Roles as unknown[]).some(
        (role) => JSON.stringify(role) === JSON.stringify({ Ref: roleLogicalId }),
      ),
    )
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as PolicyStatementJson[]);
}

export function allStatements(template: Template): PolicyStatementJson[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (policy) => policy.Properties.PolicyDocument.Statement as PolicyStatementJson[],
  );
}

export function asArray<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}

/** `arn:${AWS::Partition}<rest>` as CDK renders a partition-aware ARN. */
export function partitionArn(rest: string) {
  return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] };
}

/**
 * A value the test needs, or a failed test naming what is missing: assertions never read a
 * template through `?.`, which would let them pass when the resource they check is absent.
 */
export { required };

/** The synthesized template of an optional stack; the test fails when the app has no such stack. */
export function templateOf(app: SynthesizedApp, stack: 'forwarder' | 'guardrail'): Template {
  return required(app.templates[stack], `a ${stack} stack in the app`);
}

/** A resource's JSON as `Template.findResources` gives it. */
export type ResourceJson = ReturnType<Template['findResources']>[string];

/** The only resource of `type` in `template`; the test fails unless there is exactly one. */
export function onlyResource(template: Template, type: string): ResourceJson {
  const resources = Object.values(template.findResources(type));
  if (resources.length !== 1) throw new Error(`expected exactly one ${type}, found ${resources.length}`);
  return required(resources[0], type);
}

/** The resource with this logical id and type; the test fails when it is absent. */
export function resourceById(template: Template, type: string, logicalId: string): ResourceJson {
  return required(template.findResources(type)[logicalId], `${type} ${logicalId}`);
}
