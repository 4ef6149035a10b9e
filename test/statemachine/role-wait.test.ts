import { parseScenario, type ScenarioInput, VirtualTime } from '@runas-bootstrapper/local-cloud';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '#core/config/config.ts';
import { MAX_DENIED_CALLS_PER_HOUR } from '#core/config/role-wait-schedule.ts';
import { type DemoRun, runScenario } from '#local/demo.ts';
import type { ExecutionRecord } from '#local/runtime/execution-record.ts';

/**
 * The role wait on virtual time, with one execution polling per vend (the join's own execution
 * is left out: `emitJoinEvents: false`), as issue 22 makes it: the price of a role that never
 * appears, the deadline, and one role per attempt.
 */
const MANAGEMENT = '999999999999';
const ACCOUNT = '412345678901';
let run: DemoRun | undefined;
let time: VirtualTime | undefined;

afterEach(async () => {
  run?.runtime.stop();
  await run?.cloud.close();
  run = undefined;
  await time?.uninstall();
  time = undefined;
});

/** `callsAfterSeconds`: when (after the timeline starts) to count the account's AssumeRole calls so far. */
async function play(
  account: Partial<NonNullable<ScenarioInput['accounts']>[number]>,
  config: object = {},
  callsAfterSeconds?: number,
) {
  time = VirtualTime.install({ seed: 3 });
  const scenario = parseScenario({
    managementAccountId: MANAGEMENT,
    homeRegion: 'us-east-1',
    timeScale: 1,
    latency: { model: 'aws', seed: 3 },
    organizations: { emitJoinEvents: false },
    accounts: [
      {
        accountId: ACCOUNT,
        name: 'waiting',
        vend: { atSeconds: 1, via: 'organizations', createSeconds: 10 },
        ...account,
      },
    ],
  });
  let callsSoFar: number | undefined;
  run = await runScenario({
    scenario,
    config: parseConfig({ runAsDefaultUser: 'ec2-user', governedRegions: ['us-east-1'], ...config }),
    timeoutSeconds: 600,
    beforeTimeline: (cloud) => {
      if (callsAfterSeconds === undefined) return;
      setTimeout(() => {
        callsSoFar = cloud.state.assumeRoleCallsFor(ACCOUNT);
      }, callsAfterSeconds * 1000);
    },
  });
  const [execution, ...others] = run.runtime.executions();
  expect(others).toEqual([]);
  return { cloud: run.cloud, execution: execution as ExecutionRecord, callsSoFar };
}

/** Each AwaitRole attempt: when it started (simulated ms) and the roles it tried. */
function attempts(execution: ExecutionRecord) {
  const exits = execution.events.filter((e) => e.type === 'StateExited' && e.state?.name === 'AwaitRole');
  const entries = execution.events.filter((e) => e.type === 'StateEntered' && e.state?.name === 'AwaitRole');
  return entries.map((entry, i) => ({
    at: entry.timestamp,
    tried: (exits[i]?.state?.output as { role?: { tried?: string[] } } | undefined)?.role?.tried,
  }));
}

function roleDeadline(execution: ExecutionRecord): number {
  const resolved = execution.events.find(
    (e) => e.type === 'StateExited' && e.state?.name === 'ResolveRequest',
  );
  const output = resolved?.state?.output as { request: { roleDeadline: string } } | undefined;
  if (!output) throw new Error('ResolveRequest did not exit');
  return Date.parse(output.request.roleDeadline);
}

describe('the role wait', () => {
  it('prices a role that never appears at most 120 calls an hour, and ends at the deadline, past the old 190-minute cap', async () => {
    // Prepare + Act: no member role, ever; a 200-minute wait (the old retrier stopped at 5,000 attempts, ~190 minutes).
    // The vend is at 1 s and the account exists 10 s later: count the calls an hour after that.
    const { cloud, execution, callsSoFar } = await play({ roles: {} }, { roleWaitTimeoutMinutes: 200 }, 3611);
    // Assess
    const made = attempts(execution);
    const start = made[0]!.at;
    const deadline = roleDeadline(execution);
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('RoleWaitTimeoutError');
    expect(callsSoFar).toBeGreaterThan(60);
    expect(callsSoFar).toBeLessThanOrEqual(MAX_DENIED_CALLS_PER_HOUR);
    // An hour later the wait is quiet: one attempt a minute.
    expect(
      made.filter((a) => a.at >= start + 3_600_000 && a.at < start + 7_200_000).length,
    ).toBeLessThanOrEqual(61);
    // The last attempt is the deadline's, within the second Step Functions waits in.
    const last = made.at(-1)!.at;
    expect(last).toBeGreaterThanOrEqual(deadline - 1000);
    expect(last).toBeLessThan(deadline + 2000);
    // One role per attempt, both at the deadline: every call is accounted for.
    expect(cloud.state.assumeRoleCallsFor(ACCOUNT)).toBe(made.length + 1);
  });

  it('tries the role the trigger implies, and the other on its schedule', async () => {
    // Prepare + Act: Organizations CreateAccount implies OrganizationAccountAccessRole, but this
    // account only has AWSControlTowerExecution (as LZA creates accounts), ready 20 s after creation.
    const { execution, cloud } = await play({ roles: { AWSControlTowerExecution: 20 } });
    // Assess
    const made = attempts(execution);
    const start = made[0]!.at;
    const tried = made.slice(0, -1).map((a) => ({ second: (a.at - start) / 1000, role: a.tried }));
    expect(execution.status).toBe('SUCCEEDED');
    expect(tried.every((a) => a.role?.length === 1)).toBe(true);
    const before = tried.filter((a) => a.second < 59);
    expect(before.length).toBeGreaterThan(15);
    expect(before.every((a) => a.role?.[0] === 'OrganizationAccountAccessRole')).toBe(true);
    expect(tried.at(-1)?.role).toEqual(['OrganizationAccountAccessRole']);
    // Found by the first fallback attempt, a minute in; then one more call for the read-back session.
    const found = (made.at(-1)!.at - start) / 1000;
    expect(found).toBeGreaterThanOrEqual(60);
    expect(found).toBeLessThan(72);
    expect(cloud.state.assumeRoleCallsFor(ACCOUNT)).toBe(made.length + 1);
  });

  it("cannot assume a member role when the grant names another organization: IAM's fence, not code's", async () => {
    // Prepare + Act: the role is ready at once, but the deployed grant's aws:ResourceOrgID is not this organization's.
    const { execution, cloud } = await play(
      { roles: { OrganizationAccountAccessRole: 0 } },
      { organizationId: 'o-0ther0rg000', roleWaitTimeoutMinutes: 1 },
    );
    // Assess
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('RoleWaitTimeoutError');
    expect(cloud.state.documents({ accountId: ACCOUNT })).toEqual([]);
  });
});
