import { DEFAULT_STACK_NAME, PRODUCT_VERSION, VERSION_OUTPUT } from '#core/deploy/deployment.ts';
import { errorMessage } from '#core/shared/error-text.ts';
import { type CliIo, EXIT, type GlobalOptions, jsonEnvelope } from './io.ts';

/** How long --version waits for the stack before saying it is not reachable. */
const STACK_LOOKUP_MS = 5000;

export interface VersionReport {
  cli: string;
  node: string;
  /** The deployed home stack's Version output, or why it could not be read. */
  stack: { name: string; region?: string; version?: string; unavailable?: string };
}

/**
 * `--version`: the CLI's version at once, then the deployed stack's when one is reachable with
 * the same region chain and credentials as every command. Never fails: exit 0.
 */
export async function printVersion(globals: GlobalOptions, io: CliIo): Promise<number> {
  const report: VersionReport = {
    cli: PRODUCT_VERSION,
    node: process.version,
    stack: { name: DEFAULT_STACK_NAME },
  };
  try {
    const { OperatorContext } = await import('./operator-context.ts');
    const ctx = await OperatorContext.open(globals);
    report.stack.region = ctx.where;
    const lookup = ctx.aws.stacks().describe(DEFAULT_STACK_NAME);
    // A wall-clock promise to the operator: AbortSignal.timeout runs on Node's own (unref'd) timer,
    // which a test's simulated clock does not move.
    const signal = AbortSignal.timeout(STACK_LOOKUP_MS);
    const timeout = new Promise<never>((_, reject) => {
      signal.addEventListener('abort', () => reject(new Error(`no answer in ${STACK_LOOKUP_MS / 1000} s`)), {
        once: true,
      });
    });
    const stack = await Promise.race([lookup, timeout]);
    const version = stack.outputs[VERSION_OUTPUT];
    if (version) report.stack.version = version;
    else report.stack.unavailable = `no ${VERSION_OUTPUT} output`;
  } catch (error) {
    report.stack.unavailable = errorMessage(error).split('\n')[0] ?? '';
  }
  if (globals.json) io.out(jsonEnvelope('version', EXIT.ok, { ...report }));
  else {
    io.out(`runas-bootstrapper ${report.cli} (node ${report.node})`);
    const { stack } = report;
    io.out(
      stack.version
        ? `stack ${stack.name} ${stack.version} in ${stack.region}`
        : `stack ${stack.name}: not reachable: ${stack.unavailable}`,
    );
  }
  return EXIT.ok;
}
