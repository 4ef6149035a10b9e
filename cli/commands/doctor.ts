import type { Command } from 'commander';
import type { StackDescription } from '#adapters/stacks.ts';
import {
  CONFIG_DIGEST_OUTPUT,
  configDigest,
  DEFAULT_STACK_NAME,
  FAILURE_TOPIC_OUTPUT,
  FORWARDER_SUFFIX,
  forwarderRegionFor,
  GUARDRAIL_SUFFIX,
  PRODUCT_VERSION,
  VERSION_OUTPUT,
} from '#core/deploy/deployment.ts';
import {
  BOOTSTRAP_MACHINE,
  FOLLOW_UP_MACHINE,
  SWEEP_MACHINE,
  VEND_LEDGER_TABLE_OUTPUT,
} from '#core/shared/names.ts';
import { selectSweepAccounts } from '#core/sweep/sweep.ts';
import { vendEventRules } from '#core/vend/rules.ts';
import type { DoctorCheck } from '../doctor-check.ts';
import { doctorHealthy, renderDoctor } from '../doctor-output.ts';
import {
  controlTowerCheck,
  hopCheck,
  inspectShape,
  lzaPipelineCheck,
  memberRoleFix,
  shapeCheck,
} from '../doctor-shape-checks.ts';

export type { DoctorCheck } from '../doctor-check.ts';

import { openContext } from '../context-loader.ts';
import { type CliIo, EXIT, type GlobalOptions, jsonEnvelope, outputWidth } from '../io.ts';
import type { OperatorContext } from '../operator-context.ts';

const HEALTHY_STACK = /^(CREATE|UPDATE|IMPORT)_COMPLETE$/;

function outputOf(stack: StackDescription | undefined, key: string): string | undefined {
  return stack?.outputs[key];
}

function errorText(error: unknown): string {
  const e = error as { name?: string; message?: string };
  return `${e.name ?? 'Error'}: ${e.message ?? String(error)}`;
}

/**
 * Read-only checks of a deployed installation, each independent of the others' failures: a
 * missing stack fails its own line and skips only what needs its outputs.
 */
