import { Command, CommanderError } from 'commander';
import { networkErrorCode } from '#adapters/aws-errors.ts';
import { describeError, errorMessage } from '#core/shared/error-text.ts';
import { clearTarget, networkErrorLine } from './aws-target.ts';
import { registerCheck } from './commands/check.ts';
import { registerConfig } from './commands/config.ts';
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
  CredentialsMissingError,
  EXIT,
  EXIT_CODES_HELP,
  exitCodeForError,
  type GlobalOptions,
  isUserError,
  processIo,
} from './io.ts';
import { printVersion } from './version.ts';

/** The `runas-bootstrapper` command line. A factory, so tests get a fresh program each time. */
export function makeProgram(io: CliIo = processIo): Command {
  const program = new Command('runas-bootstrapper')
    .description('Set and verify Session Manager RunAs preferences in newly vended AWS member accounts.')
    .option('--config <file>', 'bootstrapper config file', 'bootstrapper.config.json')
    .option('--region <region>', 'AWS region of the management-account stack')
    .option('--profile <name>', 'AWS shared-config profile')
    .option('--endpoint-url <url>', 'AWS-compatible endpoint, e.g. the local cloud')
    .option('--json', 'machine-readable output on stdout')
    .option('--verbose', 'say which region is used and where it came from; show handler logs')
    .option('-V, --version', "print the CLI's version, and the deployed stack's when reachable")
    .configureHelp({ showGlobalOptions: true })
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
  registerConfig(program, io);
  return program;
}

/** The command the arguments name (`check`, `config validate`), for the JSON envelope. */
function commandName(program: Command, args: readonly string[]): string {
  const names: string[] = [];
  let current = program;
  for (const arg of args) {
    const sub = current.commands.find((c) => c.name() === arg);
    if (!sub) continue;
    names.push(arg);
    current = sub;
  }
  return names.join(' ') || program.name();
}

/** `--version` (or `-V`) before any command, as the AWS CLI and the CDK CLI take it. */
function asksVersion(program: Command, args: readonly string[]): boolean {
  const names = new Set(program.commands.map((c) => c.name()));
  for (const arg of args) {
    if (names.has(arg)) return false;
    if (arg === '--version' || arg === '-V') return true;
  }
  return false;
}

/** The global options given before the command, read without running it (for --version). */
function globalsOf(program: Command, args: readonly string[]): GlobalOptions {
  program.allowUnknownOption().parseOptions([...args]);
  return program.opts<GlobalOptions>();
}

/**
 * Run the program. User mistakes are one line and exit code 2, missing credentials one line and
 * exit 4, an unreachable endpoint one line with a hint and exit 3: never a stack trace. Under
 * --json the failure is also the JSON envelope on stdout, with the same exit code.
 */
export async function runProgram(
  argv: string[],
  io: CliIo = processIo,
  program = makeProgram(io),
): Promise<number> {
  program.exitOverride();
  const exitOverride = (command: Command): void => {
    for (const sub of command.commands) {
      sub.exitOverride();
      exitOverride(sub);
    }
  };
  exitOverride(program);
  const args = argv.slice(2);
  const json = args.includes('--json');
  const fail = (code: number, kind: string, message: string, printed = false): number => {
    if (!printed) io.err(`error: ${message}`);
    if (json)
      io.out(
        JSON.stringify(
          { ok: false, command: commandName(program, args), exitCode: code, error: { kind, message } },
          null,
          2,
        ),
      );
    process.exitCode = code;
    return code;
  };
  clearTarget();
  try {
    if (asksVersion(program, args)) return await printVersion(globalsOf(program, args), io);
    await program.parseAsync(argv);
    return Number(process.exitCode ?? EXIT.ok);
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) {
        process.exitCode = EXIT.ok;
        return EXIT.ok;
      }
      // Commander has already printed its message on stderr.
      return fail(EXIT.usage, 'usage', error.message.replace(/^error: /, ''), true);
    }
    if (isUserError(error)) return fail(EXIT.usage, 'usage', errorMessage(error));
    if (error instanceof CredentialsMissingError) return fail(EXIT.credentials, 'credentials', error.message);
    const network = networkErrorCode(error);
    if (network)
      return fail(
        EXIT.failure,
        'network',
        networkErrorLine(network, program.opts<GlobalOptions>().endpointUrl),
      );
    const code = exitCodeForError(error);
    return fail(code, code === EXIT.credentials ? 'credentials' : 'aws', describeError(error));
  }
}
