import type { VendLedger } from '#adapters/vend-ledger.ts';
import { unrecordedRepairs } from '#core/follow-up/follow-up.ts';
import { canClaim, type VendRecord } from '#core/vend/ledger.ts';

/**
 * The vend ledger's port, in memory, for handler tests that are about something else (metrics).
 * Its conditions follow VendLedger's conditional writes; the adapter itself is tested against
 * the local cloud's DynamoDB.
 */
export function memoryLedger(): VendLedger & { records: Map<string, VendRecord & { open?: boolean }> } {
  const records = new Map<string, VendRecord & { open?: boolean }>();
  const id = (v: { accountId: string; joinedAt: string }) => `${v.accountId}|${v.joinedAt}`;
  const ledger = {
    records,
    tableName: 'memory',
    async recordTrigger(vend, trigger) {
      const existing = records.get(id(vend));
      if (existing) {
        existing.triggers.push(trigger);
        return structuredClone(existing);
      }
      const created: VendRecord & { open?: boolean } = {
        ...vend,
        firstSeenAt: trigger.at,
        triggers: [trigger],
        state: 'pending',
        regions: {},
        writes: {},
        repairs: [],
        repairsFailed: [],
        open: true,
      };
      records.set(id(vend), created);
      return structuredClone(created);
    },
    async claim(vend, owner, nowIso) {
      const record = records.get(id(vend));
      if (!record) return false;
      const claimable =
        record.state === 'awaiting-enrollment' ? { ...record, state: 'pending' as const } : record;
      if (!canClaim(claimable, Date.parse(nowIso))) return false;
      Object.assign(record, { owner, state: 'pending', open: true });
      return true;
    },
    async takeOver(vend, owner, deadExecution) {
      const record = records.get(id(vend));
      if (record?.state !== 'pending' || record.owner?.execution !== deadExecution) return false;
      if (record.owner.state !== 'running') return false;
      record.owner = owner;
      return true;
    },
    async get(vend) {
      const record = records.get(id(vend));
      return record ? structuredClone(record) : undefined;
    },
    async recordVerification(vend, verified, roleAssumableAt) {
      const record = records.get(id(vend));
      // Like DynamoDB: a nested path under a missing item is an invalid update.
      if (!record) throw new Error(`ValidationException: no vend ${id(vend)}`);
      for (const [region, v] of Object.entries(verified)) {
        const known = record.regions[region];
        if (!known || known.verifiedAt > v.verifiedAt) record.regions[region] = v;
        if (v.action === 'created' || v.action === 'updated')
          record.writes[region] ??= { action: v.action, verifiedAt: v.verifiedAt };
      }
      if (roleAssumableAt && (!record.roleAssumableAt || record.roleAssumableAt > roleAssumableAt))
        record.roleAssumableAt = roleAssumableAt;
      return structuredClone(record);
    },
    async finishOwnership(vend, execution, result) {
      const record = records.get(id(vend));
      if (!record || record.owner?.execution !== execution) return false;
      if ('measurement' in result) {
        if (record.measuredAt) return false;
        Object.assign(record, result.measurement, { measuredAt: result.measuredAt, state: 'verified' });
        record.owner.state = 'done';
        return true;
      }
      if (record.state !== 'pending') return false;
      record.owner.state = 'failed';
      if ('awaitingEnrollment' in result)
        Object.assign(record, { state: 'awaiting-enrollment', open: false });
      return true;
    },
    async recordRepairs(vend, repairs, repairsFailed) {
      const record = records.get(id(vend)) as VendRecord;
      const added = unrecordedRepairs(record, repairs);
      record.repairs.push(...added);
      record.repairsFailed = repairsFailed;
      for (const r of added)
        if (r.action !== 'failed' && record.regions[r.region])
          (record.regions[r.region] as { reverifiedAfter?: string }).reverifiedAfter = r.securityResourcesAt;
      return added;
    },
    async settle(vend, settlement, atIso) {
      const record = records.get(id(vend));
      if (!record?.open || record.gapMeasuredAt) return false;
      Object.assign(record, settlement, { gapMeasuredAt: atIso, open: false });
      return true;
    },
    async openVends() {
      return [...records.values()].filter((r) => r.open).map((r) => structuredClone(r));
    },
    async vendsOf(accountId) {
      return [...records.values()].filter((r) => r.accountId === accountId).map((r) => structuredClone(r));
    },
    async vendsSince(since) {
      return [...records.values()].filter((r) => r.joinedAt >= since).map((r) => structuredClone(r));
    },
  } satisfies Omit<VendLedger, never> & { records: typeof records } as unknown;
  return ledger as VendLedger & { records: typeof records };
}
