import { describe, expect, it } from 'vitest';
import { cli } from './helpers.ts';

describe('explain-event command', () => {
  it('names the matching rule and the normalized request', async () => {
    // Act
    const { code, out } = await cli(
      'explain-event',
      'test/fixtures/events/organizations-create-account-succeeded.json',
    );
    // Assess
    expect(code).toBe(0);
    expect(out).toContain('matches rule organizations-create-account-succeeded');
    expect(out).toMatch(/bootstrap request: .*"accountId":"\d{12}"/);
  });

  it('says why no rule matches and why the event is ignored', async () => {
    // Act
    const { code, out } = await cli(
      'explain-event',
      'test/fixtures/events/organizations-create-account-failed.json',
    );
    // Assess
    expect(code).toBe(1);
    expect(out).toContain('matches no rule');
    expect(out).toMatch(
      /organizations-create-account-succeeded: detail\.serviceEventDetails\.createAccountStatus\.state/,
    );
    expect(out).toMatch(/ignored \(not-succeeded\)/);
  });

  it('gives JSON for an array of events', async () => {
    // Prepare
    const { writeFileSync, mkdtempSync, readFileSync } = await import('node:fs');
    const dir = mkdtempSync('/tmp/runas-explain-');
    const events = ['replay-request-valid', 'replay-request-invalid-account-id'].map((n) =>
      JSON.parse(readFileSync(`test/fixtures/events/${n}.json`, 'utf8')),
    );
    writeFileSync(`${dir}/events.json`, JSON.stringify(events));
    // Act
    const { out } = await cli('--json', 'explain-event', `${dir}/events.json`);
    // Assess
    const explained = JSON.parse(out).explanations;
    expect(explained).toHaveLength(2);
    expect(explained[0]).toMatchObject({ matchedRules: ['replay-request'], outcome: { kind: 'bootstrap' } });
    expect(explained[1]).toMatchObject({ outcome: { kind: 'error', error: 'InvalidRequestError' } });
  });

  it('reports a missing file as a one-line usage error', async () => {
    // Act
    const { code, err } = await cli('explain-event', 'no-such-file.json');
    // Assess
    expect(code).toBe(2);
    expect(err).toBe('error: cannot read no-such-file.json');
  });
});
