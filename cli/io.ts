import { readFileSync } from 'node:fs';
import { isCredentialsRejected } from '#adapters/aws-errors.ts';
import { DEFAULT_WIDTH } from '#cli/text-table.ts';
import { type BootstrapperConfig, DEFAULT_CONFIG_FILE, parseConfigText } from '#core/config/config.ts';
import {
  BootstrapperError,
  ConfigurationError,
  CredentialsRejectedError,
  StsRegionDisabledError,
} from '#core/shared/errors.ts';
import { type Progress, startProgress } from './progress.ts';

/** The options every command takes (set on the root program). */
export interface GlobalOptions {
  config?: string;
  region?: string;
  profile?: string;
  endpointUrl?: string;
  json?: boolean;
  verbose?: boolean;
}

/** Where a command writes; tests capture both streams. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Whether `err` is an interactive terminal (progress is drawn only there). */
  interactive: boolean;
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  interactive: process.stderr.isTTY === true,
};

/**
 * Documented exit codes (see `--help` and docs/operate.md): one per kind of failure, the same in
 * every command, whether the failure hit the whole command or one account × region of it.
 */
export const EXIT = {
  ok: 0,
  /** The command ran and judged: something is not compliant, was refused, or a run failed. */
  notCompliant: 1,
  /** A user mistake: bad option, bad account id, unknown region, bad config. */
  usage: 2,
  /** AWS or the local cloud could not be reached or failed (network, throttling, 5xx, timeout). */
  failure: 3,
  /**
   * No credentials were found (missing profile, no key), AWS refused them (unknown key, bad
   * signature, expired), or STS is off in the region.
   */
  credentials: 4,
} as const;

export const EXIT_CODES_HELP = `
Exit codes (the same for every command):
  0  success; everything checked is compliant
  1  something is not compliant, was refused, a role could not be assumed, or a run failed
  2  usage error: bad option, account id, region, config or missing stack
  3  AWS or the local cloud failed or could not be reached (for the whole command or for
     one account and region), or sweep gave up following at --timeout
  4  no credentials were found (missing profile or key), the management credentials were
     refused (unknown, expired, bad signature), or STS is not activated in the region`;

/** The exit code for an error that ended a command. */
export function exitCodeForError(error: unknown): number {
  if (isUserError(error)) return EXIT.usage;
  if (
    error instanceof CredentialsRejectedError ||
    error instanceof CredentialsMissingError ||
    error instanceof StsRegionDisabledError ||
    isCredentialsRejected(error) ||
    (error as { name?: string })?.name === 'RegionDisabledException'
  ) {
    return EXIT.credentials;
  }
  return EXIT.failure;
}

/** The exit code for per-cell outcomes: an AWS failure in any cell outranks a judgement. */
export function exitCodeForCells(statuses: readonly string[]): number {
  if (statuses.includes('error')) return EXIT.failure;
  return statuses.every((s) => s === 'compliant' || s === 'none') ? EXIT.ok : EXIT.notCompliant;
}

/** No credentials anywhere in the SDK's chain, or none in the named profile: one line, exit code 4. */
export class CredentialsMissingError extends Error {
  override readonly name = 'CredentialsMissingError';
}

/**
 * The one JSON shape of every command's --json: `ok`, `command` and `exitCode`, then the
 * command's own fields (never a bare array). A failure carries `error` instead.
 */
export function jsonEnvelope(command: string, exitCode: number, data: Record<string, unknown>): string {
  return JSON.stringify({ ok: exitCode === EXIT.ok, command, exitCode, ...data }, null, 2);
}

/** A mistake the user can fix: printed as one line, no stack trace, exit code 2. */
export class UserError extends Error {
  override readonly name = 'UserError';
}

export function isUserError(error: unknown): boolean {
  return (
    error instanceof UserError ||
    error instanceof ConfigurationError ||
    (error instanceof BootstrapperError && error.name === 'InvalidRequestError')
  );
}

export function loadConfig(file: string | undefined): BootstrapperConfig {
  const path = file ?? DEFAULT_CONFIG_FILE;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UserError(`cannot read config file ${path}`);
  }
  return parseConfigText(text, path);
}

/**
 * The width tables must fit: COLUMNS when set (as shells export it), else the terminal's width
 * when stdout is one, else DEFAULT_WIDTH (120), so piped output and CI logs stay readable.
 */
export function outputWidth(
  env: Record<string, string | undefined> = process.env,
  stdout: { isTTY?: boolean; columns?: number } = process.stdout,
): number {
  const columns = Number(env.COLUMNS);
  if (Number.isInteger(columns) && columns > 0) return columns;
  if (stdout.isTTY && stdout.columns && stdout.columns > 0) return stdout.columns;
  return DEFAULT_WIDTH;
}

/**
 * Progress on stderr (cli/progress.ts): a bar with an ETA on a terminal, a line every few
 * seconds when piped.
 */
export function progress(io: CliIo, label: string, total: number): Progress {
  return startProgress(label, total, {
    interactive: io.interactive,
    write: (text) => process.stderr.write(text),
    line: (text) => io.err(text),
  });
}
