import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { checkConfigText, formatConfigProblem } from '#core/config/check.ts';
import { DEFAULT_CONFIG_FILE } from '#core/config/config.ts';
import { type CliIo, EXIT, type GlobalOptions, jsonEnvelope, UserError } from '../io.ts';

/** `runas-bootstrapper config validate [file]`: the config checks, offline, by line and column. */
export function registerConfig(program: Command, io: CliIo): void {
  const config = program.command('config').description('Work with a bootstrapper config file, offline');
  config
    .command('validate')
    .description(
      'Check a config file with no AWS access: JSON syntax and every field, each problem at its line and column. Exit 1 when it has problems',
    )
    .argument('[file]', 'the config file (default: --config, else bootstrapper.config.json)')
    .action((file: string | undefined, _options: unknown, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const path = file ?? globals.config ?? DEFAULT_CONFIG_FILE;
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch {
        throw new UserError(`cannot read config file ${path}`);
      }
      const problems = checkConfigText(text);
      const exitCode = problems.length === 0 ? EXIT.ok : EXIT.notCompliant;
      if (globals.json) {
        io.out(
          jsonEnvelope('config validate', exitCode, { file: path, valid: problems.length === 0, problems }),
        );
      } else if (problems.length === 0) {
        io.out(`${path}: valid`);
      } else {
        for (const problem of problems) io.out(formatConfigProblem(path, problem));
        io.out(`${problems.length} problem(s) in ${path}.`);
      }
      process.exitCode = exitCode;
    });
}
