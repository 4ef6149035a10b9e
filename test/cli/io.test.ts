import { afterEach, describe, expect, it, vi } from 'vitest';
import { type CliIo, progress } from '#cli/io.ts';
import { startProgress } from '#cli/progress.ts';
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
    expect(writes.at(-2)).toBe('\r\x1b[Kaccounts listed so far (batch 2) [########################] 10/4');
    expect(writes.some((w) => w.includes('executions [########################] 8/6'))).toBe(true);
  });

  it('on a terminal, gives an ETA from the rate so far', () => {
    // Prepare
    let clock = 0;
    const drawn: string[] = [];
    const bar = startProgress('accounts', 10, {
      interactive: true,
      write: (t) => drawn.push(t),
      line: () => {},
      now: () => clock,
    });
    // Act: 2 of 10 in 30 s
    clock = 30_000;
    bar.tick(2);
    // Assess
    expect(drawn.at(-1)).toBe('\r\x1b[Kaccounts [#####...................] 2/10, ETA 2m00s');
  });

  it('piped, prints a line every few seconds and the last state at the end, never a bar', () => {
    // Prepare
    let clock = 0;
    const lines: string[] = [];
    const raw: string[] = [];
    const bar = startProgress('accounts', 100, {
      interactive: false,
      write: (t) => raw.push(t),
      line: (t) => lines.push(t),
      now: () => clock,
      intervalMs: 5000,
    });
    // Act
    for (let i = 1; i <= 100; i++) {
      clock = i * 200; // 20 s in all
      bar.tick();
    }
    bar.finish();
    // Assess
    expect(raw).toEqual([]);
    expect(lines).toEqual([
      'accounts: 25/100 (25%), ETA 15s',
      'accounts: 50/100 (50%), ETA 10s',
      'accounts: 75/100 (75%), ETA 5s',
      'accounts: 100/100 (100%)',
    ]);
  });

  it('piped work shorter than the interval prints nothing', () => {
    // Prepare
    const write = vi.spyOn(process.stderr, 'write');
    const err: string[] = [];
    // Act
    const bar = progress({ ...terminal, interactive: false, err: (t) => err.push(t) }, 'x', 1);
    bar.tick();
    bar.finish();
    // Assess
    expect(write).not.toHaveBeenCalled();
    expect(err).toEqual([]);
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
