import type { CliIo, GlobalOptions } from './io.ts';
import type { OperatorContext } from './operator-context.ts';

/** The operator context, loaded when a command first needs AWS: it brings every SDK client. */
export async function openContext(globals: GlobalOptions, io: CliIo): Promise<OperatorContext> {
  const { OperatorContext } = await import('./operator-context.ts');
  return OperatorContext.open(globals, io);
}
