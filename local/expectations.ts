import type { Scenario } from '@runas-bootstrapper/local-cloud';
import { z } from 'zod';
import { ConfigurationError } from '#core/shared/errors.ts';
import { isKnownRegion } from '#core/shared/regions.ts';

/**
 * What a scenario expects the bootstrapper to make of an account, per governed region: the
 * `expect` block of a scenario account, which the local cloud carries without reading. The demo
 * and the bench compare each region's outcome with it; a region not named is expected compliant.
 */
export type ExpectedOutcome = 'compliant' | 'refused' | 'failed';

const expectation = z.strictObject({
  regions: z
    .record(
      z.string().refine(isKnownRegion, 'is not a region in the AWS SDK partition table'),
      z.enum(['compliant', 'refused', 'failed']),
    )
    .optional(),
});

/** Every account's expectations checked at once: a typo is an error naming the account and field. */
export function checkExpectations(scenario: Scenario, source: string): void {
  const problems = scenario.accounts.flatMap((account, index) => {
    const parsed = expectation.safeParse(account.expect ?? {});
    return parsed.success
      ? []
      : parsed.error.issues.map((issue) => {
          const field = [`accounts.${index}.expect`, ...issue.path.map(String)].join('.');
          return issue.code === 'unrecognized_keys'
            ? `${field}: unknown field(s) ${issue.keys.join(', ')}`
            : `${field}: ${issue.message}`;
        });
  });
  if (problems.length > 0)
    throw new ConfigurationError(`Invalid scenario in ${source}: ${problems.join('; ')}`);
}

/** The outcome a scenario expects for one account and region (compliant unless it says otherwise). */
export function expectedOutcome(
  account: { expect?: Record<string, unknown> },
  region: string,
): ExpectedOutcome {
  const parsed = expectation.safeParse(account.expect ?? {});
  if (!parsed.success) throw new ConfigurationError(`invalid expect block: ${parsed.error.message}`);
  return parsed.data.regions?.[region] ?? 'compliant';
}
