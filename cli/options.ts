import type { BootstrapperConfig } from '#core/config/config.ts';
import { ACCOUNT_ID_PATTERN } from '#core/shared/arn.ts';
import { UserError } from './io.ts';

/** Split `--account-id a b` and `--account-id a,b`; every id must be 12 digits. Duplicates are dropped. */
export function parseAccountIds(values: readonly string[] | undefined): string[] {
  const ids = (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim());
  for (const id of ids) {
    if (!ACCOUNT_ID_PATTERN.test(id))
      throw new UserError(`account id "${id}" is not a 12-digit AWS account id`);
  }
  return [...new Set(ids)];
}

/** The requested regions, each of which must be governed; all governed regions when none are given. */
export function parseRegions(values: readonly string[] | undefined, config: BootstrapperConfig): string[] {
  const requested = (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim());
  if (requested.length === 0) return [...config.governedRegions];
  for (const region of requested) {
    if (!config.governedRegions.includes(region)) {
      throw new UserError(
        `region "${region}" is not governed (governed: ${config.governedRegions.join(', ')}); see governedRegions in the config`,
      );
    }
  }
  return [...new Set(requested)];
}

/** Run `work` over `items` with at most `limit` in flight, keeping the input order in the result. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]{1,80}$/;

/** `--state-machine-arn`, checked before any call; undefined when not given. */
export function checkStateMachineArn(value: string | undefined): string | undefined {
  if (value !== undefined && !STATE_MACHINE_ARN.test(value)) {
    throw new UserError(`--state-machine-arn ${JSON.stringify(value)} is not a state machine ARN`);
  }
  return value;
}

/** A `--timeout`-style option: a positive number of seconds, or a usage error naming the flag. */
export function positiveSeconds(value: string, flag: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new UserError(`${flag} ${value} is not a positive number`);
  return seconds;
}
