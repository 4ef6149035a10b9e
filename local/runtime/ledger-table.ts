import {
  CreateTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import type { VendLedger } from '#adapters/vend-ledger.ts';
import { LEDGER_KEYS, LEDGER_TTL_ATTRIBUTE, OPEN_VENDS_INDEX } from '#core/vend/ledger.ts';

/**
 * "Deploy" the vend ledger onto the local cloud: the table the stack creates in AWS, with the
 * same keys, open-vends index and TTL attribute (core/vend/ledger.ts names them for both).
 */
export async function createLedgerTable(
  ledger: VendLedger,
  endpoint: string,
  region: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region, credentials });
  try {
    await client.send(
      new CreateTableCommand({
        TableName: ledger.tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: LEDGER_KEYS.partition, AttributeType: 'S' },
          { AttributeName: LEDGER_KEYS.sort, AttributeType: 'S' },
          { AttributeName: 'open', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: LEDGER_KEYS.partition, KeyType: 'HASH' },
          { AttributeName: LEDGER_KEYS.sort, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: OPEN_VENDS_INDEX,
            KeySchema: [
              { AttributeName: 'open', KeyType: 'HASH' },
              { AttributeName: LEDGER_KEYS.sort, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      }),
    );
    // CreateTable answers CREATING, as DynamoDB does: wait for ACTIVE before the first write.
    await waitUntilTableExists(
      { client, maxWaitTime: 60, minDelay: 0.05, maxDelay: 0.5 },
      { TableName: ledger.tableName },
    );
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: ledger.tableName,
        TimeToLiveSpecification: { AttributeName: LEDGER_TTL_ATTRIBUTE, Enabled: true },
      }),
    );
  } catch (error) {
    // A second runtime on the same cloud finds the table deployed already.
    if (!(error instanceof ResourceInUseException)) throw error;
  } finally {
    client.destroy();
  }
}
