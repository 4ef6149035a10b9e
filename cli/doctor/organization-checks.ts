import { describeError } from '#core/shared/error-text.ts';
import { selectSweepAccounts } from '#core/sweep/sweep.ts';
import type { DoctorCheck } from '../doctor-check.ts';
import {
  controlTowerCheck,
  hopCheck,
  inspectShape,
  lzaPipelineCheck,
  memberRoleFix,
  type ShapeFacts,
  shapeCheck,
} from '../doctor-shape-checks.ts';
import { type DoctorRun, type DoctorStep, fact } from './steps.ts';

// Doctor's checks of the organization: its shape, LZA, Control Tower and a member account's role.

/** First: run from the wrong account, every later line misleads. Also the hop role, from a hub. */
export const shapeStep: DoctorStep = {
  name: 'organization shape',
  needs: [],
  finds: ['shape'],
  async run(run) {
    const shape = await inspectShape(run.ctx);
    run.facts.shape = shape;
    const hop = hopCheck(shape);
    return hop ? [shapeCheck(shape), hop] : [shapeCheck(shape)];
  },
};

/** The LZA pipeline, when the gap is measured against it. */
export const lzaPipelineStep: DoctorStep = {
  name: 'LZA pipeline',
  needs: ['shape'],
  async run(run) {
    return [lzaPipelineCheck(fact(run, 'shape'), run.home, run.ctx.config.lza.measureGap)];
  },
};

export const controlTowerStep: DoctorStep = {
  name: 'Control Tower',
  needs: ['shape'],
  async run(run) {
    return [controlTowerCheck(fact(run, 'shape'), run.home)];
  },
};

/** One member account's role, through the read-only session the tool itself uses. */
export const memberRoleStep: DoctorStep = {
  name: 'member role',
  needs: ['shape'],
  async run(run) {
    const { ctx } = run;
    const shape = fact(run, 'shape');
    try {
      const managementAccountId = ctx.config.managementAccountId ?? (await ctx.aws.callerAccount());
      // From a hub, through the hop role: the chain the product's Lambdas use.
      const members = await shape.access.organization().list();
      const [accountId] = selectSweepAccounts(members, {
        excludeAccountIds: ctx.config.excludeAccountIds,
        managementAccountId,
      }).accountIds.sort();
      if (!accountId)
        return [{ check: 'member role', status: 'skip', detail: 'no ACTIVE member account to try' }];
      return [await openMemberSession(run, shape, accountId)];
    } catch (error) {
      return [
        {
          check: 'member role',
          status: 'fail',
          detail: describeError(error),
          fix: 'allow organizations:ListAccounts',
        },
      ];
    }
  },
};

async function openMemberSession(run: DoctorRun, shape: ShapeFacts, accountId: string): Promise<DoctorCheck> {
  const { memberRoleNames } = run.ctx.config;
  try {
    const sessions = shape.access.memberSessions(memberRoleNames, 'runas-bootstrapper-cli');
    const session = await sessions.open(accountId, 'read');
    return {
      check: 'member role',
      status: 'ok',
      detail: `${session.roleName} assumable in ${accountId} (read-only session)`,
    };
  } catch (error) {
    return {
      check: 'member role',
      status: 'fail',
      detail: `${accountId}: ${describeError(error)}`,
      fix: memberRoleFix(shape, memberRoleNames),
    };
  }
}
