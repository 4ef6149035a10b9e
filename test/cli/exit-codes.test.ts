import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '#cli/io.ts';
import { cli } from './helpers.ts';
import {
  compliantDocument,
  existingMember,
  MANAGEMENT_ACCOUNT,
  type OperatorCloud,
  startOperatorCloud,
} from './operator-cloud.ts';

/** One exit code per kind of failure, the same for every command and every way of naming accounts. */
describe('exit codes across commands', () => {
  let env: OperatorCloud;

  beforeAll(async () => {
    env = await startOperatorCloud([
      existingMember(MANAGEMENT_ACCOUNT, 'management'),
      existingMember('111111111111', 'compliant', compliantDocument),
    ]);
  });

  afterAll(async () => {
    await env.close();
  });

  /** Run with long-term keys the local cloud does not know: STS answers InvalidClientTokenId. */
  async function withUnknownKey<T>(work: () => Promise<T>): Promise<T> {
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = 'AKIAUNKNOWNKEY000000';
    process.env.AWS_SECRET_ACCESS_KEY = 'not-a-secret-anyone-knows';
    try {
      return await work();
    } finally {
      if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
      else process.env.AWS_ACCESS_KEY_ID = saved.id;
      if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
      else process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
    }
  }

  it.each([
    [['check', '--account-id', '111111111111']],
    [['check', '--all']],
    [['plan', '--account-id', '111111111111']],
  ])('%j with refused management credentials exits 4 with one line naming the cause', async (command) => {
    // Act
    const { code, err } = await withUnknownKey(() => cli(...env.args(...command)));
    // Assess
    expect(code).toBe(EXIT.credentials);
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(err).toMatch(/InvalidClientTokenId|UnrecognizedClientException|CredentialsRejectedError/);
    expect(err).not.toMatch(/role .* can be assumed/);
  });

  it.each([
    [['check', '--account-id', '111111111111']],
    [['check', '--all']],
    [['plan', '--account-id', '111111111111']],
  ])('%j against an endpoint nobody answers exits 3, whichever way accounts are named', async (command) => {
    // Act
    const { code } = await cli(
      '--config',
      env.configFile,
      '--endpoint-url',
      'http://127.0.0.1:9',
      ...command,
    );
    // Assess
    expect(code).toBe(EXIT.failure);
  });

  it('a bad user name in the config is one line and exit 2', async () => {
    // Prepare
    const { writeFileSync } = await import('node:fs');
    const file = `${env.configFile}.root.json`;
    writeFileSync(file, JSON.stringify({ runAsDefaultUser: 'root', governedRegions: ['us-east-1'] }));
    // Act
    const { code, err } = await cli('--config', file, 'check', '--account-id', '111111111111');
    // Assess
    expect(code).toBe(EXIT.usage);
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(err).toContain(
      'runAsDefaultUser: "root" gives every Session Manager shell root; set allowRootDefaultUser: true',
    );
  });

  it('a made-up region in the config is one line and exit 2', async () => {
    // Prepare
    const { writeFileSync } = await import('node:fs');
    const file = `${env.configFile}.region.json`;
    writeFileSync(
      file,
      JSON.stringify({ runAsDefaultUser: 'ec2-user', governedRegions: ['us-east-1', 'xx-yyy-1'] }),
    );
    // Act
    const { code, err } = await cli('--config', file, 'check', '--account-id', '111111111111');
    // Assess
    expect(code).toBe(EXIT.usage);
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(err).toContain('governedRegions.1: "xx-yyy-1" is not an AWS region name');
  });
});
