import type { CliIo } from '#cli/io.ts';
import { runProgram } from '#cli/program.ts';

/** Run the CLI in-process with captured output. */
export async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (t) => out.push(t), err: (t) => err.push(t), interactive: false };
  process.exitCode = undefined;
  const code = await runProgram(['node', 'runas-bootstrapper', ...args], io);
  process.exitCode = undefined;
  return { code, out: out.join('\n'), err: err.join('\n') };
}
