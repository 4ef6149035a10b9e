import type { StackDescription } from '#adapters/stacks.ts';
import {
  FORWARDER_SUFFIX,
  forwarderRegionFor,
  GUARDRAIL_SUFFIX,
  PRODUCT_VERSION,
  VERSION_OUTPUT,
} from '#core/deploy/deployment.ts';
import { describeError } from '#core/shared/error-text.ts';
import { vendEventRules } from '#core/vend/rules.ts';
import type { DoctorCheck } from '../doctor-check.ts';
import { type DoctorRun, type DoctorStep, fact, HEALTHY_STACK, outputOf } from './steps.ts';

// Doctor's checks of the stacks: home, forwarder, guardrail, their versions, and their rules.

const DEPLOY_HINT = 'deploy it: npx cdk deploy --all (or through LZA, see docs/deploy-with-lza.md)';

function describe(run: DoctorRun, name: string, region: string): Promise<StackDescription> {
  return run.ctx.aws.stacks(region).describe(name);
}

export const homeStackCheck: DoctorStep = {
  name: 'home stack',
  needs: [],
  finds: ['homeStack'],
  async run(run) {
    const { stackName, home } = run;
    run.facts.homeStack = undefined;
    try {
      const homeStack = await describe(run, stackName, home);
      run.facts.homeStack = homeStack;
      const status = homeStack.status;
      return [
        HEALTHY_STACK.test(status)
          ? { check: 'home stack', status: 'ok', detail: `${stackName} in ${home}: ${status}` }
          : {
              check: 'home stack',
              status: 'fail',
              detail: `${stackName} in ${home}: ${status}`,
              fix: 'see the stack events in the CloudFormation console, then redeploy',
            },
      ];
    } catch (error) {
      return [
        {
          check: 'home stack',
          status: 'fail',
          detail: `${stackName} in ${home}: ${describeError(error)}`,
          fix: DEPLOY_HINT,
        },
      ];
    }
  },
};

export const forwarderStackCheck: DoctorStep = {
  name: 'forwarder stack',
  needs: [],
  finds: ['forwarder'],
  async run(run) {
    const { home } = run;
    const forwarderRegion = forwarderRegionFor(home);
    run.facts.forwarder = undefined;
    if (!forwarderRegion)
      return [
        {
          check: 'forwarder stack',
          status: 'skip',
          detail: `not needed: ${home} receives Organizations events itself`,
        },
      ];
    const name = `${run.stackName}${FORWARDER_SUFFIX}`;
    try {
      const forwarder = await describe(run, name, forwarderRegion);
      const status = forwarder.status;
      const healthy = HEALTHY_STACK.test(status);
      run.facts.forwarder = { healthy, version: outputOf(forwarder, VERSION_OUTPUT) ?? '?' };
      return [
        healthy
          ? { check: 'forwarder stack', status: 'ok', detail: `${name} in ${forwarderRegion}: ${status}` }
          : {
              check: 'forwarder stack',
              status: 'fail',
              detail: `${name} in ${forwarderRegion}: ${status}`,
              fix: `see its stack events, then redeploy it to ${forwarderRegion}`,
            },
      ];
    } catch (error) {
      run.facts.forwarder = { healthy: false };
      return [
        {
          check: 'forwarder stack',
          status: 'fail',
          detail: `${name} in ${forwarderRegion}: ${describeError(error)}; Organizations events (CreateAccountResult) never reach ${home}`,
          fix: `deploy ${name} to ${forwarderRegion}: npx cdk deploy --all, or the second cloudFormationStacks entry under LZA. LZA deploys cloudFormationStacks only in its enabledRegions: when they lack ${forwarderRegion}, deploy the forwarder with the CDK CLI (docs/deploy-with-lza.md)`,
        },
      ];
    }
  },
};

export const guardrailStackCheck: DoctorStep = {
  name: 'guardrail stack',
  needs: [],
  async run(run) {
    if (!run.ctx.config.guardrail.scp.enabled) return [];
    const { home } = run;
    const name = `${run.stackName}${GUARDRAIL_SUFFIX}`;
    try {
      const status = (await describe(run, name, home)).status;
      return [
        HEALTHY_STACK.test(status)
          ? { check: 'guardrail stack', status: 'ok', detail: `${name} in ${home}: ${status}` }
          : {
              check: 'guardrail stack',
              status: 'fail',
              detail: `${name} in ${home}: ${status}`,
              fix: 'see its stack events: ConstraintViolationException (POLICY_NUMBER_LIMIT_EXCEEDED) means a target already has 5 SCPs; attach to an OU with room, or merge the statement into an existing SCP',
            },
      ];
    } catch (error) {
      return [
        {
          check: 'guardrail stack',
          status: 'fail',
          detail: `${name} in ${home}: ${describeError(error)}`,
          fix: 'guardrail.scp.enabled is set: deploy it (npx cdk deploy --all), or disable it in the config',
        },
      ];
    }
  },
};

