import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '#cli/io.ts';
import { minimumRetentionDays, parseConfig } from '#core/config/config.ts';
import { ConfigurationError } from '#core/shared/errors.ts';
import { cli } from './helpers.ts';

/** TTL must never delete a vend record that is still needed (issue 22, item 7). */
const base = { runAsDefaultUser: 'ec2-user', governedRegions: ['us-east-1'] };

describe('ledgerRetentionDays against the vend window and the LZA wait', () => {
  it('needs the longer of vendWindowHours and lza.awaitTimeoutHours plus a day, in whole days', () => {
    expect(minimumRetentionDays({ vendWindowHours: 24, lza: { awaitTimeoutHours: 6 } })).toBe(2);
    expect(minimumRetentionDays({ vendWindowHours: 168, lza: { awaitTimeoutHours: 6 } })).toBe(8);
    expect(minimumRetentionDays({ vendWindowHours: 24, lza: { awaitTimeoutHours: 48 } })).toBe(3);
  });

  it('refuses 1 day with a 168-hour vend window, naming both fields on one line', () => {
    // Act
    const refuse = () => parseConfig({ ...base, ledgerRetentionDays: 1, vendWindowHours: 168 });
    // Assess
    expect(refuse).toThrow(ConfigurationError);
    expect(refuse).toThrow(/ledgerRetentionDays: must be at least 8 .*vendWindowHours is 168 h/);
  });

  it('refuses 1 day with a 48-hour LZA wait, and accepts the minimum', () => {
    expect(() => parseConfig({ ...base, ledgerRetentionDays: 1, lza: { awaitTimeoutHours: 48 } })).toThrow(
      /ledgerRetentionDays: must be at least 3 .*lza\.awaitTimeoutHours is 48 h/,
    );
    expect(parseConfig({ ...base, ledgerRetentionDays: 3, lza: { awaitTimeoutHours: 48 } })).toMatchObject({
      ledgerRetentionDays: 3,
    });
  });

  it('exits 2 with one line from the CLI', async () => {
    // Prepare
    const file = join(mkdtempSync(join(tmpdir(), 'retention-')), 'bootstrapper.config.json');
    writeFileSync(file, JSON.stringify({ ...base, ledgerRetentionDays: 1, vendWindowHours: 168 }));
    // Act
    const { code, err } = await cli('--config', file, 'check', '--account-id', '111111111111');
    // Assess
    expect(code).toBe(EXIT.usage);
    const lines = err.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/ledgerRetentionDays.*vendWindowHours/);
  });
});
