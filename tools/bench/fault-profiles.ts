import type { ScenarioInput } from '@runas-bootstrapper/local-cloud';

type Faults = Omit<NonNullable<ScenarioInput['faults']>, 'seed'>;

/** Named fault mixes for the bench and the soak. Latency is simulated ms on virtual time, wall ms (not scaled) on scaled time. */
export const FAULT_PROFILES = {
  none: {},
  light: {
    throttleRate: 0.02,
    serverErrorRate: 0.005,
    tooManyUpdatesRate: 0.01,
    latencyMs: { min: 0, max: 5 },
  },
  soak: {
    throttleRate: 0.1,
    serverErrorRate: 0.02,
    tooManyUpdatesRate: 0.05,
    latencyMs: { min: 0, max: 20 },
  },
} as const satisfies Record<string, Faults>;

export type FaultProfileName = keyof typeof FAULT_PROFILES;

export function isFaultProfile(name: string): name is FaultProfileName {
  return Object.hasOwn(FAULT_PROFILES, name);
}

export function faultProfile(name: FaultProfileName): Faults {
  return structuredClone(FAULT_PROFILES[name]) as Faults;
}
