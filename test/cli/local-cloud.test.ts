import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('local-cloud command', () => {
  it('prints its URL when ready and stops cleanly on SIGTERM', async () => {
    // Prepare
    const child = spawn(process.execPath, ['bin/runas-bootstrapper.mjs', 'local-cloud', '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += String(chunk);
    });
    // Act
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', () => {
        const match = /http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
        if (match) resolve(match[0]);
      });
      child.once('exit', (code) => reject(new Error(`exited early with ${code}: ${out}`)));
    });
    const health = await fetch(`${url}/_local/state`);
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    // Assess
    expect(health.status).toBe(200);
    expect(out).toContain('bootstrapper deployed');
    expect(out).toContain('local cloud stopped');
    expect(code).toBe(0);
  });
});
