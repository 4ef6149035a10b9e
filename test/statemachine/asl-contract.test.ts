import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as errors from '#core/shared/errors.ts';

type Json = Record<string, unknown>;
const load = (name: string) => JSON.parse(readFileSync(`statemachine/${name}.asl.json`, 'utf8')) as Json;
const definitions = { bootstrap: load('bootstrap'), sweep: load('sweep'), 'follow-up': load('follow-up') };
const definition = definitions.bootstrap;

function tasks(def: Json, out: [string, Json][] = []): [string, Json][] {
  for (const [name, state] of Object.entries(def.States as Record<string, Json>)) {
    if (state.Type === 'Task') out.push([name, state]);
    if (state.ItemProcessor) tasks(state.ItemProcessor as Json, out);
  }
  return out;
}

// Platform and service-integration errors (States.*, Lambda.*, StepFunctions.*) are not ours to name.
const ours = (names: string[]) =>
  names.filter(
    (n) => !n.startsWith('States.') && !n.startsWith('Lambda.') && !n.startsWith('StepFunctions.'),
  );
const retried = (state: Json) =>
  ours(((state.Retry as Json[]) ?? []).flatMap((r) => r.ErrorEquals as string[]));
const caught = (state: Json) =>
  ours(((state.Catch as Json[]) ?? []).flatMap((c) => c.ErrorEquals as string[]));

describe('error names: the contract between handlers and the ASL', () => {
  it('gives every error class the name it is exported under, and the retryable flag its list says', () => {
    // Prepare
    const classes = Object.entries(errors).filter(
      ([name, value]) =>
        typeof value === 'function' && name.endsWith('Error') && name !== 'BootstrapperError',
    ) as [string, new (message: string) => errors.BootstrapperError][];
    // Assess
    expect(classes.length).toBe(errors.RETRYABLE_ERROR_NAMES.length + errors.FATAL_ERROR_NAMES.length);
    for (const [exported, Class] of classes) {
      const instance = new Class('x');
      expect(instance.name).toBe(exported);
      expect(instance.retryable).toBe((errors.RETRYABLE_ERROR_NAMES as readonly string[]).includes(exported));
    }
  });

  it('raises from Fail states with a fixed Error exactly the names core declares for them', () => {
    // Prepare
    const failStates = (def: Json): Json[] =>
      Object.values(def.States as Record<string, Json>).flatMap((state) => [
        ...(state.Type === 'Fail' ? [state] : []),
        ...(state.ItemProcessor ? failStates(state.ItemProcessor as Json) : []),
      ]);
    // Act
    const raised = new Set(
      Object.values(definitions)
        .flatMap((def) => failStates(def))
        // The others pass on a handler's error (ErrorPath): its class is in core already.
        .filter((state) => state.ErrorPath === undefined)
        .map((state) => state.Error),
    );
    // Assess
    expect([...raised].sort()).toEqual(Object.values(errors.FAIL_STATE_ERROR_NAMES).sort());
  });

  it.each(Object.keys(definitions))(
    '%s retries only retryable errors and catches only known ones',
    (file) => {
      for (const [name, state] of tasks(definitions[file as keyof typeof definitions])) {
        for (const error of retried(state))
          expect(errors.RETRYABLE_ERROR_NAMES, `${name} retries ${error}`).toContain(error);
        for (const error of caught(state)) {
          expect(
            [...errors.RETRYABLE_ERROR_NAMES, ...errors.FATAL_ERROR_NAMES],
            `${name} catches ${error}`,
          ).toContain(error);
        }
      }
    },
  );

  it.each(Object.keys(definitions))(
    '%s retries every Lambda service error it retries anywhere, including ClientExecutionTimeoutException',
    (file) => {
      // Prepare: the Lambda invoke errors AWS recommends retrying on every Lambda Task.
      const lambdaErrors = [
        'Lambda.ServiceException',
        'Lambda.AWSLambdaException',
        'Lambda.SdkClientException',
        'Lambda.TooManyRequestsException',
        'Lambda.ClientExecutionTimeoutException',
      ];
      // Act
      // Lambda Tasks only: a service integration (states:startExecution) has errors of its own.
      const all = tasks(definitions[file as keyof typeof definitions]).filter(([, state]) =>
        String(state.Resource).startsWith('${'),
      );
      // Assess
      expect(all.length).toBeGreaterThan(0);
      for (const [name, state] of all) {
        const retriedHere = ((state.Retry as Json[]) ?? []).flatMap((r) => r.ErrorEquals as string[]);
        for (const error of lambdaErrors)
          expect(retriedHere, `${file} ${name} retries ${error}`).toContain(error);
      }
    },
  );

  it('retries every retryable error in the per-region write and read-back, in the bootstrap and the follow-up', () => {
    const byName = new Map([...tasks(definition), ...tasks(definitions['follow-up'])]);
    for (const state of [
      'ApplyPreferences',
      'VerifyPreferences',
      'RepairPreferences',
      'ReverifyPreferences',
    ]) {
      const names = retried(byName.get(state)!);
      for (const error of errors.RETRYABLE_ERROR_NAMES.filter((e) => e !== 'VerificationFailedError')) {
        expect(names, `${state} retries ${error}`).toContain(error);
      }
    }
    expect(retried(byName.get('VerifyPreferences')!)).toContain('VerificationFailedError');
    expect(retried(byName.get('ReverifyPreferences')!)).toContain('VerificationFailedError');
    // AwaitRole does not retry a missing role: it says how long to wait, and the loop comes back.
    expect(retried(byName.get('AwaitRole')!)).not.toContain('RoleNotAssumableError');
    const states = definition.States as Record<string, Record<string, unknown>>;
    expect(states.AwaitRole?.Next).toBe('RoleAssumable');
    expect(states.WaitForRole).toMatchObject({
      SecondsPath: '$.role.waitSeconds',
      Next: 'AwaitRole',
    });
  });

  it('the sweep retries every retryable error per region, and treats a failed read-back as drift only when checking', () => {
    const byName = new Map(tasks(definitions.sweep));
    for (const state of ['CheckPreferences', 'RepairPreferences', 'VerifyRepair']) {
      const names = retried(byName.get(state)!);
      for (const error of errors.RETRYABLE_ERROR_NAMES.filter((e) => e !== 'VerificationFailedError')) {
        expect(names, `${state} retries ${error}`).toContain(error);
      }
    }
    // After a write, a read-back may lag; without a write, a failed read-back is the drift itself.
    expect(retried(byName.get('VerifyRepair')!)).toContain('VerificationFailedError');
    expect(retried(byName.get('CheckPreferences')!)).not.toContain('VerificationFailedError');
    expect(caught(byName.get('CheckPreferences')!)).toContain('VerificationFailedError');
    // Every outcome of an account is caught inside its child execution: the Map fails only on a platform error.
    const probe = byName.get('ProbeRole')!;
    expect((probe.Catch as Json[]).flatMap((c) => c.ErrorEquals as string[])).toContain('States.ALL');
  });
});
