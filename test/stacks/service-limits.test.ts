import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  environmentBytes,
  LAMBDA_ENVIRONMENT_MAX_BYTES,
  MAX_HISTORY_EVENTS,
  worstCaseHistory,
} from '#core/deploy/limits.ts';
import { ConfigurationError } from '#core/shared/errors.ts';
import { maxAttempts } from '#core/vend/role-wait.ts';
import { STATE_MACHINE_DIR } from '#stacks/bootstrapper-stack.ts';
import { bootstrapHistoryBound, followUpHistoryBound } from '#stacks/service-limits.ts';
import { MANAGEMENT_ACCOUNT, synthApp, testConfig } from './stack-fixture.ts';

const accounts = (n: number) => Array.from({ length: n }, (_, i) => String(100000000000 + i));
const synth = (override: unknown) => () =>
  synthApp(testConfig(override), { defaultAccount: MANAGEMENT_ACCOUNT, defaultRegion: 'eu-west-1' });
const BOOTSTRAP_ASL = path.join(STATE_MACHINE_DIR, 'bootstrap.asl.json');
const FOLLOW_UP_ASL = path.join(STATE_MACHINE_DIR, 'follow-up.asl.json');

describe("Lambda's 4 KB environment, checked at synth", () => {
  it('counts every key and value in UTF-8 bytes', () => {
    // Act / Assess
    expect(environmentBytes({ A: 'bc', DÉ: 'é' })).toBe(1 + 2 + 3 + 2);
  });

  it('refuses a config whose excludeAccountIds no longer fit, naming the field first', () => {
    // Act / Assess
    expect(synth({ excludeAccountIds: accounts(300) })).toThrow(ConfigurationError);
    expect(synth({ excludeAccountIds: accounts(300) })).toThrow(
      new RegExp(
        `over the ${LAMBDA_ENVIRONMENT_MAX_BYTES} Lambda allows .*: shorten excludeAccountIds \\(\\d+ bytes\\)`,
      ),
    );
  });

  it('deploys 150 excluded accounts', () => {
    // Act
    const built = synth({ excludeAccountIds: accounts(150) })();
    // Assess
    const sizes = Object.values(built.templates.bootstrapper.findResources('AWS::Lambda::Function')).map(
      (fn) => environmentBytes(fn.Properties.Environment.Variables),
    );
    expect(Math.max(...sizes)).toBeLessThanOrEqual(LAMBDA_ENVIRONMENT_MAX_BYTES);
  });
});

describe('the 25,000-event history of one bootstrap execution, checked at synth', () => {
  it('bounds the shipped config well inside the limit', () => {
    // Act
    const bound = bootstrapHistoryBound(testConfig(), BOOTSTRAP_ASL);
    // Assess
    expect(bound.total).toBeLessThan(MAX_HISTORY_EVENTS / 2);
    expect(Object.keys(bound.terms)).toEqual(expect.arrayContaining(['fixed', 'mapItems', 'loop']));
  });

  it('counts every attempt of the longest role wait as a pass through the AwaitRole loop', () => {
    // Prepare
    const config = testConfig({ roleWaitTimeoutMinutes: 240 });
    // Act
    const bound = bootstrapHistoryBound(config, BOOTSTRAP_ASL);
    // Assess: a pass is AwaitRole (5 events, 18 more if its transient retries are all taken),
    // the Choice and the Wait (2 each).
    const attempts = maxAttempts(240 * 60, config.roleWaitSchedule);
    expect(bound.terms.loop).toBe(attempts * (5 + 6 * 3 + 2 + 2));
    expect(bound.total).toBeLessThan(MAX_HISTORY_EVENTS / 2);
  });

  it('grows with the role wait and the regions, and no longer with LZA following (no execution waits for LZA)', () => {
    // Prepare
    const base = bootstrapHistoryBound(testConfig(), BOOTSTRAP_ASL).total;
    // Act
    const longerWait = bootstrapHistoryBound(
      testConfig({ roleWaitTimeoutMinutes: 120 }),
      BOOTSTRAP_ASL,
    ).total;
    const moreRegions = bootstrapHistoryBound(
      testConfig({ governedRegions: ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1'] }),
      BOOTSTRAP_ASL,
    ).total;
    const longerFollowing = bootstrapHistoryBound(
      testConfig({ lza: { awaitTimeoutHours: 168 } }),
      BOOTSTRAP_ASL,
    ).total;
    // Assess
    for (const larger of [longerWait, moreRegions]) expect(larger).toBeGreaterThan(base);
    expect(longerFollowing).toBe(base);
  });

  it("keeps the follow-up's worst case, at its caps, well inside the history", () => {
    // Act
    const bound = followUpHistoryBound(FOLLOW_UP_ASL);
    // Assess
    // The repair Maps lie on the PlanAgain loop: two passes, each at the cap.
    expect(bound.terms.loop).toBeGreaterThan(0);
    // Two plans of 100 repairs each and 25 re-drives, every retry taken: 21,350 events, inside the
    // 25,000 limit. (One plan of 100 was about 10,000; the second plan in the same run doubled it.)
    expect(bound.total).toBeLessThan(MAX_HISTORY_EVENTS);
  });

  it('accepts the longest role wait the config allows', () => {
    // Act / Assess
    expect(synth({ roleWaitTimeoutMinutes: 240 })).not.toThrow();
  });

  it('counts a Task, its retries, a Map and a loop as Step Functions records them', () => {
    // Prepare
    const definition = {
      StartAt: 'T',
      States: {
        T: { Type: 'Task', Resource: 'x', Retry: [{ ErrorEquals: ['E'], MaxAttempts: 2 }], Next: 'M' },
        M: {
          Type: 'Map',
          ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
          Next: 'W',
        },
        W: { Type: 'Wait', Seconds: 1, Next: 'C' },
        C: { Type: 'Choice', Choices: [{ Variable: '$.x', BooleanEquals: true, Next: 'W' }], Default: 'S' },
        S: { Type: 'Succeed' },
      },
    };
    // Act
    const bound = worstCaseHistory(definition, {
      mapItems: 3,
      deadlineBound: {},
      loopIterations: 10,
      loopMapRuns: 0,
      loopMapItems: 0,
    });
    // Assess: execution 2; T 5 + 2×3; M 4 and 3 × (2 + 2); S 1; W and C 2 each per pass.
    expect(bound.terms).toEqual({ fixed: 2 + 11 + 4 + 1, mapItems: 12, loop: 40 });
    expect(bound.total).toBe(70);
  });
});
