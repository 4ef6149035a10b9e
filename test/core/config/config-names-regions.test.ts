import { describe, expect, it } from 'vitest';
import { parseConfig, userNameProblem } from '#core/config/config.ts';
import { partitionOf } from '#core/shared/arn.ts';
import { ConfigurationError } from '#core/shared/errors.ts';
import { isKnownRegion } from '#core/shared/regions.ts';

const base = { governedRegions: ['us-east-1'] };

describe('runAsDefaultUser: a portable Linux user name', () => {
  it.each([
    'ec2-user',
    'ubuntu',
    'ssm_user',
    '_svc',
    'a',
    'user1',
    'machine$',
    'a'.repeat(32),
    `${'b'.repeat(31)}$`,
  ])('accepts %s', (name) => {
    // Act / Assess
    expect(userNameProblem(name)).toBeUndefined();
    expect(parseConfig({ ...base, runAsDefaultUser: name }).runAsDefaultUser).toBe(name);
  });

  it.each([
    ['.', 'it names a directory'],
    ['..', 'it names a directory'],
    ['.hidden', 'is not a portable user name'],
    ['1000', 'all digits read as a user id'],
    ['0', 'all digits read as a user id'],
    ['-root', 'is not a portable user name'],
    ['Admin', 'is not a portable user name'],
    ['ec2 user', 'is not a portable user name'],
    ['rööt', 'is not a portable user name'],
    ['a$b', 'is not a portable user name'],
    ['a'.repeat(33), 'longer than 32 characters'],
    [`${'b'.repeat(32)}$`, 'longer than 32 characters'],
    ['9lives', 'is not a portable user name'],
  ])('refuses %j: %s, as one line naming the field', (name, reason) => {
    // Act
    const attempt = () => parseConfig({ ...base, runAsDefaultUser: name }, 'c.json');
    // Assess
    expect(attempt).toThrow(ConfigurationError);
    expect(attempt).toThrow(
      `runAsDefaultUser: ${JSON.stringify(name)} ${reason.startsWith('is') ? reason : ''}`,
    );
    expect(attempt).toThrow(reason);
    expect(attempt).not.toThrow(/\n/);
  });

  it('takes root only with allowRootDefaultUser: true', () => {
    // Act / Assess
    expect(() => parseConfig({ ...base, runAsDefaultUser: 'root' })).toThrow(
      'runAsDefaultUser: "root" gives every Session Manager shell root; set allowRootDefaultUser: true to mean it',
    );
    expect(
      parseConfig({ ...base, runAsDefaultUser: 'root', allowRootDefaultUser: true }).runAsDefaultUser,
    ).toBe('root');
  });
});

describe('regions and partitions from the SDK partition table', () => {
  it.each([
    ['us-east-1', 'aws'],
    ['il-central-1', 'aws'],
    ['cn-northwest-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
    ['us-iso-east-1', 'aws-iso'],
    ['us-isob-east-1', 'aws-iso-b'],
    ['eu-isoe-west-1', 'aws-iso-e'],
    ['us-isof-south-1', 'aws-iso-f'],
  ])('knows %s, in partition %s', (region, partition) => {
    // Act / Assess
    expect(isKnownRegion(region)).toBe(true);
    expect(partitionOf(region)).toBe(partition);
    expect(
      parseConfig({ ...base, runAsDefaultUser: 'ec2-user', governedRegions: [region] }).governedRegions,
    ).toEqual([region]);
  });

  it.each(['xx-yyy-1', 'us-east-99', 'aws-global', 'aws-iso-e-global', 'US-EAST-1', 'mars-1', ''])(
    'refuses %j as a ConfigurationError naming the field, on one line',
    (region) => {
      // Act
      const attempt = () =>
        parseConfig({ runAsDefaultUser: 'ec2-user', governedRegions: ['us-east-1', region] }, 'c.json');
      // Assess
      expect(attempt).toThrow(ConfigurationError);
      expect(attempt).toThrow(`governedRegions.1: ${JSON.stringify(region)} is not an AWS region name`);
      expect(attempt).not.toThrow(/\n/);
    },
  );

  it('refuses a made-up home region too', () => {
    // Act / Assess
    expect(() => parseConfig({ ...base, runAsDefaultUser: 'ec2-user', homeRegion: 'eu-fake-1' })).toThrow(
      'homeRegion: "eu-fake-1" is not an AWS region name',
    );
  });
});