export async function runDoctor(ctx: OperatorContext, stackName: string): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const add = (c: DoctorCheck) => checks.push(c);
  const home = ctx.region;
  const deployHint = 'deploy it: npx cdk deploy --all (or through LZA, see docs/deploy-with-lza.md)';

  const describe = (name: string, region: string): Promise<StackDescription> =>
    ctx.aws.stacks(region).describe(name);

  // 0. The organization's shape, first: run from the wrong account, every later line misleads.
  const shape = await inspectShape(ctx);
  add(shapeCheck(shape));
  const hop = hopCheck(shape);
  if (hop) add(hop);

  // 1. The home stack.
  let homeStack: StackDescription | undefined;
  try {
    homeStack = await describe(stackName, home);
    const status = homeStack.status;
    add(
      HEALTHY_STACK.test(status)
        ? { check: 'home stack', status: 'ok', detail: `${stackName} in ${home}: ${status}` }
        : {
            check: 'home stack',
            status: 'fail',
            detail: `${stackName} in ${home}: ${status}`,
            fix: 'see the stack events in the CloudFormation console, then redeploy',
          },
    );
  } catch (error) {
    add({
      check: 'home stack',
      status: 'fail',
      detail: `${stackName} in ${home}: ${errorText(error)}`,
      fix: deployHint,
    });
  }

  // 2. The forwarder stack and the versions.
  const forwarderRegion = forwarderRegionFor(home);
  const homeVersion = outputOf(homeStack, VERSION_OUTPUT);
  const versions = [`home ${homeVersion ?? '?'}`];
  let forwarderOk = true;
  if (forwarderRegion) {
    const name = `${stackName}${FORWARDER_SUFFIX}`;
    try {
      const forwarder = await describe(name, forwarderRegion);
      const status = forwarder.status;
      forwarderOk = HEALTHY_STACK.test(status);
      versions.push(`forwarder ${outputOf(forwarder, VERSION_OUTPUT) ?? '?'}`);
      add(
        forwarderOk
          ? { check: 'forwarder stack', status: 'ok', detail: `${name} in ${forwarderRegion}: ${status}` }
          : {
              check: 'forwarder stack',
              status: 'fail',
              detail: `${name} in ${forwarderRegion}: ${status}`,
              fix: 'see its stack events, then redeploy it to us-east-1',
            },
      );
    } catch (error) {
      forwarderOk = false;
      add({
        check: 'forwarder stack',
        status: 'fail',
        detail: `${name} in ${forwarderRegion}: ${errorText(error)}; Organizations events (CreateAccountResult) never reach ${home}`,
        fix: `deploy ${name} to ${forwarderRegion}: npx cdk deploy --all, or the second cloudFormationStacks entry under LZA. LZA deploys cloudFormationStacks only in its enabledRegions: when they lack ${forwarderRegion}, deploy the forwarder with the CDK CLI (docs/deploy-with-lza.md)`,
      });
    }
  } else {
    add({
      check: 'forwarder stack',
      status: 'skip',
      detail: `not needed: ${home} receives Organizations events itself`,
    });
  }
  if (ctx.config.guardrail.scp.enabled) {
    const name = `${stackName}${GUARDRAIL_SUFFIX}`;
    try {
      const guardrail = await describe(name, home);
      const status = guardrail.status;
      add(
        HEALTHY_STACK.test(status)
          ? { check: 'guardrail stack', status: 'ok', detail: `${name} in ${home}: ${status}` }
          : {
              check: 'guardrail stack',
              status: 'fail',
              detail: `${name} in ${home}: ${status}`,
              fix: 'see its stack events: ConstraintViolationException (POLICY_NUMBER_LIMIT_EXCEEDED) means a target already has 5 SCPs; attach to an OU with room, or merge the statement into an existing SCP',
            },
      );
    } catch (error) {
      add({
        check: 'guardrail stack',
        status: 'fail',
        detail: `${name} in ${home}: ${errorText(error)}`,
        fix: 'guardrail.scp.enabled is set: deploy it (npx cdk deploy --all), or disable it in the config',
      });
    }
  }
  const distinct = new Set(versions.map((v) => v.split(' ')[1]));
  if (homeStack) {
    add(
      distinct.size === 1 && distinct.has(PRODUCT_VERSION)
        ? { check: 'versions', status: 'ok', detail: `${versions.join(', ')}, CLI ${PRODUCT_VERSION}` }
        : {
            check: 'versions',
            status: 'fail',
            detail: `${versions.join(', ')}, CLI ${PRODUCT_VERSION}`,
            fix: 'deploy every stack from the same release (npx cdk deploy --all), and run the CLI of that release',
          },
    );
  }

  // 3. The rules: the home ones start the bootstrap, the forwarding ones feed the home bus.
  const expectRules = async (
    region: string,
    prefix: string,
    expected: number,
    label: string,
    targetArn?: string,
  ): Promise<void> => {
    const events = ctx.aws.eventBus(region);
    try {
      const Rules = await events.rules(`${prefix}-`);
      const disabled = Rules.filter((r) => r.state !== 'ENABLED').map((r) => r.name);
      const problems: string[] = [];
      if (Rules.length < expected) problems.push(`${Rules.length} of ${expected} rules found`);
      if (disabled.length > 0) problems.push(`disabled: ${disabled.join(', ')}`);
      if (targetArn) {
        for (const rule of Rules) {
          const target = (await events.targets(rule.name)).find((t) => t.arn === targetArn);
          if (!target) problems.push(`${rule.name} does not target ${targetArn}`);
          else if (!target.roleArn) problems.push(`${rule.name} has no role to put events on the home bus`);
        }
      }
      add(
        problems.length === 0
          ? { check: label, status: 'ok', detail: `${Rules.length} rules enabled in ${region}` }
          : {
              check: label,
              status: 'fail',
              detail: `${region}: ${problems.join('; ')}`,
              fix:
                disabled.length > 0
                  ? `aws events enable-rule --region ${region} --name ${disabled[0]} (and any other listed), or redeploy`
                  : 'redeploy the stack to restore its rules',
            },
      );
    } catch (error) {
      add({
        check: label,
        status: 'fail',
        detail: `${region}: ${errorText(error)}`,
        fix: 'allow events:ListRules, or redeploy',
      });
    }
  };
  await expectRules(home, stackName, vendEventRules().length, 'rules');
  if (forwarderRegion && forwarderOk) {
    const homeBus = `arn:${ctx.partition}:events:${home}:${await ctx.aws.callerAccount().catch(() => '?')}:event-bus/default`;
    await expectRules(
      forwarderRegion,
      `${stackName}${FORWARDER_SUFFIX}`,
      vendEventRules().filter((r) => r.deliveredIn === 'us-east-1').length,
      'forwarding rules',
      homeBus,
    );
  }

  // 4. The state machines.
  const sfn = ctx.aws.executions();
  for (const [label, machine] of [
    ['bootstrap state machine', BOOTSTRAP_MACHINE],
    ['sweep state machine', SWEEP_MACHINE],
    ['follow-up state machine', FOLLOW_UP_MACHINE],
  ] as const) {
    const arn = outputOf(homeStack, machine.outputKey);
    if (!arn) {
      add({ check: label, status: 'skip', detail: `no ${machine.outputKey} output to check` });
      continue;
    }
    try {
      const status = await sfn.stateMachineStatus(arn);
      add(
        status === 'ACTIVE'
          ? { check: label, status: 'ok', detail: `${arn.split(':').pop()} ACTIVE` }
          : { check: label, status: 'fail', detail: `${arn}: ${status}`, fix: 'redeploy the home stack' },
      );
    } catch (error) {
      add({
        check: label,
        status: 'fail',
        detail: `${arn}: ${errorText(error)}`,
        fix: 'redeploy the home stack',
      });
    }
  }

  const probe = ctx.aws.probe();
  // The vend ledger: the table the workflow records every vend in.
  const tableName = outputOf(homeStack, VEND_LEDGER_TABLE_OUTPUT);
  if (!tableName) {
    add({ check: 'vend ledger', status: 'skip', detail: `no ${VEND_LEDGER_TABLE_OUTPUT} output to check` });
  } else {
    try {
      const tableStatus = await probe.tableStatus(tableName);
      add(
        tableStatus === 'ACTIVE'
          ? { check: 'vend ledger', status: 'ok', detail: `${tableName} ACTIVE` }
          : {
              check: 'vend ledger',
              status: 'fail',
              detail: `${tableName}: ${tableStatus ?? 'no status'}`,
              fix: 'wait for the table to become ACTIVE, or redeploy the home stack',
            },
      );
    } catch (error) {
      add({
        check: 'vend ledger',
        status: 'fail',
        detail: `${tableName}: ${errorText(error)}`,
        fix: 'redeploy the home stack (the table is retained on deletion: import it, or delete it first)',
      });
    }
  }

  // 5. Somebody hears about failures: a confirmed subscription, and no alarm firing.
  const topicArn = outputOf(homeStack, FAILURE_TOPIC_OUTPUT);
  if (!topicArn) {
    add({ check: 'failure topic', status: 'skip', detail: `no ${FAILURE_TOPIC_OUTPUT} output to check` });
  } else {
    try {
      const subscriptions = await probe.topicSubscriptions(topicArn);
      const confirmed = subscriptions.filter(
        (s) => s.subscriptionArn.startsWith('arn:') && s.subscriptionArn !== topicArn,
      );
      const pending = subscriptions.filter((s) => s.subscriptionArn === 'PendingConfirmation');
      add(
        confirmed.length > 0
          ? {
              check: 'failure topic',
              status: 'ok',
              detail: `${confirmed.length} confirmed subscription(s): ${confirmed.map((s) => `${s.protocol} ${s.endpoint}`).join(', ')}`,
            }
          : {
              // Nobody hears about failures, but the product works: a warning (--strict fails on it).
              check: 'failure topic',
              status: 'warn',
              detail:
                pending.length > 0
                  ? `${pending.length} subscription(s) pending confirmation, none confirmed: nobody hears about failures`
                  : 'no subscription: nobody hears about failures',
              fix:
                pending.length > 0
                  ? `confirm the subscription e-mail sent to ${pending.map((s) => s.endpoint).join(', ')}`
                  : `set notifications.email and redeploy, then confirm the e-mail; or aws sns subscribe --topic-arn ${topicArn} --protocol email --notification-endpoint <you>`,
            },
      );
    } catch (error) {
      add({
        check: 'failure topic',
        status: 'fail',
        detail: `${topicArn}: ${errorText(error)}`,
        fix: 'redeploy the home stack',
      });
    }
  }
  try {
    const alarms = await probe.alarmsNamed(`${stackName}-`);
    const firing = alarms.filter((a) => a.state === 'ALARM');
    add(
      alarms.length === 0
        ? {
            check: 'alarms',
            status: 'fail',
            detail: `no alarms named ${stackName}-* in ${home}`,
            fix: 'redeploy the home stack',
          }
        : firing.length === 0
          ? { check: 'alarms', status: 'ok', detail: `${alarms.length} alarms, none in ALARM` }
          : {
              check: 'alarms',
              status: 'fail',
              detail: `in ALARM: ${firing.map((a) => `${a.name} (${a.reason ?? 'no reason'})`).join('; ')}`,
              fix: 'read the alarm description (it says what to do) and the dashboard; the alarm clears once the cause is fixed',
            },
    );
  } catch (error) {
    add({
      check: 'alarms',
      status: 'fail',
      detail: `${home}: ${errorText(error)}`,
      fix: 'allow cloudwatch:DescribeAlarms',
    });
  }

  // 6. The LZA pipeline, when the gap is measured against it.
  add(lzaPipelineCheck(shape, home, ctx.config.lza.measureGap));
  add(controlTowerCheck(shape, home));

  // 7. One member account's role, through the read-only session the tool itself uses.
  try {
    const managementAccountId = ctx.config.managementAccountId ?? (await ctx.aws.callerAccount());
    // From a hub, through the hop role: the chain the product's Lambdas use.
    const members = await shape.access.organization().list();
    const [accountId] = selectSweepAccounts(members, {
      excludeAccountIds: ctx.config.excludeAccountIds,
      managementAccountId,
    }).accountIds.sort();
    if (!accountId) {
      add({ check: 'member role', status: 'skip', detail: 'no ACTIVE member account to try' });
    } else {
      try {
        const sessions = shape.access.memberSessions(ctx.config.memberRoleNames, 'runas-bootstrapper-cli');
        const session = await sessions.open(accountId, 'read');
        add({
          check: 'member role',
          status: 'ok',
          detail: `${session.roleName} assumable in ${accountId} (read-only session)`,
        });
      } catch (error) {
        add({
          check: 'member role',
          status: 'fail',
          detail: `${accountId}: ${errorText(error)}`,
          fix: memberRoleFix(shape, ctx.config.memberRoleNames),
        });
      }
    }
  } catch (error) {
    add({
      check: 'member role',
      status: 'fail',
      detail: errorText(error),
      fix: 'allow organizations:ListAccounts',
    });
  }

  // 8. The config the stack was deployed with.
  const deployedDigest = outputOf(homeStack, CONFIG_DIGEST_OUTPUT);
  if (!homeStack) add({ check: 'config', status: 'skip', detail: 'no home stack to compare with' });
  else if (!deployedDigest)
    add({
      check: 'config',
      status: 'warn',
      detail: `no ${CONFIG_DIGEST_OUTPUT} output`,
      fix: 'redeploy with this release',
    });
  else
    add(
      deployedDigest === configDigest(ctx.config)
        ? { check: 'config', status: 'ok', detail: 'the stack was deployed with this --config' }
        : {
            check: 'config',
            status: 'fail',
            detail: 'the stack was deployed with a different config than --config',
            fix: 'redeploy with this config (npx cdk deploy --all -c config=<file>), or pass the deployed file as --config',
          },
    );
  return checks;
}

export function registerDoctor(program: Command, io: CliIo): void {
  program
    .command('doctor')
    .description(
      'Read-only: check a deployed installation (stacks, versions, rules, state machines, failure topic, alarms, LZA pipeline, member role, config), one line per check with a fix',
    )
    .option('--stack-name <name>', 'name of the home stack', DEFAULT_STACK_NAME)
    .option('--strict', 'warnings fail too (exit 1), such as a failure topic nobody subscribes to')
    .action(async (options: { stackName: string; strict?: boolean }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const ctx = await openContext(globals, io);
      const checks = await runDoctor(ctx, options.stackName);
      const strict = options.strict === true;
      const healthy = doctorHealthy(checks, strict);
      const exitCode = healthy ? EXIT.ok : EXIT.notCompliant;
      const warnings = checks.filter((c) => c.status === 'warn').length;
      if (globals.json)
        io.out(jsonEnvelope('doctor', exitCode, { region: ctx.region, healthy, strict, warnings, checks }));
      else io.out(renderDoctor(checks, outputWidth(), strict));
      process.exitCode = exitCode;
    });
}
