import { type ParseArgsConfig, parseArgs } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * The command lines of `npm run bench` and `npm run soak`: strict options, one usage line, and
 * the checks both share. A mistake prints the usage and exits 2.
 */
export function benchCommandLine(usageLine: string, options: Options) {
  const usage = (message: string): never => {
    process.stderr.write(`error: ${message}\nusage: ${usageLine}\n`);
    process.exit(2);
  };
  let values: Record<string, string | boolean | undefined> = {};
  try {
    ({ values } = parseArgs({ options, strict: true }) as { values: typeof values });
  } catch (error) {
    usage((error as Error).message);
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
