import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDuration } from '#cli/commands/status.ts';
import { VEND_LEDGER_TABLE } from '#core/shared/names.ts';
import { cli } from './helpers.ts';
import { type OperatorCloud, startOperatorCloud } from './operator-cloud.ts';

const VERIFIED = '410000000001';
const PENDING = '410000000002';

describe('status command', () => {
  let env: OperatorCloud;

  beforeAll(async () => {
    env = await startOperatorCloud([]);
    // Prepare: two vends in the ledger, as the workflow records them.
    const ledger = env.runtime.dependencies.ledger;
    const now = env.cloud.clock.nowMs();
    const at = (seconds: number) => new Date(now - 3_600_000 + seconds * 1000).toISOString();
    for (const accountId of [VERIFIED, PENDING]) {
      const vend = {
        accountId,
        joinedAt: at(0),
        joinedMethod: 'CREATED',
        governedRegions: ['us-east-1', 'eu-west-1'],
        expiresAt: 2_000_000_000,
      };
      await ledger.recordTrigger(vend, {
        trigger: 'organizations-create-account',
        at: at(1),
        execution: `${accountId}-a`,
      });
      await ledger.recordTrigger(vend, {
        trigger: 'organizations-account-joined',
        at: at(1),
        execution: `${accountId}-b`,
      });
      await ledger.claim(
        vend,
        { execution: `${accountId}-a`, claimedAt: at(1), leaseUntil: at(3000), state: 'running' },
        at(1),
      );
    }
    const verified = { accountId: VERIFIED, joinedAt: at(0) };
    await ledger.recordVerification(
      verified,
      {
        'us-east-1': { verifiedAt: at(45), action: 'created', latestVersion: '1' },
        'eu-west-1': { verifiedAt: at(47), action: 'updated', latestVersion: '4' },
      },
      at(40),
    );
    await ledger.finishOwnership(verified, `${VERIFIED}-a`, {
      measurement: { runAsVerifiedAt: at(47), exposureSeconds: 47, roleWaitSeconds: 40 },
      measuredAt: at(48),
    });
    await ledger.finishOwnership({ accountId: PENDING, joinedAt: at(0) }, `${PENDING}-a`, { failed: true });
  });

  afterAll(async () => {
    await env.close();
  });

  it('shows the audit record of a verified vend and exits 0', async () => {
    // Prepare: a terminal wide enough for one line per vend
    process.env.COLUMNS = '400';
    // Act
    const { code, out } = await cli(
      ...env.args('status', '--account-id', VERIFIED, '--table-name', VEND_LEDGER_TABLE),
    ).finally(() => delete process.env.COLUMNS);
    // Assess
    expect(code).toBe(0);
    const [header, , row] = out.trim().split('\n');
    expect(header).toMatch(/^account\s+joined\s+method\s+state\s+triggers\s+owner/);
    expect(row).toContain(VERIFIED);
    expect(row).toMatch(/verified/);
    expect(row).toContain(`${VERIFIED}-a (done)`);
    expect(row).toContain('47.0 s');
    expect(row).toContain('us-east-1 v1, eu-west-1 v4');
  });

  it('fits COLUMNS=120, or 120 when the width is unknown, wrapping long cells', async () => {
    // Prepare
    process.env.COLUMNS = '120';
    // Act
    const narrow = await cli(
      ...env.args('status', '--since', '2h', '--table-name', VEND_LEDGER_TABLE),
    ).finally(() => delete process.env.COLUMNS);
    const unknown = await cli(...env.args('status', '--since', '2h', '--table-name', VEND_LEDGER_TABLE));
    // Assess
    for (const { out } of [narrow, unknown]) {
      const lines = out.split('\n');
      expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(120);
      expect(lines.length).toBeGreaterThan(4);
      expect(out).toContain(VERIFIED);
      expect(out).toContain('(done)');
    }
    expect(narrow.out).toBe(unknown.out);
  });

  it('lists every vend since a duration as JSON, and exits 1 when one is not verified', async () => {
    // Act
    const { code, out } = await cli(
      ...env.args('--json', 'status', '--since', '2h', '--table-name', VEND_LEDGER_TABLE),
    );
    // Assess
    expect(code).toBe(1);
    const report = JSON.parse(out);
    expect(report.unverified).toBe(1);
    expect(report.vends.map((v: { accountId: string }) => v.accountId).sort()).toEqual([VERIFIED, PENDING]);
    const pending = report.vends.find((v: { accountId: string }) => v.accountId === PENDING);
    expect(pending).toMatchObject({ state: 'pending', owner: { state: 'failed' } });
    expect(pending.triggers).toHaveLength(2);
  });

  it('needs a selection, and a readable duration: one line, exit 2', async () => {
    // Act
    const none = await cli(...env.args('status', '--table-name', VEND_LEDGER_TABLE));
    const bad = await cli(...env.args('status', '--since', 'yesterday', '--table-name', VEND_LEDGER_TABLE));
    // Assess
    expect(none.code).toBe(2);
    expect(none.err.trim()).toBe('error: pass --account-id <id…> or --since <duration>');
    expect(bad.code).toBe(2);
    expect(bad.err.trim()).toBe('error: --since "yesterday" is not a duration like 90m, 24h or 7d');
  });

  it('reads durations in minutes, hours and days', () => {
    expect([parseDuration('90m'), parseDuration('24h'), parseDuration('7d'), parseDuration('1.5h')]).toEqual([
      5400, 86_400, 604_800, 5400,
    ]);
  });
});
