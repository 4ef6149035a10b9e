/**
 * Measuring a vend's exposure exactly once, through the vend ledger's conditional writes.
 * RecordEnforcement records what its execution verified and, when it owns the vend, stores the
 * exposure or gives its claim up; RecordFollowUp claims a vend whose owner gave up after other
 * executions verified every region, and stores its exposure. Both store through the same one
 * conditional write: only the execution whose write stored the measurement gets it back, and only
 * that one emits the exposure metrics.
 */
import type { MeasureGap } from '#core/config/config.ts';
import {
  closureWhenMeasured,
  needsPipelineCheck,
  ownerFinish,
  type VendVerification,
} from '#core/vend/enforcement-record.ts';
import { measureVend, runningOwner, type VendMeasurement } from '#core/vend/ledger.ts';
import type { VendKey, VendLedger } from './vend-ledger.ts';

export type MeasuringLedger = Pick<
  VendLedger,
  'recordVerification' | 'claim' | 'get' | 'finishOwnership' | 'settle'
>;

/**
 * Each region's first verification goes to the ledger. The vend's owner then stores the exposure
 * once (returned when it did), or gives its claim up for a later execution.
 */
export interface MeasuringDependencies {
  ledger: MeasuringLedger;
  now: () => number;
  config: { lza: { measureGap: MeasureGap; pipelineName: string } };
  /**
   * Asked only with `measureGap: 'auto'`, once a vend is measured. A pipeline with LZA's stages
   * under another name (`misnamed`) is LZA misconfigured, not "no LZA": the vend stays open.
   */
  pipeline: { exists(): Promise<boolean>; misnamed(): Promise<string[]> };
}

export async function recordVendVerification(
  { ledger, now, config, pipeline }: MeasuringDependencies,
  { vend, execution, regions, roleAssumableAt, owner }: VendVerification,
  logger: { info(message: string, extra: Record<string, unknown>): void },
): Promise<VendMeasurement | undefined> {
  const record = await ledger.recordVerification(vend, regions, roleAssumableAt);
  const measurement = measureVend(record);
  const finish = owner ? ownerFinish(measurement, owner.summary, owner.outcome) : undefined;
  const nowIso = new Date(now()).toISOString();
  let measured: VendMeasurement | undefined;
  if (finish && 'measurement' in finish) {
    measured = await storeMeasurement(ledger, vend, execution, finish.measurement, nowIso);
    // Nothing follows LZA for this vend: settle it now rather than at the reconciler's expiry.
    const exists =
      measured && needsPipelineCheck(config.lza.measureGap)
        ? (await pipeline.exists()) || (await pipeline.misnamed()).length > 0
        : undefined;
    const closure = closureWhenMeasured(config.lza, exists);
    if (measured && closure) await ledger.settle(vend, closure, nowIso);
  } else if (finish) {
    const { closeNote, ...result } = 'failed' in finish ? finish : { ...finish, closeNote: undefined };
    // A suspended or closed account ends its vend: closed with a note, never re-driven.
    if ((await ledger.finishOwnership(vend, execution, result)) && closeNote)
      await ledger.settle(vend, { state: 'closed', note: closeNote }, nowIso);
  }
  logger.info('vend recorded', {
    ...vend,
    owner: owner !== undefined,
    measures: Boolean(measured),
    ...measurement,
  });
  return measured;
}

/**
 * Each vend whose owner gave up (or went silent past its lease), in turn: claimed for this
 * execution, and its exposure stored once every governed region is verified. A measurement is
 * yielded as soon as it is stored, so the caller emits its metrics before the next vend's writes;
 * a vend another execution holds or already measured, or with a region still unverified, yields
 * nothing.
 */
export async function* measureUnownedVends(
  ledger: MeasuringLedger,
  vends: readonly VendKey[],
  execution: string,
  nowIso: string,
): AsyncGenerator<VendMeasurement> {
  for (const vend of vends) {
    const measured = await measureUnownedVend(ledger, vend, execution, nowIso);
    if (measured) yield measured;
  }
}

async function measureUnownedVend(
  ledger: MeasuringLedger,
  vend: VendKey,
  execution: string,
  nowIso: string,
): Promise<VendMeasurement | undefined> {
  const claimed = await ledger.claim(vend, runningOwner(execution, nowIso, nowIso), nowIso);
  const record = claimed ? await ledger.get(vend) : undefined;
  const measurement = record && measureVend(record);
  if (!measurement) return undefined;
  return storeMeasurement(ledger, vend, execution, measurement, nowIso);
}

/** The owner's conditional write of the measurement: returned only when this call stored it. */
async function storeMeasurement(
  ledger: MeasuringLedger,
  vend: VendKey,
  execution: string,
  measurement: VendMeasurement,
  measuredAt: string,
): Promise<VendMeasurement | undefined> {
  return (await ledger.finishOwnership(vend, execution, { measurement, measuredAt }))
    ? measurement
    : undefined;
}