export const versionsCheck: DoctorStep = {
  name: 'versions',
  needs: ['homeStack', 'forwarder'],
  async run(run) {
    const homeStack = fact(run, 'homeStack');
    if (!homeStack) return [];
    const forwarderVersion = fact(run, 'forwarder')?.version;
    const versions = [
      `home ${outputOf(homeStack, VERSION_OUTPUT) ?? '?'}`,
      ...(forwarderVersion === undefined ? [] : [`forwarder ${forwarderVersion}`]),
    ];
    const distinct = new Set(versions.map((v) => v.split(' ')[1]));
    return [
      distinct.size === 1 && distinct.has(PRODUCT_VERSION)
        ? { check: 'versions', status: 'ok', detail: `${versions.join(', ')}, CLI ${PRODUCT_VERSION}` }
        : {
            check: 'versions',
            status: 'fail',
            detail: `${versions.join(', ')}, CLI ${PRODUCT_VERSION}`,
            fix: 'deploy every stack from the same release (npx cdk deploy --all), and run the CLI of that release',
          },
    ];
  },
};

/** The rules named `<prefix>-…` in a region: enough of them, enabled, and (when given) on target. */
async function expectRules(
  run: DoctorRun,
  { region, prefix, expected, label, targetArn }: RuleExpectation,
): Promise<DoctorCheck> {
  const events = run.ctx.aws.eventBus(region);
  try {
    const rules = await events.rules(`${prefix}-`);
    const disabled = rules.filter((r) => r.state !== 'ENABLED').map((r) => r.name);
    const problems: string[] = [];
    if (rules.length < expected) problems.push(`${rules.length} of ${expected} rules found`);
    if (disabled.length > 0) problems.push(`disabled: ${disabled.join(', ')}`);
    if (targetArn) {
      for (const rule of rules) {
        const target = (await events.targets(rule.name)).find((t) => t.arn === targetArn);
        if (!target) problems.push(`${rule.name} does not target ${targetArn}`);
        else if (!target.roleArn) problems.push(`${rule.name} has no role to put events on the home bus`);
      }
    }
    if (problems.length === 0)
      return { check: label, status: 'ok', detail: `${rules.length} rules enabled in ${region}` };
    return {
      check: label,
      status: 'fail',
      detail: `${region}: ${problems.join('; ')}`,
      fix:
        disabled.length > 0
          ? `aws events enable-rule --region ${region} --name ${disabled[0]} (and any other listed), or redeploy`
          : 'redeploy the stack to restore its rules',
    };
  } catch (error) {
    return {
      check: label,
      status: 'fail',
      detail: `${region}: ${describeError(error)}`,
      fix: 'allow events:ListRules, or redeploy',
    };
  }
}

interface RuleExpectation {
  region: string;
  prefix: string;
  expected: number;
  label: string;
  targetArn?: string;
}

/** The home rules, which start the bootstrap. */
export const rulesCheck: DoctorStep = {
  name: 'rules',
  needs: [],
  async run(run) {
    const expected = vendEventRules().length;
    return [await expectRules(run, { region: run.home, prefix: run.stackName, expected, label: 'rules' })];
  },
};

/** The forwarder's rules, which feed the home bus; only when the forwarder stack is healthy. */
export const forwardingRulesCheck: DoctorStep = {
  name: 'forwarding rules',
  needs: ['forwarder'],
  async run(run) {
    const { ctx, home } = run;
    const forwarderRegion = forwarderRegionFor(home);
    if (!forwarderRegion || !fact(run, 'forwarder')?.healthy) return [];
    const homeBus = `arn:${ctx.partition}:events:${home}:${await ctx.aws.callerAccount().catch(() => '?')}:event-bus/default`;
    return [
      await expectRules(run, {
        region: forwarderRegion,
        prefix: `${run.stackName}${FORWARDER_SUFFIX}`,
        expected: vendEventRules().filter((r) => r.deliveredIn === 'us-east-1').length,
        label: 'forwarding rules',
        targetArn: homeBus,
      }),
    ];
  },
};
