import { afterEach, describe, expect, it, vi } from 'vitest';
import { type CliIo, progress } from '#cli/io.ts';
import { cli } from './helpers.ts';

const terminal: CliIo = { out: () => {}, err: () => {}, interactive: true };

describe('progress', () => {
  const writes: string[] = [];
  afterEach(() => {
    vi.restoreAllMocks();
    writes.length = 0;
  });

  it('draws more work than its total, or a total learned late, without breaking', () => {
    // Prepare
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    });
    const bar = progress(terminal, 'executions', 6);
    // Act: a Control Tower vend fires two events, so 6 accounts make 8 executions.
    bar.tick(8);
    bar.update(3, 0);
    bar.update(10, 4, 'accounts listed so far (batch 2)');
    bar.finish();
    // Assess
    expect(writes.at(-2)).toBe('\raccounts listed so far (batch 2) [########################] 10/4');
    expect(writes.some((w) => w.includes('executions [########################] 8/6'))).toBe(true);
  });

  it('draws nothing when stderr is not a terminal', () => {
    // Prepare
    const write = vi.spyOn(process.stderr, 'write');
    // Act
    const bar = progress({ ...terminal, interactive: false }, 'x', 1);
    bar.tick();
    bar.finish();
    // Assess
    expect(write).not.toHaveBeenCalled();
  });
});

describe('demo options', () => {
  it('--timeout that is not a positive number is a usage error', async () => {
    // Act
    const { code, err } = await cli('demo', '--timeout', 'abc', '--no-html');
    // Assess
    expect(code).toBe(2);
    expect(err).toMatch(/^error: --timeout abc is not a positive number$/);
  });
});
