import { Command, CommanderError } from 'commander';
import { errorMessage } from '#core/shared/error-text.ts';

type Options = Record<string, { type: 'string' | 'boolean'; description?: string }>;

const camel = (name: string) => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * The command lines of `npm run bench` and `npm run soak`, parsed by commander as the CLI's
 * are: strict options, `--help` with every option, and the checks both share. A mistake prints
 * the error and the usage line and exits 2.
 */
export function benchCommandLine(usageLine: string, options: Options, argv: string[] = process.argv) {
  const usage = (message: string): never => {
    process.stderr.write(`error: ${message}\nusage: ${usageLine}\n`);
    process.exit(2);
  };
  const program = new Command(usageLine.split(' -- ')[0] ?? 'bench')
    .usage(usageLine.split(' -- ')[1] ?? '[options]')
    .exitOverride()
    .configureOutput({ writeErr: () => {} });
  for (const [name, { type, description = '' }] of Object.entries(options)) {
    if (type === 'string') program.option(`--${name} <value>`, description);
    else program.option(`--${name}`, description);
  }
  try {
    program.parse(argv);
  } catch (error) {
    if (error instanceof CommanderError && error.exitCode === 0) process.exit(0);
    usage(errorMessage(error).replace(/^error: /, ''));
  }
  const parsed = program.opts<Record<string, string | boolean | undefined>>();
  const values: Record<string, string | boolean | undefined> = {};
  for (const name of Object.keys(options)) {
    // Commander reads `--no-x` as x = false.
    values[name] = name.startsWith('no-') ? parsed[camel(name.slice(3))] === false : parsed[camel(name)];
  }
  const text = (name: string) => values[name] as string | undefined;
  const positiveInt = (name: string, fallback: number): number => {
    const given = text(name);
    if (given === undefined) return fallback;
    const value = Number(given);
    if (!Number.isInteger(value) || value < 1) usage(`--${name} must be a positive integer, got "${given}"`);
    return value;
  };
  const timeScale = (): number => {
    // 1 plays on virtual time (packages/local-cloud/src/virtual-time.ts); below 1, on scaled wall time.
    const value = text('time-scale') === undefined ? 1 : Number(text('time-scale'));
    if (!(value > 0 && value <= 1)) usage('--time-scale must be in (0, 1]');
    return value;
  };
  return { values, text, usage, positiveInt, timeScale, flag: (name: string) => values[name] === true };
}
