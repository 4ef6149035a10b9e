/**
 * The vend ledger's reads: the open vends through the sparse index, one account's vends, and
 * every vend since a time. `VendLedger` answers them; a record comes back without the marker.
 */
import {
  type DynamoDBDocumentClient,
  paginateQuery,
  paginateScan,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { OPEN_MARKER, OPEN_VENDS_INDEX, type VendRecord } from '#core/vend/ledger.ts';
import { classifyAwsError } from './aws-errors.ts';

const OPEN_STATES = ['pending', 'verified'] as const;

/** Every vend still followed (pending or verified), oldest join first. */
export async function openVends(db: DynamoDBDocumentClient, table: string): Promise<VendRecord[]> {
  const out: VendRecord[] = [];
  try {
    for await (const page of paginateQuery(
      { client: db },
      {
        TableName: table,
        IndexName: OPEN_VENDS_INDEX,
        KeyConditionExpression: '#open = :open',
        ExpressionAttributeNames: { '#open': 'open' },
        ExpressionAttributeValues: { ':open': OPEN_MARKER },
      },
    )) {
      for (const item of page.Items ?? []) out.push(withoutMarker(item));
    }
  } catch (error) {
    throw classifyAwsError(error, 'Query open vends');
  }
  // The index projects every attribute; a record settled since the query ran is skipped.
  return out.filter((v) => OPEN_STATES.includes(v.state as never));
}

/** The vends of some accounts, newest first. */
export async function vendsOf(
  db: DynamoDBDocumentClient,
  table: string,
  accountId: string,
): Promise<VendRecord[]> {
  try {
    const { Items } = await db.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'accountId = :id',
        ExpressionAttributeValues: { ':id': accountId },
        ScanIndexForward: false,
        ConsistentRead: true,
      }),
    );
    return (Items ?? []).map(withoutMarker);
  } catch (error) {
    throw classifyAwsError(error, 'Query vends of an account');
  }
}

/** Every vend that joined at or after `sinceIso` (a scan: the ledger holds one small item per vend). */
export async function vendsSince(
  db: DynamoDBDocumentClient,
  table: string,
  sinceIso: string,
): Promise<VendRecord[]> {
  const out: VendRecord[] = [];
  try {
    for await (const page of paginateScan(
      { client: db },
      {
        TableName: table,
        FilterExpression: 'joinedAt >= :since',
        ExpressionAttributeValues: { ':since': sinceIso },
      },
    )) {
      for (const item of page.Items ?? []) out.push(withoutMarker(item));
    }
  } catch (error) {
    throw classifyAwsError(error, 'Scan vends');
  }
  return out.sort((a, b) => b.joinedAt.localeCompare(a.joinedAt));
}

/** A stored item as a record: the open-index marker is storage, not part of the vend. */
export function withoutMarker(item: Record<string, unknown>): VendRecord {
  const { open: _open, ...rest } = item;
  return rest as unknown as VendRecord;
}
