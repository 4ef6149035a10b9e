import { describe, expect, it } from 'vitest';
import { DOCTOR_CHECKS } from '#cli/commands/doctor.ts';
import { assertOrdered, type DoctorRun, type DoctorStep, fact, runSteps } from '#cli/doctor/steps.ts';
import type { OperatorContext } from '#cli/operator-context.ts';

const finder: DoctorStep = {
  name: 'finder',
  needs: [],
  finds: ['homeStack'],
  async run(run) {
    run.facts.homeStack = undefined;
    return [{ check: 'finder', status: 'ok', detail: 'found' }];
  },
};
const reader: DoctorStep = {
  name: 'reader',
  needs: ['homeStack'],
  async run(run) {
    return [{ check: 'reader', status: fact(run, 'homeStack') ? 'ok' : 'skip', detail: 'read' }];
  },
};

function emptyRun(): DoctorRun {
  return { ctx: {} as OperatorContext, stackName: 'RunAsBootstrapper', home: 'us-east-1', facts: {} };
}

describe("doctor's table of checks", () => {
  it('runs each check after the checks that find what it needs, the shape first', () => {
    // Act + Assess
    expect(() => assertOrdered(DOCTOR_CHECKS)).not.toThrow();
    expect(DOCTOR_CHECKS[0]?.finds).toEqual(['shape']);
    expect(new Set(DOCTOR_CHECKS.map((step) => step.name)).size).toBe(DOCTOR_CHECKS.length);
  });

  it('refuses a table in which a check needs a fact that only a later check finds', () => {
    // Act + Assess
    expect(() => assertOrdered([reader, finder])).toThrow(/"reader" needs homeStack/);
  });

  it('gives each check the facts found before it, and its lines in table order', async () => {
    // Act
    const checks = await runSteps([finder, reader], emptyRun());
    // Assess
    expect(checks.map((c) => [c.check, c.status])).toEqual([
      ['finder', 'ok'],
      ['reader', 'skip'],
    ]);
  });

  it('fails when a check does not find the fact it promised', async () => {
    // Prepare
    const forgetful: DoctorStep = { ...finder, name: 'forgetful', run: async () => [] };
    // Act + Assess
    await expect(runSteps([forgetful, reader], emptyRun())).rejects.toThrow(
      /"forgetful" did not find homeStack/,
    );
  });

  it('refuses to read a fact that no check has found', () => {
    // Act + Assess
    expect(() => fact(emptyRun(), 'shape')).toThrow(/reads "shape" before any check finds it/);
  });
});
