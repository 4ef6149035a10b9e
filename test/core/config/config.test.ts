import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  configFromEnvironment,
  configToEnvironment,
  overlayConfig,
  parseConfig,
  parseConfigText,
  runAsSetting,
} from '#core/config/config.ts';
import { ConfigurationError } from '#core/shared/errors.ts';

const minimal = { runAsDefaultUser: 'ec2-user', governedRegions: ['us-east-1'] };

function errorOf(input: unknown): ConfigurationError {
  try {
    parseConfig(input, 'test.json');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return error as ConfigurationError;
  }
  throw new Error('expected a ConfigurationError');
}

describe('config schema', () => {
  it('accepts a three-line file and fills every documented default', () => {
    // Act
    const config = parseConfig(minimal);
    // Assess
    expect(config).toMatchObject({
      runAsEnabled: true,
      runAsDefaultUser: 'ec2-user',
      governedRegions: ['us-east-1'],
      memberRoleNames: ['AWSControlTowerExecution', 'OrganizationAccountAccessRole'],
      roleWaitTimeoutMinutes: 30,
      excludeAccountIds: [],
      lza: {
        pipelineName: 'AWSAccelerator-Pipeline',
        measureGap: 'auto',
        awaitTimeoutHours: 6,
        reconcileSchedule: 'rate(1 hour)',
      },
      vendWindowHours: 24,
      invitedRoleWaitMinutes: 5,
      ledgerRetentionDays: 400,
      sweep: { schedule: 'rate(1 day)', repair: true, enabled: true, maxConcurrency: 10 },
      guardrail: { scp: { enabled: false, targetIds: [], exemptRoleArns: [] } },
    });
  });

  it('validates the committed default config file', () => {
    const config = parseConfigText(readFileSync('bootstrapper.config.json', 'utf8'));
    expect(config.governedRegions.length).toBeGreaterThan(0);
  });

  it.each([
    [{ governedRegions: ['us-east-1'] }, 'runAsDefaultUser: is required'],
    [{ ...minimal, runAsDefaultUser: '' }, 'runAsDefaultUser:'],
    [{ ...minimal, runAsDefaultUser: '-root' }, 'runAsDefaultUser: "-root" is not a portable user name'],
    [{ ...minimal, runAsDefaultUser: 'a'.repeat(33) }, 'runAsDefaultUser:'],
    [{ ...minimal, runAsDefaultUser: 'ec2 user' }, 'runAsDefaultUser:'],
    [{ ...minimal, runAsDefaultUser: 'rööt' }, 'runAsDefaultUser:'],
    [{ runAsDefaultUser: 'x' }, 'governedRegions:'],
    [{ ...minimal, governedRegions: [] }, 'governedRegions: must list at least one region'],
    [
      { ...minimal, governedRegions: ['us-east-1', 'US-EAST-1'] },
      'governedRegions.1: "US-EAST-1" is not an AWS region name',
    ],
    [{ ...minimal, governedRegions: ['us-east-1', 'us-east-1'] }, 'governedRegions.1: duplicate region'],
    [
      { ...minimal, memberRoleNames: ['bad role'] },
      'memberRoleNames.0: "bad role" is not a valid IAM role name',
    ],
    [{ ...minimal, memberRoleNames: [] }, 'memberRoleNames: must list at least one role name'],
    [{ ...minimal, roleWaitTimeoutMinutes: 0 }, 'roleWaitTimeoutMinutes:'],
    [
      { ...minimal, excludeAccountIds: ['12345678901'] },
      'excludeAccountIds.0: "12345678901" is not a 12-digit account id',
    ],
    [{ ...minimal, managementAccountId: '1234567890123' }, 'managementAccountId:'],
    [{ ...minimal, lza: { pipelineName: 'bad name!' } }, 'lza.pipelineName:'],
    [{ ...minimal, lza: { awaitTimeoutHours: -1 } }, 'lza.awaitTimeoutHours:'],
    [{ ...minimal, sweep: { schedule: 'daily' } }, 'sweep.schedule:'],
    [{ ...minimal, sweep: { maxConcurrency: 0 } }, 'sweep.maxConcurrency:'],
    [
      { ...minimal, guardrail: { scp: { enabled: true } } },
      'guardrail.scp.targetIds: must name at least one',
    ],
    [{ ...minimal, guardrail: { scp: { targetIds: ['bogus'] } } }, 'guardrail.scp.targetIds.0:'],
    [{ ...minimal, notifications: { email: 'not-an-email' } }, 'notifications.email:'],
    [{ ...minimal, runAsEnabled: 'yes' }, 'runAsEnabled:'],
    [{ ...minimal, governedRegion: ['us-east-1'] }, 'governedRegion: unknown field'],
  ])('rejects %j naming the field', (input, message) => {
    // Act
    const error = errorOf(input);
    // Assess
    expect(error.name).toBe('ConfigurationError');
    expect(error.message).toContain('test.json');
    expect(error.message).toContain(message);
  });

  it('allows RunAs disabled without a user', () => {
    const config = parseConfig({ runAsEnabled: false, governedRegions: ['eu-west-1'] });
    expect(runAsSetting(config)).toEqual({ enabled: false, defaultUser: '' });
  });

  it('reports a file that is not JSON', () => {
    expect(() => parseConfigText('{', 'x.json')).toThrow(/x\.json: not valid JSON/);
  });
});

describe('overlayConfig', () => {
  it('overrides only the fields the overlay names, deeply', () => {
    // Act
    const merged = overlayConfig(
      { ...minimal, lza: { pipelineName: 'P', measureGap: true } },
      { lza: { measureGap: false }, governedRegions: ['eu-west-1'] },
    );
    // Assess
    expect(merged).toEqual({
      runAsDefaultUser: 'ec2-user',
      governedRegions: ['eu-west-1'],
      lza: { pipelineName: 'P', measureGap: false },
    });
  });
});

describe('config environment', () => {
  it('round-trips through the Lambda environment and fails fast when missing', () => {
    // Prepare
    const config = parseConfig(minimal);
    // Act
    const env = configToEnvironment(config);
    // Assess
    expect(configFromEnvironment(env)).toEqual(config);
    expect(() => configFromEnvironment({})).toThrow(/BOOTSTRAPPER_CONFIG: environment variable is not set/);
    expect(() => configFromEnvironment({ BOOTSTRAPPER_CONFIG: '{"governedRegions":[]}' })).toThrow(
      ConfigurationError,
    );
  });
});
