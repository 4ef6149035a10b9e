import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unrecordedRepairs } from '#core/follow-up/follow-up.ts';
import {
  MAX_RECORDED_REPAIRS,
  MAX_RECORDED_TRIGGERS,
  OPEN_MARKER,
  type RegionVerification,
  type RepairRecord,
  type TriggerSeen,
  type VendKey,
  type VendMeasurement,
  type VendOwner,
  type VendRecord,
  type VendSettlement,
} from '#core/vend/ledger.ts';
import { classifyAwsError, hasName } from './aws-errors.ts';
import { openVends, vendsOf, vendsSince, withoutMarker } from './vend-ledger-reads.ts';
import { appendRepairsUpdate, key, leavingFor, settleUpdate } from './vend-ledger-updates.ts';

export type { VendKey, VendSettlement };

export interface NewVend extends VendKey {
  joinedMethod: string;
  governedRegions: string[];
  expiresAt: number;
}

/**
 * The vend ledger: one DynamoDB item per vend (account + join time). Every write that decides
 * something (claiming ownership, emitting a measurement once, settling) is a conditional write,
 * so concurrent executions and duplicate events agree without locks.
 */
export class VendLedger {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(client: DynamoDBClient, tableName: string) {
    this.#db = DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    });
    this.#table = tableName;
  }

  get tableName(): string {
    return this.#table;
  }

