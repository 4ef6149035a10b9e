/**
 * The vend ledger's larger conditional updates, built as plain UpdateItem inputs: appending a
 * follow-up's repairs and settling a vend. adapters/vend-ledger.ts sends them.
 */
import type { UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import {
  MAX_RECORDED_REPAIRS,
  OPEN_MARKER,
  type RepairRecord,
  type VendKey,
  type VendSettlement,
  type VendState,
} from '#core/vend/ledger.ts';
import { statesLeadingTo } from '#core/vend/transitions.ts';

/** Append a vend's new repairs, conditioned on each region not re-verified after its Security_Resources. */
export function appendRepairsUpdate(
  table: string,
  vendKey: VendKey,
  repairs: RepairRecord[],
  repairsFailed: string[],
): UpdateCommandInput {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {
    ':repairs': repairs.slice(0, MAX_RECORDED_REPAIRS),
    ':failed': repairsFailed,
    ':empty': [],
    ':max': MAX_RECORDED_REPAIRS,
  };
  const sets = ['repairs = list_append(if_not_exists(repairs, :empty), :repairs)', 'repairsFailed = :failed'];
  const conditions = ['size(repairs) < :max'];
  repairs.forEach((r, i) => {
    names[`#r${i}`] = r.region;
    values[`:sr${i}`] = r.securityResourcesAt;
    conditions.push(
      `(attribute_not_exists(regions.#r${i}.reverifiedAfter) OR regions.#r${i}.reverifiedAfter < :sr${i})`,
    );
    if (r.action !== 'failed') sets.push(`regions.#r${i}.reverifiedAfter = :sr${i}`);
  });
  return {
    TableName: table,
    Key: vendKey,
    UpdateExpression: `SET ${sets.join(', ')}`,
    ConditionExpression: conditions.join(' AND '),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/** Close or expire an open vend, once: only from a state the transition table allows (see settle). */
export function settleUpdate(
  table: string,
  vendKey: VendKey,
  settlement: VendSettlement,
  atIso: string,
): UpdateCommandInput {
  const leaving = leavingFor(settlement.state);
  const values: Record<string, unknown> = {
    ...leaving.values,
    ':state': settlement.state,
    ':at': atIso,
    ':open': OPEN_MARKER,
    ':pending': 'pending',
    ':running': 'running',
  };
  const sets = ['#state = :state', 'gapMeasuredAt = :at'];
  for (const field of [
    'note',
    'pipelineExecutionId',
    'customizationsCompletedAt',
    'prepareToCustomizationsSeconds',
    'gapClosedSeconds',
  ] as const) {
    if (settlement[field] === undefined) continue;
    values[`:${field}`] = settlement[field];
    sets.push(`${field} = :${field}`);
  }
  return {
    TableName: table,
    Key: vendKey,
    UpdateExpression: `SET ${sets.join(', ')} REMOVE #open`,
    // Leaves only the states the transition table allows, and never a pending vend whose
    // owner still runs within its lease (core/vend/transitions.ts mayMove).
    ConditionExpression: `#open = :open AND attribute_not_exists(gapMeasuredAt) AND ${leaving.expression} AND (#state <> :pending OR attribute_not_exists(#owner) OR #owner.#ostate <> :running OR #owner.leaseUntil < :at)`,
    ExpressionAttributeNames: {
      '#state': 'state',
      '#open': 'open',
      '#owner': 'owner',
      '#ostate': 'state',
    },
    ExpressionAttributeValues: values,
  };
}

/**
 * The condition that a write to `to` leaves only a state the transition table allows
 * (`#state IN (...)`, with `#state` naming the record's state). DynamoDB evaluates it with the
 * write, atomically (Developer Guide, "Condition expressions").
 */
export function leavingFor(to: VendState): { expression: string; values: Record<string, string> } {
  const from = statesLeadingTo(to);
  const values = Object.fromEntries(from.map((state, i) => [`:from${i}`, state]));
  return { expression: `#state IN (${Object.keys(values).join(', ')})`, values };
}

export function key(vend: VendKey): VendKey {
  return { accountId: vend.accountId, joinedAt: vend.joinedAt };
}
