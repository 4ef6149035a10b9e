import { Command, CommanderError } from 'commander';
import { registerCheck } from './commands/check.ts';
import { registerDemo } from './commands/demo.ts';
import { registerDoctor } from './commands/doctor.ts';
import { registerExplainEvent } from './commands/explain-event.ts';
import { registerLocalCloud } from './commands/local-cloud.ts';
import { registerPlan } from './commands/plan.ts';
import { registerReplay } from './commands/replay.ts';
import { registerStatus } from './commands/status.ts';
import { registerSweep } from './commands/sweep.ts';
import {
  type CliIo,
  EXIT,
  EXIT_CODES_HELP,
  exitCodeForError,
  type GlobalOptions,
  isUserError,
  processIo,
} from './io.ts';

/** The `runas-bootstrapper` command line. A factory, so tests get a fresh program each time. */
export function makeProgram(io: CliIo = processIo): Command {
  const program = new Command('runas-bootstrapper')
    .description('Set and verify Session Manager RunAs preferences in newly vended AWS member accounts.')
    .option('--config <file>', 'bootstrapper config file', 'bootstrapper.config.json')
    .option('--region <region>', 'AWS region of the management-account stack')
    .option('--profile <name>', 'AWS shared-config profile')
    .option('--endpoint-url <url>', 'AWS-compatible endpoint, e.g. the local cloud')
    .option('--json', 'machine-readable output on stdout')
    .option('--verbose', 'show handler logs')
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .addHelpText('after', EXIT_CODES_HELP)
    .showHelpAfterError('(run with --help for usage)');

  program.hook('preAction', (_root, action) => {
    const globals = action.optsWithGlobals<GlobalOptions>();
    // The SDK's credential chain reads the profile from the environment.
    if (globals.profile) process.env.AWS_PROFILE = globals.profile;
  });

  registerDemo(program, io);
  registerLocalCloud(program, io);
  registerExplainEvent(program, io);
  registerReplay(program, io);
  registerCheck(program, io);
  registerPlan(program, io);
  registerSweep(program, io);
  registerStatus(program, io);
  registerDoctor(program, io);
  return program;
}

/** Run the program; user mistakes become one line and exit code 2, never a stack trace. */
export async function runProgram(
  argv: string[],
  io: CliIo = processIo,
  program = makeProgram(io),
): Promise<number> {
  program.exitOverride();
  for (const sub of program.commands) sub.exitOverride();
  try {
    await program.parseAsync(argv);
    return Number(process.exitCode ?? EXIT.ok);
  } catch (error) {
    if (error instanceof CommanderError) {
      const code = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
      process.exitCode = code;
      return code;
    }
    if (isUserError(error)) {
      io.err(`error: ${(error as Error).message}`);
      process.exitCode = EXIT.usage;
      return EXIT.usage;
    }
    const code = exitCodeForError(error);
    io.err(`error: ${(error as Error)?.name ?? 'Error'}: ${(error as Error)?.message ?? String(error)}`);
    process.exitCode = code;
    return code;
  }
}
