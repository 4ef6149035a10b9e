import { readFileSync } from 'node:fs';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type ApplyResult,
  applyResult,
  regionResult,
  sweepRegionResult,
  type VerifyResult,
  verifyResult,
} from '#core/document/region-result.ts';
import { installPromiseWithResolvers } from '#local/runtime/polyfill.ts';

/**
 * The per-region result is defined once, in core/document/region-result.ts. The ASL builds it in Pass
 * states from the handlers' outputs or a caught error; this runs those Pass states, as
 * aws-local-stepfunctions evaluates their Parameters, on the inputs the Map iteration gives them,
 * and checks what they build against the schema: every field, and nothing else.
 */
type Json = Record<string, unknown>;
const load = (name: string) => JSON.parse(readFileSync(`statemachine/${name}.asl.json`, 'utf8')) as Json;

function passState(definition: Json, mapState: string, name: string): Json {
  const map = (definition.States as Record<string, Json>)[mapState]!;
  const state = ((map.ItemProcessor as Json).States as Record<string, Json>)[name];
  if (state?.Type !== 'Pass') throw new Error(`${mapState}.${name} is not a Pass state`);
  return state;
}

/** Run one Pass state alone on an input, as the real ASL would at that point. */
async function runPass(state: Json, input: Json): Promise<Json> {
  const machine = new StateMachine({
    StartAt: 'Only',
    States: { Only: { ...state, End: true } },
  } as unknown as StateMachineDefinition);
  return (await machine.run(input as never).result) as Json;
}

/** Every key the schema variant for this status names, and only those, must be produced. */
function variantKeys(status: string): string[] {
  const variant = regionResult.def.options.find((o) => o.shape.status.def.values.includes(status as never));
  return Object.keys(variant!.shape).sort();
}

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
// ApplyPreferences' outputs with and without the optional fields, each valid against its schema.
const applies: ApplyResult[] = [
  applyResult.parse({ region: REGION, action: 'created', versionAfter: '1', promoted: true }),
  applyResult.parse({
    region: REGION,
    action: 'updated',
    versionBefore: '7',
    versionAfter: '9',
    promoted: true,
    repairedFrom: '6',
    pruned: ['1', '2'],
  }),
  applyResult.parse({
    region: REGION,
    action: 'unchanged',
    versionBefore: '3',
    versionAfter: '3',
    promoted: false,
  }),
];
const verify: VerifyResult = verifyResult.parse({
  region: REGION,
  verifiedAt: '2026-12-01T10:00:05.123Z',
  latestVersion: '9',
  defaultVersion: '9',
});
const caught = {
  Error: 'PreferencesDocumentInvalidError',
  Cause: JSON.stringify({ errorType: 'PreferencesDocumentInvalidError', errorMessage: 'refused to change' }),
};
const planned = {
  accountId: ACCOUNT,
  joinedAt: '2026-12-01T10:00:00.000Z',
  region: REGION,
  pipelineExecutionId: 'run-1',
  stage: 'Deploy',
  securityResourcesAt: '2026-12-01T11:00:00.000Z',
};

beforeAll(() => installPromiseWithResolvers());

describe.each([
  {
    machine: 'bootstrap',
    map: 'ApplyRegions',
    item: { accountId: ACCOUNT, region: REGION },
    extra: [] as string[],
  },
  { machine: 'follow-up', map: 'RepairRegions', item: planned, extra: Object.keys(planned) },
])('the $machine ASL builds the per-region result the schema defines', ({ machine, map, item, extra }) => {
  const definition = load(machine);
  const names =
    machine === 'bootstrap'
      ? { compliant: 'RegionCompliant', refused: 'RegionRefused', failed: 'RegionFailed' }
      : { compliant: 'RepairVerified', refused: 'RepairRefused', failed: 'RepairFailed' };
  const expectKeys = (status: string) => [...new Set([...variantKeys(status), ...extra])].sort();

  it.each(applies)('compliant after ApplyPreferences $action and VerifyPreferences', async (apply) => {
    // Prepare
    const state = passState(definition, map, names.compliant);
    // Act
    const built = await runPass(state, { ...item, apply, verify });
    // Assess
    const parsed = regionResult.parse(built);
    expect(parsed).toMatchObject({
      status: 'compliant',
      action: apply.action,
      verifiedAt: verify.verifiedAt,
    });
    expect(Object.keys(built).sort()).toEqual(expectKeys('compliant'));
    expect(built.apply).toEqual(apply);
  });

  it.each([
    ['ApplyPreferences', {}],
    ['VerifyPreferences', { apply: applies[1] }],
  ])('refused when %s raised PreferencesDocumentInvalidError', async (_task, before) => {
    // Prepare
    const state = passState(definition, map, names.refused);
    // Act
    const built = await runPass(state, { ...item, ...before, error: caught });
    // Assess
    expect(regionResult.parse(built)).toEqual({
      region: REGION,
      status: 'refused',
      action: 'refused',
      error: caught.Error,
      cause: caught.Cause,
    });
    expect(Object.keys(built).sort()).toEqual(expectKeys('refused'));
  });

  it('failed on any other error', async () => {
    // Prepare
    const state = passState(definition, map, names.failed);
    const error = { Error: 'DocumentVersionLimitError', Cause: 'limit' };
    // Act
    const built = await runPass(state, { ...item, apply: applies[0], error });
    // Assess
    expect(regionResult.parse(built)).toEqual({
      region: REGION,
      status: 'failed',
      error: error.Error,
      cause: 'limit',
    });
    expect(Object.keys(built).sort()).toEqual(expectKeys('failed'));
  });
});

describe('regionResult', () => {
  it('rejects a result no Pass state builds: a refusal without its error, a compliant region without its time', () => {
    // Assess
    expect(regionResult.safeParse({ region: REGION, status: 'refused', action: 'refused' }).success).toBe(
      false,
    );
    expect(regionResult.safeParse({ region: REGION, status: 'compliant', action: 'created' }).success).toBe(
      false,
    );
    expect(regionResult.safeParse({ region: REGION, status: 'skipped' }).success).toBe(false);
  });
});

describe('the sweep ASL builds the sweep region result the schema defines', () => {
  const sweepAccounts = (load('sweep').States as Record<string, Json>).SweepAccounts!;
  const regions = ((sweepAccounts.ItemProcessor as Json).States as Record<string, Json>).SweepRegions!;
  const states = (regions.ItemProcessor as Json).States as Record<string, Json>;
  const drift = { Error: 'RunAsDriftError', Cause: 'runAsEnabled is false' };

  it.each([
    ['RegionCompliant', 'compliant', undefined],
    ['RegionRepaired', 'repaired', undefined],
    ['RegionDrifted', 'drifted', undefined],
    ['RegionRefused', 'refused', caught],
    ['RegionFailed', 'failed', drift],
  ] as const)('%s builds status %s with exactly the schema’s fields', async (name, status, error) => {
    // Prepare
    const state = states[name];
    expect(state?.Type).toBe('Pass');
    // Act
    const built = await runPass(state!, { accountId: ACCOUNT, region: REGION, ...(error ? { error } : {}) });
    // Assess
    expect(sweepRegionResult.parse(built)).toEqual({
      region: REGION,
      status,
      ...(error ? { error: error.Error } : {}),
    });
    expect(Object.keys(built).every((key) => key in sweepRegionResult.shape)).toBe(true);
  });
});
