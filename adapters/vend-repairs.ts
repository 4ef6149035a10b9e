/**
 * The follow-up's repairs after LZA's Security_Resources, written into each vend's ledger record:
 * what was repaired or re-verified in each region, and which regions are still failing.
 */
import {
  type RepairResult,
  resultsByVend,
  unrecordedRepairs,
  vendRepairs,
} from '#core/follow-up/follow-up.ts';
import type { RepairRecord } from '#core/vend/ledger.ts';
import type { VendKey, VendLedger } from './vend-ledger.ts';

/**
 * Each vend's new repairs (and how many of its repairs failed in this run), written to its record and then yielded, in the order the results name the
 * vends. A vend the ledger does not hold (expired, or never a vend) is skipped: nothing to update.
 */
export async function* recordVendRepairs(
  ledger: Pick<VendLedger, 'get' | 'recordRepairs'>,
  results: readonly RepairResult[],
): AsyncGenerator<{ vend: VendKey; repairs: RepairRecord[]; failed: number }> {
  for (const { vend, results: own } of resultsByVend(results)) {
    const record = await ledger.get(vend);
    if (!record) continue;
    const { repairs, failing, stillFailing } = vendRepairs(record.repairsFailed, own);
    // Only what this call added is recorded and measured: a duplicate follow-up's repairs add no
    // records. Its failures still count, so that the execution fails and is retried.
    const added = await ledger.recordRepairs(vend, unrecordedRepairs(record, repairs), stillFailing);
    if (added.length > 0 || failing.length > 0) yield { vend, repairs: added, failed: failing.length };
  }
}
