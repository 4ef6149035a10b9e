import { describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError, SimulatedClock } from '../src/index.ts';

describe('scenario schema', () => {
  it('fills defaults for a minimal scenario', () => {
    // Prepare / Act
    const scenario = parseScenario({ managementAccountId: '111111111111', homeRegion: 'eu-west-1' });
    // Assess
    expect(scenario).toMatchObject({
      timeScale: 1,
      documentVersionLimit: 1000,
      documentStatusDelaySeconds: 0,
      verifySignatures: true,
      accounts: [],
      pipeline: {
        lzaVersion: '1.15.0',
        runs: [],
        sessionManager: { sendToCloudWatchLogs: true, sendToS3: true },
      },
      faults: { seed: 1, operations: {} },
    });
  });

  it('fills the defaults for joins, landing-zone updates, pipeline events and DynamoDB', () => {
    // Prepare / Act
    const scenario = parseScenario({
      managementAccountId: '111111111111',
      homeRegion: 'eu-west-1',
      accounts: [
        { accountId: '222222222222', name: 'old' },
        { accountId: '333333333333', name: 'invited', vend: { atSeconds: 5, via: 'invited' } },
      ],
      pipeline: { runs: [{ startAtSeconds: 0 }] },
      landingZoneUpdates: [{ atSeconds: 60 }],
      generatedAccounts: { count: 3 },
    });
    // Assess
    expect(scenario.organizations).toEqual({
      createAccountSeconds: 60,
      roleReadySeconds: 30,
      emitJoinEvents: true,
      joinEventDelaySeconds: 0,
    });
    expect(scenario.accounts[0]).toMatchObject({ joinedDaysAgo: 400, joinedMethod: 'CREATED' });
    expect(scenario.accounts[1]?.vend).toMatchObject({ via: 'invited', deliveries: 1 });
    expect(scenario.accounts[1]?.vend?.enrollSeconds).toBeUndefined();
    expect(scenario.pipeline.eventDeliveries).toBe(1);
    expect(scenario.pipeline.runs[0]).toMatchObject({ changesSessionManagerSettings: false, dropEvents: [] });
    expect(scenario.landingZoneUpdates).toEqual([{ atSeconds: 60, deliveries: 1 }]);
    expect(scenario.generatedAccounts).toEqual({
      count: 3,
      startId: '900000000000',
      namePrefix: 'generated',
      organizationalUnit: 'Workloads',
      joinedDaysAgo: 400,
    });
    expect(scenario.dynamodb).toEqual({ tableStatusDelaySeconds: 0 });
  });

  it('names every offending field', () => {
    // Prepare
    const input = {
      managementAccountId: '123',
      homeRegion: 'mars-1',
      accounts: [
        { accountId: '222222222222', name: 'a', vend: { atSeconds: -1, via: 'carrier-pigeon' } },
        { accountId: '2222', name: 'b' },
      ],
      faults: { throttleRate: 2 },
      surprise: true,
    };
    // Act
    let message = '';
    try {
      parseScenario(input, 'bad.json');
    } catch (error) {
      expect(error).toBeInstanceOf(ScenarioError);
      message = (error as Error).message;
    }
    // Assess
    expect(message).toContain('Invalid scenario in bad.json');
    for (const field of [
      'managementAccountId',
      'homeRegion',
      'accounts.0.vend.atSeconds',
      'accounts.0.vend.via',
      'accounts.1.accountId',
      'faults.throttleRate',
      'surprise',
    ]) {
      expect(message).toContain(field);
    }
  });

  it('rejects duplicate account ids and a vended management account', () => {
    // Prepare
    const input = {
      managementAccountId: '111111111111',
      homeRegion: 'us-east-1',
      accounts: [
        { accountId: '222222222222', name: 'a' },
        { accountId: '222222222222', name: 'b' },
        { accountId: '111111111111', name: 'm', vend: { atSeconds: 0, via: 'organizations' } },
      ],
    };
    // Act / Assess
    expect(() => parseScenario(input)).toThrow(
      /accounts\.1\.accountId: duplicate account id[\s\S]*accounts\.2\.vend: the management account cannot be vended/,
    );
  });
});

describe('SimulatedClock', () => {
  it('runs 1/timeScale times faster than the wall clock and converts both ways', () => {
    // Scaled time is this test's subject; its wall clock is a variable, so no load can stretch it.
    // Prepare
    let wall = 1_000_000;
    const clock = new SimulatedClock(0.02, () => wall);
    // Act
    wall += 1000;
    // Assess
    expect(clock.elapsedSeconds()).toBe(50);
    expect(clock.nowMs()).toBe(1_000_000 + 50_000);
    expect(clock.wallMsToSimSeconds(1000)).toBe(50);
    expect(clock.simSecondsToWallMs(50)).toBe(1000);
    expect(clock.toWallEpochMs(clock.toSimulatedEpochMs(1_002_000))).toBe(1_002_000);
  });
});
