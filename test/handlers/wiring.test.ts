import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { configToEnvironment, overlayConfig, parseConfig } from '#core/config/config.ts';
import { ConfigurationError } from '#core/shared/errors.ts';
import { LEDGER_TABLE_ENV_VAR } from '#core/vend/ledger.ts';
import * as applyPreferences from '#handlers/apply-preferences.ts';
import * as awaitRole from '#handlers/await-role.ts';
import * as listAccounts from '#handlers/list-accounts.ts';
import * as planFollowUp from '#handlers/plan-follow-up.ts';
import * as recordEnforcement from '#handlers/record-enforcement.ts';
import * as recordFollowUp from '#handlers/record-follow-up.ts';
import * as recordSweep from '#handlers/record-sweep.ts';
import * as resolveRequest from '#handlers/resolve-request.ts';
import { coldStart, handlerEnvironment } from '#handlers/shared/wiring/environment.ts';
import { organizationAccess } from '#handlers/shared/wiring/organization-access.ts';
import * as verifyPreferences from '#handlers/verify-preferences.ts';

/** Each Lambda entry's wiring: what its bundle builds from `process.env` at cold start. */
const WIRINGS = {
  applyPreferences,
  awaitRole,
  listAccounts,
  planFollowUp,
  recordEnforcement,
  recordFollowUp,
  recordSweep,
  resolveRequest,
  verifyPreferences,
};

const MANAGEMENT = '111111111111';

/** The organization shapes whose clients reach the organization or the pipeline differently. */
const SHAPES = {
  management: {},
  hub: { hubAccountId: '444444444444' },
  'external pipeline account': {
    lza: { measureGap: 'auto', version: '1.13.0', pipelineAccountId: '333333333333' },
  },
};

const SHIPPED_CONFIG: unknown = JSON.parse(
  readFileSync(new URL('../../bootstrapper.config.json', import.meta.url), 'utf8'),
);

/** A deployed function's variables: the shipped config with the shape's settings, region and table. */
function lambdaVariables(override: object): Record<string, string> {
  const config = parseConfig(
    overlayConfig(SHIPPED_CONFIG, { managementAccountId: MANAGEMENT, ...override }),
    'test',
  );
  return {
    ...configToEnvironment(config),
    AWS_REGION: 'us-east-1',
    [LEDGER_TABLE_ENV_VAR]: 'runas-bootstrapper-vends',
  };
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('handler wiring', () => {
  it.each(Object.entries(SHAPES))(
    'builds every handler from the Lambda environment of a %s deployment',
    (_shape, override) => {
      // Prepare
      const environment = handlerEnvironment(lambdaVariables(override));
      // Act
      const failures = Object.entries(WIRINGS).flatMap(([name, module]) => {
        try {
          module.wire(environment);
          return [];
        } catch (error) {
          return [`${name}: ${String(error)}`];
        }
      });
      // Assess
      expect(failures).toEqual([]);
    },
  );

  it('reaches the organization from a hub through one hop role, shared by its clients', () => {
    // Prepare
    const hub = handlerEnvironment(lambdaVariables(SHAPES.hub));
    const management = handlerEnvironment(lambdaVariables(SHAPES.management));
    // Act
    const [first, second] = [organizationAccess(hub), organizationAccess(hub)];
    // Assess
    expect(typeof first.credentials).toBe('function');
    expect(second).toBe(first);
    expect(organizationAccess(management)).toBe(management.clients);
  });

  it('fails a ledger handler at cold start naming a missing table variable', () => {
    // Prepare
    const { [LEDGER_TABLE_ENV_VAR]: _table, ...variables } = lambdaVariables({});
    const environment = handlerEnvironment(variables);
    // Act
    const attempt = () => resolveRequest.wire(environment);
    // Assess
    expect(attempt).toThrow(ConfigurationError);
    expect(attempt).toThrow(`${LEDGER_TABLE_ENV_VAR}: environment variable is not set`);
  });

  it('points every client at the environment endpoint, on the clock it is given', async () => {
    // Prepare
    const slept: number[] = [];
    const variables = { ...lambdaVariables({}), AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' };
    // Act
    const environment = handlerEnvironment(variables, {
      now: () => 42,
      sleep: async (ms) => {
        slept.push(ms);
      },
    });
    await environment.sleep(250);
    // Assess
    expect(environment.clients).toEqual({ region: 'us-east-1', endpoint: 'http://127.0.0.1:4566' });
    expect(environment.now()).toBe(42);
    expect(slept).toEqual([250]);
  });

  it('reads process.env once per cold start and reuses the dependencies while warm', () => {
    // Prepare
    for (const [name, value] of Object.entries(lambdaVariables({}))) vi.stubEnv(name, value);
    const wire = vi.fn(listAccounts.wire);
    const dependencies = coldStart(wire);
    // Act
    const [first, second] = [dependencies(), dependencies()];
    // Assess
    expect(wire).toHaveBeenCalledTimes(1);
    expect(second).toBe(first);
    expect(first.config.managementAccountId).toBe(MANAGEMENT);
  });
});
