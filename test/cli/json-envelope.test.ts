import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './helpers.ts';
import {
  compliantDocument,
  existingMember,
  lzaDocument,
  MANAGEMENT_ACCOUNT,
  type OperatorCloud,
  startOperatorCloud,
} from './operator-cloud.ts';

/** Every --json is one object with the same first fields, whatever the command. */
function envelope(out: string): Record<string, unknown> {
  const value = JSON.parse(out) as unknown;
  expect(Array.isArray(value)).toBe(false);
  expect(value).toMatchObject({
    ok: expect.any(Boolean),
    command: expect.any(String),
    exitCode: expect.any(Number),
  });
  return value as Record<string, unknown>;
}

describe('one JSON envelope', () => {
  let env: OperatorCloud;

  beforeAll(async () => {
    env = await startOperatorCloud([
      existingMember(MANAGEMENT_ACCOUNT, 'management'),
      existingMember('111111111111', 'compliant', compliantDocument),
      existingMember('222222222222', 'lza-wrong', lzaDocument),
    ]);
  });
  afterAll(async () => {
    await env.close();
  });

  it.each([
    [['check', '--all'], 'check', 1, 'results'],
    [['plan', '--all'], 'plan', 0, 'results'],
    [['status', '--since', '1h'], 'status', 0, 'vends'],
    [['doctor'], 'doctor', 0, 'checks'],
  ])('%j prints one object: ok, command, exitCode and its data', async (args, command, exitCode, field) => {
    // Act
    const { code, out } = await cli(...env.args('--json', ...args));
    // Assess
    const value = envelope(out);
    expect(code).toBe(exitCode);
    expect(value).toMatchObject({ ok: exitCode === 0, command, exitCode });
    expect(value[field]).toBeInstanceOf(Array);
  });

  it.each([[['doctor']], [['check', '--all']]])(
    'with COLUMNS=120, %j prints nothing wider than 120 columns',
    async (args) => {
      // Prepare
      process.env.COLUMNS = '120';
      // Act
      const { out } = await cli(...env.args(...args)).finally(() => delete process.env.COLUMNS);
      // Assess
      const widest = Math.max(...out.split('\n').map((l) => l.length));
      expect(widest).toBeLessThanOrEqual(120);
      expect(out.split('\n').length).toBeGreaterThan(4);
    },
  );

  it('plan --all plans every ACTIVE member but the management account', async () => {
    // Act
    const { code, out } = await cli(...env.args('--json', 'plan', '--all', '--regions', 'us-east-1'));
    // Assess
    expect(code).toBe(0);
    const results = envelope(out).results as { accountId: string; action: string }[];
    expect(results.map((r) => [r.accountId, r.action])).toEqual([
      ['111111111111', 'none'],
      ['222222222222', 'update'],
    ]);
  });

  it('plan with both --all and --account-id is a usage error, as JSON under --json', async () => {
    // Act
    const { code, out } = await cli(...env.args('--json', 'plan', '--all', '--account-id', '111111111111'));
    // Assess
    expect(code).toBe(2);
    expect(envelope(out)).toEqual({
      ok: false,
      command: 'plan',
      exitCode: 2,
      error: { kind: 'usage', message: 'give either --account-id or --all, not both' },
    });
  });

  it('a commander usage error under --json is JSON on stdout too', async () => {
    // Act
    const { code, out, err } = await cli(...env.args('--json', 'check', '--bogus'));
    // Assess
    expect(code).toBe(2);
    expect(err).toContain("unknown option '--bogus'");
    expect(envelope(out)).toMatchObject({
      ok: false,
      command: 'check',
      exitCode: 2,
      error: { kind: 'usage' },
    });
  });
});
