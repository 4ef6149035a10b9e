import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './helpers.ts';
import {
  compliantDocument,
  existingMember,
  FOREIGN_DOCUMENT,
  GOVERNED_REGIONS,
  lzaDocument,
  MANAGEMENT_ACCOUNT,
  type OperatorCloud,
  RUN_AS_USER,
  startOperatorCloud,
} from './operator-cloud.ts';

describe('check command', () => {
  let env: OperatorCloud;

  beforeAll(async () => {
    env = await startOperatorCloud([
      existingMember(MANAGEMENT_ACCOUNT, 'management'),
      existingMember('111111111111', 'compliant', compliantDocument),
      existingMember('222222222222', 'lza-wrong', { 'us-east-1': lzaDocument('us-east-1', '222222222222') }),
      existingMember('333333333333', 'string-boolean', (region, id) => ({
        ...compliantDocument(region, id),
        inputs: { ...compliantDocument(region, id).inputs, runAsEnabled: 'true' },
      })),
      existingMember('444444444444', 'foreign', {
        'us-east-1': FOREIGN_DOCUMENT,
        'eu-west-1': compliantDocument('eu-west-1', '444444444444'),
      }),
      existingMember('555555555555', 'no-role', undefined, { roles: {} }),
      existingMember('666666666666', 'suspended', undefined, { status: 'SUSPENDED' }),
      existingMember('777777777777', 'unpromoted', lzaDocument),
    ]);
    // A compliant version 2 that nobody made the default: Session Manager still uses version 1.
    await env.addUnpromotedVersion(
      '777777777777',
      'us-east-1',
      compliantDocument('us-east-1', '777777777777'),
    );
  });

  afterAll(async () => {
    await env.close();
  });

  it('classifies every account and region, saying what differs, and exits 1', async () => {
    // Prepare
    const writes = env.writeCalls();
    // Act
    const { code, out } = await cli(
      ...env.args(
        'check',
        '--account-id',
        '111111111111',
        '222222222222',
        '333333333333',
        '444444444444',
        '555555555555',
        '777777777777',
        '--json',
      ),
    );
    // Assess
    expect(code).toBe(1);
    const results = JSON.parse(out).results as {
      accountId: string;
      region: string;
      status: string;
      details: string[];
    }[];
    const at = (accountId: string, region: string) =>
      results.find((r) => r.accountId === accountId && r.region === region);
    expect(results).toHaveLength(12);
    expect(at('111111111111', 'us-east-1')).toMatchObject({ status: 'compliant', details: [] });
    expect(at('111111111111', 'eu-west-1')).toMatchObject({ status: 'compliant' });
    expect(at('222222222222', 'us-east-1')).toMatchObject({
      status: 'drifted',
      details: ['runAsEnabled false≠true', `runAsDefaultUser ""≠"${RUN_AS_USER}"`],
      latestVersion: '1',
      defaultVersion: '1',
    });
    expect(at('222222222222', 'eu-west-1')).toMatchObject({ status: 'missing' });
    expect(at('333333333333', 'us-east-1')).toMatchObject({
      status: 'drifted',
      details: ['runAsEnabled "true"≠true'],
    });
    expect(at('444444444444', 'us-east-1')).toMatchObject({
      status: 'foreign',
      details: ['sessionType is "Port", expected "Standard_Stream"'],
    });
    expect(at('444444444444', 'eu-west-1')).toMatchObject({ status: 'compliant' });
    expect(at('555555555555', 'us-east-1')).toMatchObject({
      status: 'role-unavailable',
      details: [expect.stringContaining('can be assumed in account 555555555555')],
    });
    expect(at('777777777777', 'us-east-1')).toMatchObject({
      status: 'drifted',
      latestVersion: '2',
      defaultVersion: '1',
      details: [
        '$DEFAULT is version 1, older than $LATEST 2, and not compliant',
        '$DEFAULT runAsEnabled false≠true',
        `$DEFAULT runAsDefaultUser ""≠"${RUN_AS_USER}"`,
      ],
    });
    expect(env.writeCalls()).toBe(writes);
  });

  it('prints a table and a summary, and exits 0 when everything is compliant', async () => {
    // Act
    const { code, out } = await cli(
      ...env.args('check', '--account-id', '111111111111', '--regions', 'eu-west-1'),
    );
    // Assess
    expect(code).toBe(0);
    expect(out).toMatch(/^account\s+region\s+status\s+latest\s+default\s+details$/m);
    expect(out).toMatch(/^111111111111\s+eu-west-1\s+compliant\s+1\s+1$/m);
    expect(out).not.toContain('us-east-1');
    expect(out).toContain('1/1 compliant.');
  });

  it('--all checks the ACTIVE members, minus the management account and excludeAccountIds', async () => {
    // Prepare
    const config = `${env.configFile}.exclude.json`;
    writeFileSync(
      config,
      JSON.stringify({
        runAsDefaultUser: RUN_AS_USER,
        governedRegions: GOVERNED_REGIONS,
        excludeAccountIds: ['333333333333'],
      }),
    );
    // Act
    const { code, out } = await cli(
      '--config',
      config,
      '--endpoint-url',
      env.cloud.url,
      'check',
      '--all',
      '--json',
    );
    // Assess
    expect(code).toBe(1);
    const accounts = [
      ...new Set((JSON.parse(out).results as { accountId: string }[]).map((r) => r.accountId)),
    ];
    expect(accounts).toEqual([
      '111111111111',
      '222222222222',
      '444444444444',
      '555555555555',
      '777777777777',
    ]);
  });

  describe('user errors', () => {
    it.each([
      [
        ['--account-id', '11111111111a'],
        /^error: account id "11111111111a" is not a 12-digit AWS account id$/,
      ],
      [
        ['--account-id', '111111111111', '--regions', 'us-west-2'],
        /^error: region "us-west-2" is not governed/,
      ],
      [[], /^error: give --account-id <id\.\.\.> or --all$/],
      [['--all', '--account-id', '111111111111'], /^error: give either --account-id or --all, not both$/],
    ])('%j is refused with exit code 2 before any call', async (args, message) => {
      // Prepare
      const assumes = env.cloud.state.callCount({ operation: 'sts:AssumeRole' });
      // Act
      const { code, err } = await cli(...env.args('check', ...args));
      // Assess
      expect(code).toBe(2);
      expect(err).toMatch(message);
      expect(env.cloud.state.callCount({ operation: 'sts:AssumeRole' })).toBe(assumes);
    });

    it('a --region that is not a region name is a usage error', async () => {
      // Act
      const { code, err } = await cli(
        '--region',
        'mars',
        ...env.args('check', '--account-id', '111111111111'),
      );
      // Assess
      expect(code).toBe(2);
      expect(err).toBe(
        `error: region "mars" is not an AWS region name (not in the AWS SDK's partition table)`,
      );
    });
  });
});
