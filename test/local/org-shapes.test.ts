import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { parseScenario } from '@runas-bootstrapper/local-cloud';
import { afterEach, describe, expect, it } from 'vitest';
import { loadScenario } from '#cli/scenario-file.ts';
import { parseConfig } from '#core/config/config.ts';
import { type DemoRun, onScenarioClock, runScenario } from '#local/demo.ts';
import { PROJECT_ROOT } from '#stacks/task-function.ts';

/**
 * The shipped organization shapes (local/scenarios/org-shapes/, docs/organization-shapes.md),
 * each played on virtual time with the product deployed as its config says.
 */
const SHAPES = join(PROJECT_ROOT, 'local', 'scenarios', 'org-shapes');
const BASE_CONFIG = join(PROJECT_ROOT, 'bootstrapper.config.json');

let run: DemoRun | undefined;

afterEach(async () => {
  run?.runtime.stop();
  await run?.cloud.close();
  run = undefined;
});

/** Play a shipped shape to the end of its timeline; the report compares each account with its `expect`. */
async function play(file: string): Promise<DemoRun> {
  const { scenario, config } = await loadScenario(join(SHAPES, file), BASE_CONFIG);
  expect(scenario.timeScale, `${file} plays on virtual time`).toBe(1);
  return onScenarioClock(scenario, async () => {
    run = await runScenario({ scenario, config, scenarioName: file, timeoutSeconds: 300 });
    return run;
  });
}

