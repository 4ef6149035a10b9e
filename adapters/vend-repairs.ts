/**
 * The follow-up's repairs after LZA's Security_Resources, written into each vend's ledger record:
 * what was repaired or re-verified in each region, and which regions are still failing.
 */
import { type RepairResult, resultsByVend, vendRepairs } from '#core/follow-up.ts';
import type { RepairRecord } from '#core/vend-ledger.ts';
import type { VendKey, VendLedger } from './vend-ledger.ts';

/**
 * Each vend's repairs, written to its record and then yielded, in the order the results name the
 * vends. A vend the ledger does not hold (expired, or never a vend) is skipped: nothing to update.
 */
export async function* recordVendRepairs(
  ledger: Pick<VendLedger, 'get' | 'recordRepairs'>,
  results: readonly RepairResult[],
): AsyncGenerator<{ vend: VendKey; repairs: RepairRecord[] }> {
  for (const { vend, results: own } of resultsByVend(results)) {
    const record = await ledger.get(vend);
    if (!record) continue;
    const { repairs, stillFailing } = vendRepairs(record.repairsFailed, own);
    await ledger.recordRepairs(vend, repairs, stillFailing);
    yield { vend, repairs };
  }
}