  /** Note an event for the vend, creating its record on first sight. Returns the record. */
  async recordTrigger(vend: NewVend, trigger: TriggerSeen): Promise<VendRecord> {
    const created: VendRecord = {
      accountId: vend.accountId,
      joinedAt: vend.joinedAt,
      joinedMethod: vend.joinedMethod,
      firstSeenAt: trigger.at,
      triggers: [trigger],
      state: 'pending',
      governedRegions: vend.governedRegions,
      regions: {},
      writes: {},
      repairs: [],
      repairsFailed: [],
      expiresAt: vend.expiresAt,
    };
    try {
      await this.#db.send(
        new PutCommand({
          TableName: this.#table,
          Item: { ...created, open: OPEN_MARKER },
          ConditionExpression: 'attribute_not_exists(accountId)',
        }),
      );
      return created;
    } catch (error) {
      if (!hasName(error, 'ConditionalCheckFailedException')) throw classifyAwsError(error, 'PutItem vend');
    }
    try {
      const { Attributes } = await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: key(vend),
          UpdateExpression: 'SET triggers = list_append(triggers, :trigger)',
          ConditionExpression: 'size(triggers) < :max',
          ExpressionAttributeValues: { ':trigger': [trigger], ':max': MAX_RECORDED_TRIGGERS },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes as VendRecord;
    } catch (error) {
      // The record keeps the first triggers; a storm beyond that is in the logs.
      if (hasName(error, 'ConditionalCheckFailedException')) return (await this.get(vend)) as VendRecord;
      throw classifyAwsError(error, 'UpdateItem vend trigger');
    }
  }

  /**
   * Claim the vend's measurements for one execution. Succeeds when nobody owns it, when the
   * owner failed before RunAs was verified, or when the owner went silent past its lease.
   */
  async claim(vend: VendKey, owner: VendOwner, nowIso: string): Promise<boolean> {
    const leaving = leavingFor('pending');
    try {
      await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: key(vend),
          UpdateExpression: 'SET #owner = :owner, #state = :pending, #open = :open',
          ConditionExpression: `${leaving.expression} AND (attribute_not_exists(#owner) OR #owner.#ostate = :failed OR (#owner.#ostate = :running AND #owner.leaseUntil < :now))`,
          ExpressionAttributeNames: {
            '#owner': 'owner',
            '#state': 'state',
            '#ostate': 'state',
            '#open': 'open',
          },
          ExpressionAttributeValues: {
            ...leaving.values,
            ':owner': owner,
            ':pending': 'pending',
            ':failed': 'failed',
            ':running': 'running',
            ':now': nowIso,
            ':open': OPEN_MARKER,
          },
        }),
      );
      return true;
    } catch (error) {
      if (hasName(error, 'ConditionalCheckFailedException')) return false;
      throw classifyAwsError(error, 'UpdateItem vend claim');
    }
  }

  /**
   * Take the vend over from an owner whose execution has ended without finishing (its status
   * from DescribeExecution): only while that execution is still the recorded, running owner.
   */
  async takeOver(vend: VendKey, owner: VendOwner, deadExecution: string): Promise<boolean> {
    const leaving = leavingFor('pending');
    return this.#conditional({
      TableName: this.#table,
      Key: key(vend),
      UpdateExpression: 'SET #owner = :owner',
      ConditionExpression: `${leaving.expression} AND #owner.execution = :dead AND #owner.#ostate = :running`,
      ExpressionAttributeNames: { '#owner': 'owner', '#state': 'state', '#ostate': 'state' },
      ExpressionAttributeValues: {
        ...leaving.values,
        ':owner': owner,
        ':dead': deadExecution,
        ':running': 'running',
      },
    });
  }

  async get(vend: VendKey): Promise<VendRecord | undefined> {
    try {
      const { Item } = await this.#db.send(
        new GetCommand({ TableName: this.#table, Key: key(vend), ConsistentRead: true }),
      );
      return Item ? withoutMarker(Item) : undefined;
    } catch (error) {
      throw classifyAwsError(error, 'GetItem vend');
    }
  }

  /**
   * Record what one execution verified. Each region keeps the earliest verification by any
   * execution (when RunAs took effect there), and the write that set it; the role keeps the
   * earliest time it was found assumable. One conditional write per value, so concurrent
   * executions agree on the minimum whatever order they record in.
   */
  async recordVerification(
    vend: VendKey,
    verified: Record<string, RegionVerification>,
    roleAssumableAt: string | undefined,
  ): Promise<VendRecord> {
    const earliest = (path: string, value: unknown, at: string, names: Record<string, string>) =>
      this.#conditional({
        TableName: this.#table,
        Key: key(vend),
        UpdateExpression: `SET ${path} = :value`,
        ConditionExpression: `attribute_exists(accountId) AND (attribute_not_exists(${path}) OR ${path}${path.startsWith('regions') ? '.verifiedAt' : ''} > :at)`,
        ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
        ExpressionAttributeValues: { ':value': value, ':at': at },
      });
    // One write in the common case: set what is not there yet and read the record back. Only a
    // value another execution stored with a later time is then corrected, one conditional write each.
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets: string[] = [];
    Object.entries(verified).forEach(([region, verification], i) => {
      names[`#r${i}`] = region;
      values[`:r${i}`] = verification;
      sets.push(`regions.#r${i} = if_not_exists(regions.#r${i}, :r${i})`);
      if (verification.action === 'created' || verification.action === 'updated') {
        values[`:w${i}`] = {
          action: verification.action,
          verifiedAt: verification.verifiedAt,
          ...(verification.latestVersion ? { version: verification.latestVersion } : {}),
          ...(verification.pruned?.length ? { pruned: verification.pruned } : {}),
        };
        sets.push(`writes.#r${i} = if_not_exists(writes.#r${i}, :w${i})`);
      }
    });
    if (roleAssumableAt) {
      values[':role'] = roleAssumableAt;
      sets.push('roleAssumableAt = if_not_exists(roleAssumableAt, :role)');
    }
    if (sets.length === 0) return (await this.get(vend)) as VendRecord;
    let record: VendRecord;
    try {
      const { Attributes } = await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: key(vend),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_exists(accountId)',
          ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      record = withoutMarker(Attributes ?? {});
    } catch (error) {
      throw classifyAwsError(error, 'UpdateItem vend verification');
    }
    const corrections: Promise<boolean>[] = [];
    for (const [region, verification] of Object.entries(verified)) {
      const stored = record.regions?.[region]?.verifiedAt;
      if (stored !== undefined && stored > verification.verifiedAt)
        corrections.push(earliest('regions.#r', verification, verification.verifiedAt, { '#r': region }));
    }
    if (roleAssumableAt && record.roleAssumableAt !== undefined && record.roleAssumableAt > roleAssumableAt)
      corrections.push(earliest('roleAssumableAt', roleAssumableAt, roleAssumableAt, {}));
    if (corrections.length === 0) return record;
    await Promise.all(corrections);
    return (await this.get(vend)) as VendRecord;
  }

  /** An update that may lose its condition: true when it was applied. */
  async #conditional(input: ConstructorParameters<typeof UpdateCommand>[0]): Promise<boolean> {
    try {
      await this.#db.send(new UpdateCommand(input));
      return true;
    } catch (error) {
      if (hasName(error, 'ConditionalCheckFailedException')) return false;
      throw classifyAwsError(error, 'UpdateItem vend');
    }
  }

  /**
   * The owner's verdict. With a measurement, the vend becomes `verified` and the measurement is
   * stored once (true: this call stored it, so the caller emits the metrics). Without one, the
   * owner gives the claim up so that a later execution for the vend can take over.
   */
  async finishOwnership(
    vend: VendKey,
    execution: string,
    result:
      | { measurement: VendMeasurement; measuredAt: string }
      | { failed: true }
      | { awaitingEnrollment: true },
  ): Promise<boolean> {
    const base = { TableName: this.#table, Key: key(vend) };
    try {
      if ('measurement' in result) {
        const { measurement, measuredAt } = result;
        // pending → verified only: a vend settled meanwhile is never verified again.
        const toVerified = leavingFor('verified');
        await this.#db.send(
          new UpdateCommand({
            ...base,
            UpdateExpression:
              'SET #owner.#ostate = :done, #state = :verified, runAsVerifiedAt = :verifiedAt, exposureSeconds = :exposure, measuredAt = :at' +
              (measurement.roleWaitSeconds !== undefined ? ', roleWaitSeconds = :roleWait' : ''),
            ConditionExpression: `#owner.execution = :me AND attribute_not_exists(measuredAt) AND ${toVerified.expression}`,
            ExpressionAttributeNames: { '#owner': 'owner', '#ostate': 'state', '#state': 'state' },
            ExpressionAttributeValues: {
              ...toVerified.values,
              ':done': 'done',
              ':verified': 'verified',
              ':verifiedAt': measurement.runAsVerifiedAt,
              ':exposure': measurement.exposureSeconds,
              ':at': measuredAt,
              ':me': execution,
              ...(measurement.roleWaitSeconds !== undefined
                ? { ':roleWait': measurement.roleWaitSeconds }
                : {}),
            },
          }),
        );
        return true;
      }
      const awaiting = 'awaitingEnrollment' in result;
      // Giving the claim up keeps the vend pending (a state change only when parking it).
      const leaving = awaiting
        ? leavingFor('awaiting-enrollment')
        : { expression: '#state = :from0', values: { ':from0': 'pending' } };
      await this.#db.send(
        new UpdateCommand({
          ...base,
          UpdateExpression: awaiting
            ? 'SET #owner.#ostate = :failed, #state = :awaiting REMOVE #open'
            : 'SET #owner.#ostate = :failed',
          ConditionExpression: `#owner.execution = :me AND ${leaving.expression}`,
          ExpressionAttributeNames: {
            '#owner': 'owner',
            '#ostate': 'state',
            '#state': 'state',
            ...(awaiting ? { '#open': 'open' } : {}),
          },
          ExpressionAttributeValues: {
            ...leaving.values,
            ':failed': 'failed',
            ':me': execution,
            ...(awaiting ? { ':awaiting': 'awaiting-enrollment' } : {}),
          },
        }),
      );
      return true;
    } catch (error) {
      if (hasName(error, 'ConditionalCheckFailedException')) return false;
      throw classifyAwsError(error, 'UpdateItem vend ownership');
    }
  }

  /**
   * Repairs after LZA's Security_Resources, and the regions still failing. Returns the repairs
   * this call added: one already held (its region re-verified after the same Security_Resources,
   * or the same failure recorded) is left out, so duplicate follow-ups add no records. Each
   * repaired region's write is conditioned on not being re-verified after that Security_Resources
   * yet; when another follow-up wins that race, the record is read again and the rest retried.
   */
  async recordRepairs(
    vend: VendKey,
    repairs: RepairRecord[],
    repairsFailed: string[],
  ): Promise<RepairRecord[]> {
    let fresh = repairs;
    for (let attempt = 0; attempt < 3 && fresh.length > 0; attempt += 1) {
      if (attempt > 0) {
        const record = await this.get(vend);
        if (!record || record.repairs.length >= MAX_RECORDED_REPAIRS) return [];
        fresh = unrecordedRepairs(record, fresh);
        if (fresh.length === 0) return [];
      }
      if (await this.#appendRepairs(vend, fresh, repairsFailed)) return fresh;
    }
    return [];
  }

  #appendRepairs(vend: VendKey, repairs: RepairRecord[], repairsFailed: string[]): Promise<boolean> {
    return this.#conditional(appendRepairsUpdate(this.#table, key(vend), repairs, repairsFailed));
  }

  /**
   * Close or expire an open vend, once: true when this call did it (the caller then emits the
   * gap metrics), false when another event or the reconciler already had.
   */
  async settle(vend: VendKey, settlement: VendSettlement, atIso: string): Promise<boolean> {
    try {
      await this.#db.send(new UpdateCommand(settleUpdate(this.#table, key(vend), settlement, atIso)));
      return true;
    } catch (error) {
      if (hasName(error, 'ConditionalCheckFailedException')) return false;
      throw classifyAwsError(error, 'UpdateItem vend settle');
    }
  }

  /** Every vend still followed (pending or verified), oldest join first. */
  openVends(): Promise<VendRecord[]> {
    return openVends(this.#db, this.#table);
  }

  /** The vends of some accounts, newest first. */
  vendsOf(accountId: string): Promise<VendRecord[]> {
    return vendsOf(this.#db, this.#table, accountId);
  }

  /** Every vend that joined at or after `sinceIso` (a scan: the ledger holds one small item per vend). */
  vendsSince(sinceIso: string): Promise<VendRecord[]> {
    return vendsSince(this.#db, this.#table, sinceIso);
  }
}
