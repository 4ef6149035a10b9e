import { type LatencyDistribution, parseScenario, planRun } from '@runas-bootstrapper/local-cloud';
import { drawSeconds, STACKSETS_MODEL } from '#local/mechanisms.ts';
import type { GeneratedScenario } from './scenario-generator.ts';

export { STACKSETS_MODEL };

/**
 * What the vends of a bench run would have been exposed for without the bootstrapper, on the
 * same generated vends (same join times, same regions, same seed). The AFT-style role wait is
 * a real second run of the deployed ASL (baseline.ts); the two below are models of other
 * mechanisms, drawn per account from the distributions stated here.
 */

/** LZA's Customizations: p99 / median of its spread from run to run (issue reports: 45 min to hours). */
const LZA_TAIL_RATIO = 3.2;

/**
 * LZA Customizations alone: LZA creates the account in its Prepare stage and the
 * customizations-config stack that would set RunAs deploys in the Deploy stage's Customizations
 * action. The median is that span in the local cloud's own pipeline model (the stage durations
 * of packages/local-cloud/src/lza-pipeline.ts); the spread follows public reports of runs from about 45
 * minutes to hours (landing-zone-accelerator-on-aws issues 32, 350, 576).
 */
export function lzaCustomizationsModel(regions: string[]): LatencyDistribution {
  const pipeline = parseScenario({ managementAccountId: '999999999999', homeRegion: regions[0] }).pipeline;
  const run = planRun({
    pipelineName: 'AWSAccelerator-Pipeline',
    pipeline,
    run: { regionByRegion: false },
    regions,
    startMs: 0,
  });
  const prepare = run.stages.find((s) => s.name === 'Prepare');
  const customizations = run.stages
    .find((s) => s.name === 'Deploy')
    ?.actions.find((a) => a.actionName === 'Customizations');
  if (!prepare || !customizations)
    throw new Error('the LZA pipeline model has no Prepare or Deploy/Customizations');
  const medianMs = customizations.endMs - prepare.endMs;
  return {
    medianMs,
    p99Ms: medianMs * LZA_TAIL_RATIO,
    source: `the local LZA pipeline model: Prepare end to Deploy/Customizations end = ${Math.round(medianMs / 60_000)} min; tail x${LZA_TAIL_RATIO} from public reports of 45-minute to multi-hour runs (LZA issues 32, 350, 576)`,
  };
}

const draw = drawSeconds;

export interface AnchorExposures {
  /** Seconds from join to the last region deployed, per account. */
  stackSets: number[];
  /** Seconds from join to LZA's Customizations, per account. */
  lzaCustomizations: number[];
  models: { stackSets: typeof STACKSETS_MODEL; lzaCustomizations: LatencyDistribution };
}

export function anchorExposures(generated: GeneratedScenario, seed: number): AnchorExposures {
  const lza = lzaCustomizationsModel(generated.regions);
  const stackSets: number[] = [];
  const lzaCustomizations: number[] = [];
  for (const account of generated.accounts) {
    let seconds = draw(STACKSETS_MODEL.trigger, seed, `stacksets|${account.accountId}`);
    for (const region of generated.regions) {
      seconds += draw(STACKSETS_MODEL.perRegion, seed, `stacksets|${account.accountId}|${region}`);
    }
    stackSets.push(Number(seconds.toFixed(1)));
    lzaCustomizations.push(Number(draw(lza, seed, `lza|${account.accountId}`).toFixed(1)));
  }
  return { stackSets, lzaCustomizations, models: { stackSets: STACKSETS_MODEL, lzaCustomizations: lza } };
}
