import { CONFIG_DIGEST_OUTPUT, configDigest, FAILURE_TOPIC_OUTPUT } from '#core/deploy/deployment.ts';
import { describeError } from '#core/shared/error-text.ts';
import {
  BOOTSTRAP_MACHINE,
  FOLLOW_UP_MACHINE,
  SWEEP_MACHINE,
  VEND_LEDGER_TABLE_OUTPUT,
} from '#core/shared/names.ts';
import type { DoctorCheck } from '../doctor-check.ts';
import { type DoctorRun, type DoctorStep, fact, outputOf } from './steps.ts';

// Doctor's checks of what the home stack deployed, found through its outputs, and of its config.

const STATE_MACHINES = [
  ['bootstrap state machine', BOOTSTRAP_MACHINE],
  ['sweep state machine', SWEEP_MACHINE],
  ['follow-up state machine', FOLLOW_UP_MACHINE],
] as const;

async function stateMachineLine(
  run: DoctorRun,
  [label, machine]: (typeof STATE_MACHINES)[number],
): Promise<DoctorCheck> {
  const arn = outputOf(fact(run, 'homeStack'), machine.outputKey);
  if (!arn) return { check: label, status: 'skip', detail: `no ${machine.outputKey} output to check` };
  try {
    const status = await run.ctx.aws.executions().stateMachineStatus(arn);
    return status === 'ACTIVE'
      ? { check: label, status: 'ok', detail: `${arn.split(':').pop()} ACTIVE` }
      : { check: label, status: 'fail', detail: `${arn}: ${status}`, fix: 'redeploy the home stack' };
  } catch (error) {
    return {
      check: label,
      status: 'fail',
      detail: `${arn}: ${describeError(error)}`,
      fix: 'redeploy the home stack',
    };
  }
}

export const stateMachinesCheck: DoctorStep = {
  name: 'state machines',
  needs: ['homeStack'],
  async run(run) {
    const lines: DoctorCheck[] = [];
    for (const machine of STATE_MACHINES) lines.push(await stateMachineLine(run, machine));
    return lines;
  },
};

/** The vend ledger: the table the workflow records every vend in. */
export const vendLedgerCheck: DoctorStep = {
  name: 'vend ledger',
  needs: ['homeStack'],
  async run(run) {
    const tableName = outputOf(fact(run, 'homeStack'), VEND_LEDGER_TABLE_OUTPUT);
    if (!tableName)
      return [
        { check: 'vend ledger', status: 'skip', detail: `no ${VEND_LEDGER_TABLE_OUTPUT} output to check` },
      ];
    try {
      const tableStatus = await run.ctx.aws.probe().tableStatus(tableName);
      return [
        tableStatus === 'ACTIVE'
          ? { check: 'vend ledger', status: 'ok', detail: `${tableName} ACTIVE` }
          : {
              check: 'vend ledger',
              status: 'fail',
              detail: `${tableName}: ${tableStatus ?? 'no status'}`,
              fix: 'wait for the table to become ACTIVE, or redeploy the home stack',
            },
      ];
    } catch (error) {
      return [
        {
          check: 'vend ledger',
          status: 'fail',
          detail: `${tableName}: ${describeError(error)}`,
          fix: 'redeploy the home stack (the table is retained on deletion: import it, or delete it first)',
        },
      ];
    }
  },
};

/** Somebody hears about failures: a confirmed subscription to the failure topic. */
export const failureTopicCheck: DoctorStep = {
  name: 'failure topic',
  needs: ['homeStack'],
  async run(run) {
    const topicArn = outputOf(fact(run, 'homeStack'), FAILURE_TOPIC_OUTPUT);
    if (!topicArn)
      return [
        { check: 'failure topic', status: 'skip', detail: `no ${FAILURE_TOPIC_OUTPUT} output to check` },
      ];
    try {
      const subscriptions = await run.ctx.aws.probe().topicSubscriptions(topicArn);
      const confirmed = subscriptions.filter(
        (s) => s.subscriptionArn.startsWith('arn:') && s.subscriptionArn !== topicArn,
      );
      const pending = subscriptions.filter((s) => s.subscriptionArn === 'PendingConfirmation');
      if (confirmed.length > 0)
        return [
          {
            check: 'failure topic',
            status: 'ok',
            detail: `${confirmed.length} confirmed subscription(s): ${confirmed.map((s) => `${s.protocol} ${s.endpoint}`).join(', ')}`,
          },
        ];
      // Nobody hears about failures, but the product works: a warning (--strict fails on it).
      return [
        {
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
      ];
    } catch (error) {
      return [
        {
          check: 'failure topic',
          status: 'fail',
          detail: `${topicArn}: ${describeError(error)}`,
          fix: 'redeploy the home stack',
        },
      ];
    }
  },
};

/** The stack's alarms exist, and none is firing. */
export const alarmsCheck: DoctorStep = {
  name: 'alarms',
  needs: [],
  async run({ ctx, stackName, home }) {
    try {
      const alarms = await ctx.aws.probe().alarmsNamed(`${stackName}-`);
      const firing = alarms.filter((a) => a.state === 'ALARM');
      if (alarms.length === 0)
        return [
          {
            check: 'alarms',
            status: 'fail',
            detail: `no alarms named ${stackName}-* in ${home}`,
            fix: 'redeploy the home stack',
          },
        ];
      return [
        firing.length === 0
          ? { check: 'alarms', status: 'ok', detail: `${alarms.length} alarms, none in ALARM` }
          : {
              check: 'alarms',
              status: 'fail',
              detail: `in ALARM: ${firing.map((a) => `${a.name} (${a.reason ?? 'no reason'})`).join('; ')}`,
              fix: 'read the alarm description (it says what to do) and the dashboard; the alarm clears once the cause is fixed',
            },
      ];
    } catch (error) {
      return [
        {
          check: 'alarms',
          status: 'fail',
          detail: `${home}: ${describeError(error)}`,
          fix: 'allow cloudwatch:DescribeAlarms',
        },
      ];
    }
  },
};

/** The config the stack was deployed with is the one given (--config). */
export const configCheck: DoctorStep = {
  name: 'config',
  needs: ['homeStack'],
  async run(run) {
    const homeStack = fact(run, 'homeStack');
    const deployedDigest = outputOf(homeStack, CONFIG_DIGEST_OUTPUT);
    if (!homeStack) return [{ check: 'config', status: 'skip', detail: 'no home stack to compare with' }];
    if (!deployedDigest)
      return [
        {
          check: 'config',
          status: 'warn',
          detail: `no ${CONFIG_DIGEST_OUTPUT} output`,
          fix: 'redeploy with this release',
        },
      ];
    return [
      deployedDigest === configDigest(run.ctx.config)
        ? { check: 'config', status: 'ok', detail: 'the stack was deployed with this --config' }
        : {
            check: 'config',
            status: 'fail',
            detail: 'the stack was deployed with a different config than --config',
            fix: 'redeploy with this config (npx cdk deploy --all -c config=<file>), or pass the deployed file as --config',
          },
    ];
  },
};