describe('organization shapes', () => {
  it('ships one scenario per shape, each account with an expect block', async () => {
    // Act
    const files = readdirSync(SHAPES).filter((f) => f.endsWith('.json'));
    // Assess
    expect(files.sort()).toEqual([
      'control-tower-only.json',
      'hub-account.json',
      'lza-external-pipeline-account.json',
      'lza-qualifier.json',
    ]);
    for (const file of files) {
      const { scenario } = await loadScenario(join(SHAPES, file), BASE_CONFIG);
      for (const account of scenario.accounts)
        expect(account.expect, `${file} ${account.name}`).toBeDefined();
    }
  });

  it('Control Tower without LZA: every vend enforced in every region and measured once', async () => {
    // Act
    const { report } = await play('control-tower-only.json');
    // Assess
    expect(report.lzaVersion).toBeUndefined();
    expect(report.accounts).toHaveLength(2);
    for (const account of report.accounts) {
      expect(account.meetsExpectation, account.name).toBe(true);
      expect(account.measured, account.name).toBe(true);
      expect(account.exposureSeconds, account.name).toBeGreaterThan(0);
      expect(account.gapClosedSeconds, account.name).toBeUndefined();
    }
    expect(report.ok).toBe(true);
  });

  it('LZA 1.13 with a qualifier: the vend is measured, the wipe repaired, the gap closed', async () => {
    // Act
    const { report } = await play('lza-qualifier.json');
    // Assess
    const [account] = report.accounts;
    expect(account?.meetsExpectation).toBe(true);
    expect(account?.regressionsRepaired).toBe(2);
    expect(account?.gapClosedSeconds).toBeGreaterThan(0);
    expect(account?.vend?.state).toBe('closed');
    expect(report.ok).toBe(true);
  });

  it('LZA in an external pipeline account: events forwarded, history read there, wipes repaired, gaps closed', async () => {
    // Act
    const played = await play('lza-external-pipeline-account.json');
    const { report } = played;
    // Assess: the pipeline's events were published in the pipeline account, not the management account.
    const pipelineEvents = played.cloud.bus.history().filter((e) => e.source === 'aws.codepipeline');
    expect(pipelineEvents.length).toBeGreaterThan(0);
    expect(new Set(pipelineEvents.map((e) => e.account))).toEqual(new Set(['333333333333']));
    const vended = report.accounts.filter((a) => a.name.startsWith('workload-'));
    expect(vended).toHaveLength(2);
    for (const account of vended) {
      expect(account.meetsExpectation, account.name).toBe(true);
      expect(account.measured, account.name).toBe(true);
      expect(account.regressionsRepaired, account.name).toBe(2);
      expect(account.gapClosedSeconds, account.name).toBeGreaterThan(0);
      expect(account.vend?.state, account.name).toBe('closed');
    }
    expect(report.ok).toBe(true);
  });

  it('a hub account: the chain hub -> hop -> member measures every vend, repairs the wipe, closes the gap', async () => {
    // Act
    const played = await play('hub-account.json');
    const { report } = played;
    // Assess: the product ran in the hub, and every call into the organization went through the
    // hop role: the hub assumed it, and the hop session (the management account) did the rest.
    const state = played.cloud.state;
    expect(played.runtime.executions().every((e) => e.stateMachineArn.includes(':444444444444:'))).toBe(true);
    expect(state.callCount({ accountId: '444444444444', operation: 'sts:AssumeRole' })).toBeGreaterThan(0);
    for (const operation of ['organizations:DescribeAccount', 'codepipeline:ListActionExecutions'])
      expect(state.callCount({ accountId: '444444444444', operation }), operation).toBe(0);
    expect(
      state.callCount({ accountId: '999999999999', operation: 'organizations:DescribeAccount' }),
    ).toBeGreaterThan(0);
    const vended = report.accounts.filter((a) => a.name.startsWith('workload-'));
    expect(vended).toHaveLength(2);
    for (const account of vended) {
      expect(account.meetsExpectation, account.name).toBe(true);
      expect(account.measured, account.name).toBe(true);
      expect(account.regressionsRepaired, account.name).toBe(2);
      expect(account.gapClosedSeconds, account.name).toBeGreaterThan(0);
      expect(account.vend?.state, account.name).toBe('closed');
    }
    expect(report.ok).toBe(true);
  });

  it('a hub account: the hub cannot assume a member role directly, nor a member the hop role', async () => {
    // Prepare
    const { scenario } = await loadScenario(join(SHAPES, 'hub-account.json'), BASE_CONFIG);
    const withMemberKey = parseScenario({
      ...JSON.parse(readFileSync(join(SHAPES, 'hub-account.json'), 'utf8')),
      timeScale: 1,
      accessKeys: [
        ...scenario.accessKeys,
        { accessKeyId: 'MEMBERADMIN', secretAccessKey: 'member-secret', accountId: '111111111111' },
      ],
      accounts: scenario.accounts.map((a) => ({
        accountId: a.accountId,
        name: a.name,
        roles: { OrganizationAccountAccessRole: 0 },
      })),
    });
    const attempt = (keyId: string, secret: string, roleArn: string) =>
      new STSClient({
        endpoint: run!.cloud.url,
        region: 'us-east-1',
        credentials: { accessKeyId: keyId, secretAccessKey: secret },
      }).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'probe' }));
    // Act
    const results = await onScenarioClock(withMemberKey, async () => {
      run = await runScenario({
        scenario: withMemberKey,
        config: (await loadScenario(join(SHAPES, 'hub-account.json'), BASE_CONFIG)).config,
        timeoutSeconds: 120,
      });
      const hop = 'arn:aws:iam::999999999999:role/runas-bootstrapper-hop';
      const member = 'arn:aws:iam::111111111111:role/OrganizationAccountAccessRole';
      const viaHop = await attempt('HUBADMIN', 'hub-secret', hop);
      const c = viaHop.Credentials!;
      const chained = await new STSClient({
        endpoint: run.cloud.url,
        region: 'us-east-1',
        credentials: {
          accessKeyId: c.AccessKeyId!,
          secretAccessKey: c.SecretAccessKey!,
          sessionToken: c.SessionToken!,
        },
      })
        .send(new AssumeRoleCommand({ RoleArn: member, RoleSessionName: 'probe', DurationSeconds: 7200 }))
        .catch((e: Error) => e);
      return {
        hubToMember: await attempt('HUBADMIN', 'hub-secret', member).catch((e: Error) => e.name),
        memberToHop: await attempt('MEMBERADMIN', 'member-secret', hop).catch((e: Error) => e.name),
        chainedTwoHours: (chained as Error).message,
      };
    });
    // Assess
    expect(results.hubToMember).toBe('AccessDenied');
    expect(results.memberToHop).toBe('AccessDenied');
    expect(results.chainedTwoHours).toContain('1 hour session limit for roles assumed by role chaining');
  });

  it("Control Tower in another home region: its CreateManagedAccount never reaches the product's rules", async () => {
    // Prepare: the landing zone lives in eu-west-1, the product in us-east-1.
    const scenario = parseScenario({
      managementAccountId: '999999999999',
      homeRegion: 'us-east-1',
      timeScale: 1,
      controlTower: { homeRegion: 'eu-west-1' },
      accounts: [
        {
          accountId: '111111111111',
          name: 'workload',
          vend: { atSeconds: 10, via: 'controltower', createSeconds: 60, enrollSeconds: 120 },
        },
      ],
    });
    const config = parseConfig({
      runAsDefaultUser: 'ec2-user',
      governedRegions: ['us-east-1'],
      managementAccountId: '999999999999',
      homeRegion: 'us-east-1',
      lza: { measureGap: false },
    });
    // Act
    const { report } = await onScenarioClock(scenario, async () => {
      run = await runScenario({ scenario, config, timeoutSeconds: 300 });
      return run;
    });
    // Assess: Organizations' us-east-1 events still start it; Control Tower's event does not.
    const published = run!.cloud.bus.history().filter((e) => e.source === 'aws.controltower');
    expect(published.map((e) => e.region)).toEqual(['eu-west-1']);
    expect(report.accounts[0]?.vend?.triggers.sort()).toEqual([
      'organizations-account-joined',
      'organizations-create-account',
    ]);
  });
});
