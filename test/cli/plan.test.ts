import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAsSetting } from '#core/config/config.ts';
import { createDefault } from '#core/document/preferences.ts';
import { cli } from './helpers.ts';
import {
  compliantDocument,
  existingMember,
  FOREIGN_DOCUMENT,
  lzaDocument,
  type OperatorCloud,
  RUN_AS_USER,
  startOperatorCloud,
} from './operator-cloud.ts';

describe('plan command', () => {
  let env: OperatorCloud;

  beforeAll(async () => {
    env = await startOperatorCloud([
      existingMember('222222222222', 'mixed', { 'us-east-1': lzaDocument('us-east-1', '222222222222') }),
      existingMember('333333333333', 'done', {
        'us-east-1': compliantDocument('us-east-1', '333333333333'),
        'eu-west-1': FOREIGN_DOCUMENT,
      }),
      existingMember('777777777777', 'unpromoted', { 'us-east-1': lzaDocument('us-east-1', '777777777777') }),
      existingMember('555555555555', 'no-role', undefined, { roles: {} }),
    ]);
    await env.addUnpromotedVersion(
      '777777777777',
      'us-east-1',
      compliantDocument('us-east-1', '777777777777'),
    );
  });

  afterAll(async () => {
    await env.close();
  });

  it('shows create, update with the key-level diff, none and refuse, and writes nothing', async () => {
    // Prepare
    const writes = env.writeCalls();
    // Act
    const { code, out } = await cli(
      ...env.args('plan', '--account-id', '222222222222', '333333333333', '--json'),
    );
    // Assess
    expect(code).toBe(1); // one region is refused
    const results = JSON.parse(out).results;
    const current = env.cloud.state.document('222222222222', 'us-east-1')?.versions[0]?.content as string;
    const merged = current
      .replace('"runAsEnabled": false', '"runAsEnabled": true')
      .replace('"runAsDefaultUser": ""', `"runAsDefaultUser": "${RUN_AS_USER}"`);
    const created = createDefault(runAsSetting({ runAsEnabled: true, runAsDefaultUser: RUN_AS_USER }));
    expect(results).toEqual([
      {
        accountId: '222222222222',
        region: 'us-east-1',
        action: 'update',
        latestVersion: '1',
        defaultVersion: '1',
        changes: [
          { key: 'inputs.runAsEnabled', kind: 'changed', before: false, after: true },
          { key: 'inputs.runAsDefaultUser', kind: 'changed', before: '', after: RUN_AS_USER },
        ],
        document: compliantDocument('us-east-1', '222222222222'),
        // The exact text: the current text with the two values replaced, nothing else.
        text: merged,
        format: 'JSON',
        diff: expect.stringMatching(/^--- v1\n\+\+\+ new version\n@@ /),
      },
      {
        accountId: '222222222222',
        region: 'eu-west-1',
        action: 'create',
        document: created,
        text: JSON.stringify(created, null, 2),
        format: 'JSON',
      },
      {
        accountId: '333333333333',
        region: 'us-east-1',
        action: 'none',
        latestVersion: '1',
        defaultVersion: '1',
      },
      {
        accountId: '333333333333',
        region: 'eu-west-1',
        action: 'refuse',
        reason: 'sessionType is "Port", expected "Standard_Stream"',
        latestVersion: '1',
        defaultVersion: '1',
      },
    ]);
    expect(env.writeCalls()).toBe(writes);
    expect(env.cloud.state.document('222222222222', 'eu-west-1')).toBeUndefined();
  });

  it('prints the change per region for people', async () => {
    // Act
    const { code, out } = await cli(...env.args('plan', '--account-id', '222222222222'));
    // Assess
    expect(code).toBe(0);
    expect(out).toContain(
      '222222222222 us-east-1: update version 1 → 2 (JSON), made the default (now 1); exact change:',
    );
    // A unified diff of the text: only the two RunAs lines change.
    expect(out).toMatch(/^ {4}- {4}"runAsEnabled": false,$/m);
    expect(out).toMatch(/^ {4}\+ {4}"runAsEnabled": true,$/m);
    expect(out).toMatch(new RegExp(`^ {4}\\+ {4}"runAsDefaultUser": "${RUN_AS_USER}"`, 'm'));
    expect(out.split('\n').filter((l) => /^ {4}[-+] /.test(l))).toHaveLength(4);
    expect(out).toContain('222222222222 eu-west-1: create version 1 of SSM-SessionManagerRunShell (JSON):');
    expect(out).toContain(`"runAsDefaultUser": "${RUN_AS_USER}"`);
    expect(out).toContain(
      'Plan: 1 to create, 1 to update, 0 to repair, 0 to promote, 0 unchanged, 0 refused. Nothing was written.',
    );
  });

  it('says promote when the right content is not yet the default version', async () => {
    // Act
    const { code, out } = await cli(
      ...env.args('plan', '--account-id', '777777777777', '--regions', 'us-east-1'),
    );
    // Assess
    expect(code).toBe(0);
    expect(out).toContain(
      '777777777777 us-east-1: promote: content already right; make version 2 the default (now 1)',
    );
    expect(env.writeCalls('777777777777')).toBe(1); // only the hand edit of the setup
  });

  it('reports an account whose role cannot be assumed, and exits 1', async () => {
    // Act
    const { code, out } = await cli(
      ...env.args('plan', '--account-id', '555555555555', '--regions', 'eu-west-1'),
    );
    // Assess
    expect(code).toBe(1);
    expect(out).toMatch(/^555555555555 eu-west-1: role-unavailable: none of the roles .* can be assumed/m);
  });

  describe('user errors', () => {
    it.each([
      [['--account-id', '2222'], /^error: account id "2222" is not a 12-digit AWS account id$/],
      [
        ['--account-id', '222222222222', '--regions', 'ap-southeast-2'],
        /^error: region "ap-southeast-2" is not governed/,
      ],
      [[], /^error: give --account-id <id\.\.\.> or --all$/],
    ])('%j is refused with exit code 2 before any call', async (args, message) => {
      // Prepare
      const assumes = env.cloud.state.callCount({ operation: 'sts:AssumeRole' });
      // Act
      const { code, err } = await cli(...env.args('plan', ...args));
      // Assess
      expect(code).toBe(2);
      expect(err).toMatch(message);
      expect(env.cloud.state.callCount({ operation: 'sts:AssumeRole' })).toBe(assumes);
    });

    it('a missing config file is a usage error', async () => {
      // Act
      const { code, err } = await cli(
        '--config',
        '/nonexistent/config.json',
        'plan',
        '--account-id',
        '222222222222',
      );
      // Assess
      expect(code).toBe(2);
      expect(err).toBe('error: cannot read config file /nonexistent/config.json');
    });
  });
});
