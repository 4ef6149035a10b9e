import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  UpdateItemCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { worldOf } from '../src/server.ts';
import {
  assumeRole,
  baseScenario,
  clientConfig,
  elapse,
  errorOf,
  MANAGEMENT,
  MEMBER,
  startCloud,
} from '../src/testing.ts';

const TABLE = 'runas-vend-ledger';

/** A ledger-like table: account + join time, with a GSI on the vend status. */
function createLedger(client: DynamoDBClient, name = TABLE) {
  return client.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
        { AttributeName: 'status', AttributeType: 'S' },
        { AttributeName: 'joinedAt', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'by-status',
          KeySchema: [
            { AttributeName: 'status', KeyType: 'HASH' },
            { AttributeName: 'joinedAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  );
}

describe('DynamoDB through the local cloud endpoint (real SDK v3 clients)', () => {
  it('creates a table with a GSI, claims with a conditional update, and queries the GSI', async () => {
    // Prepare
    const cloud = await startCloud(baseScenario({ homeRegion: 'eu-west-1' }));
    const client = new DynamoDBClient(clientConfig(cloud, 'eu-west-1'));
    const doc = DynamoDBDocumentClient.from(client);
    // Act
    const created = await createLedger(client);
    // tableStatusDelaySeconds 0: ACTIVE at the creation's own simulated instant, once that
    // instant's due timers (dynalite's) have run.
    await elapse(0);
    const described = await client.send(new DescribeTableCommand({ TableName: TABLE }));
    await doc.send(
      new PutCommand({
        TableName: TABLE,
        Item: {
          pk: `ACCOUNT#${MEMBER}`,
          sk: 'JOINED#2026-11-30T10:00:00Z',
          status: 'pending',
          joinedAt: '2026-11-30T10:00:00Z',
          triggers: ['CreateAccountResult'],
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    const claimed = await doc.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: { pk: `ACCOUNT#${MEMBER}`, sk: 'JOINED#2026-11-30T10:00:00Z' },
        UpdateExpression: 'SET #owner = :owner, triggers = list_append(triggers, :trigger)',
        ConditionExpression: 'attribute_not_exists(#owner)',
        ExpressionAttributeNames: { '#owner': 'owner' },
        ExpressionAttributeValues: { ':owner': 'execution-1', ':trigger': ['AccountJoinedOrganization'] },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const lost = await errorOf(
      doc.send(
        new UpdateCommand({
          TableName: TABLE,
          Key: { pk: `ACCOUNT#${MEMBER}`, sk: 'JOINED#2026-11-30T10:00:00Z' },
          UpdateExpression: 'SET #owner = :owner',
          ConditionExpression: 'attribute_not_exists(#owner)',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': 'execution-2' },
        }),
      ),
    );
    await client.send(
      new BatchWriteItemCommand({
        RequestItems: {
          [TABLE]: ['1', '2', '3'].map((n) => ({
            PutRequest: {
              Item: {
                pk: { S: `ACCOUNT#33333333333${n}` },
                sk: { S: `JOINED#2026-11-30T1${n}:00:00Z` },
                status: { S: n === '3' ? 'verified' : 'pending' },
                joinedAt: { S: `2026-11-30T1${n}:00:00Z` },
              },
            },
          })),
        },
      }),
    );
    const pending = await doc.send(
      new QueryCommand({
        TableName: TABLE,
        IndexName: 'by-status',
        KeyConditionExpression: '#status = :pending AND joinedAt >= :since',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':pending': 'pending', ':since': '2026-11-30T00:00:00Z' },
      }),
    );
    await doc.send(
      new DeleteCommand({
        TableName: TABLE,
        Key: { pk: 'ACCOUNT#333333333331', sk: 'JOINED#2026-11-30T11:00:00Z' },
      }),
    );
    const scanned = await doc.send(new ScanCommand({ TableName: TABLE }));
    const read = await doc.send(
      new GetCommand({
        TableName: TABLE,
        Key: { pk: `ACCOUNT#${MEMBER}`, sk: 'JOINED#2026-11-30T10:00:00Z' },
        ConsistentRead: true,
      }),
    );
    // Assess
    expect(created.TableDescription?.TableArn).toBe(
      `arn:aws:dynamodb:eu-west-1:${MANAGEMENT}:table/${TABLE}`,
    );
    expect(described.Table?.TableStatus).toBe('ACTIVE');
    expect(described.Table?.GlobalSecondaryIndexes?.[0]).toMatchObject({
      IndexName: 'by-status',
      IndexStatus: 'ACTIVE',
    });
    // Simulated time, like every timestamp the cloud emits.
    const createdAt = described.Table!.CreationDateTime!.getTime();
    expect(createdAt).toBeGreaterThanOrEqual(cloud.clock.startWallMs);
    expect(createdAt).toBeLessThanOrEqual(cloud.clock.nowMs());
    expect(claimed.Attributes).toMatchObject({
      owner: 'execution-1',
      triggers: ['CreateAccountResult', 'AccountJoinedOrganization'],
    });
    expect(lost.name).toBe('ConditionalCheckFailedException');
    expect(lost.$metadata.httpStatusCode).toBe(400);
    expect(pending.Items?.map((i) => i.pk)).toEqual([
      `ACCOUNT#${MEMBER}`,
      'ACCOUNT#333333333331',
      'ACCOUNT#333333333332',
    ]);
    expect(scanned.Count).toBe(3);
    expect(read.Item?.owner).toBe('execution-1');
  });

  it('returns the item that failed the condition with ReturnValuesOnConditionCheckFailure ALL_OLD', async () => {
    // Prepare
    const cloud = await startCloud();
    const client = new DynamoDBClient(clientConfig(cloud));
    await createLedger(client);
    await elapse(0);
    await client.send(new DescribeTableCommand({ TableName: TABLE }));
    const key = { pk: { S: `ACCOUNT#${MEMBER}` }, sk: { S: 'JOINED#1' } };
    await client.send(
      new PutItemCommand({ TableName: TABLE, Item: { ...key, owner: { S: 'execution-1' } } }),
    );
    // Act
    const update = await errorOf(
      client.send(
        new UpdateItemCommand({
          TableName: TABLE,
          Key: key,
          UpdateExpression: 'SET #owner = :owner',
          ConditionExpression: 'attribute_not_exists(#owner)',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': { S: 'execution-2' } },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      ),
    );
    const put = await errorOf(
      client.send(
        new PutItemCommand({
          TableName: TABLE,
          Item: { ...key, owner: { S: 'execution-3' } },
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      ),
    );
    const plain = await errorOf(
      client.send(
        new PutItemCommand({
          TableName: TABLE,
          Item: { ...key },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    // Assess
    for (const error of [update, put]) {
      expect(error.name).toBe('ConditionalCheckFailedException');
      expect((error as unknown as { Item: unknown }).Item).toEqual({ ...key, owner: { S: 'execution-1' } });
    }
    expect(plain.name).toBe('ConditionalCheckFailedException');
    expect((plain as unknown as { Item?: unknown }).Item).toBeUndefined();
  });

  it('keeps the TTL setting (dynalite has none) and answers DescribeTimeToLive', async () => {
    // Prepare
    const cloud = await startCloud();
    const client = new DynamoDBClient(clientConfig(cloud));
    await createLedger(client);
    // Act
    const before = await client.send(new DescribeTimeToLiveCommand({ TableName: TABLE }));
    const updated = await client.send(
      new UpdateTimeToLiveCommand({
        TableName: TABLE,
        TimeToLiveSpecification: { Enabled: true, AttributeName: 'expiresAt' },
      }),
    );
    const after = await client.send(new DescribeTimeToLiveCommand({ TableName: TABLE }));
    const again = await errorOf(
      client.send(
        new UpdateTimeToLiveCommand({
          TableName: TABLE,
          TimeToLiveSpecification: { Enabled: true, AttributeName: 'expiresAt' },
        }),
      ),
    );
    const missing = await errorOf(client.send(new DescribeTimeToLiveCommand({ TableName: 'nope' })));
    // Assess
    expect(before.TimeToLiveDescription).toEqual({ TimeToLiveStatus: 'DISABLED' });
    expect(updated.TimeToLiveSpecification).toEqual({ Enabled: true, AttributeName: 'expiresAt' });
    expect(after.TimeToLiveDescription).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' });
    expect(again.name).toBe('ValidationException');
    expect(missing.name).toBe('ResourceNotFoundException');
  });

  it('keeps tables per account and region, authenticates callers and applies session policies', async () => {
    // Prepare
    const cloud = await startCloud();
    const management = new DynamoDBClient(clientConfig(cloud, 'us-east-1'));
    await createLedger(management);
    const memberCredentials = await assumeRole(cloud, MEMBER);
    const denyWrites = await assumeRole(cloud, MEMBER, {
      policy: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:DescribeTable'], Resource: '*' },
        ],
      },
    });
    // Act
    const otherRegion = await new DynamoDBClient(clientConfig(cloud, 'eu-west-1')).send(
      new ListTablesCommand({}),
    );
    const memberTables = await new DynamoDBClient(clientConfig(cloud, 'us-east-1', memberCredentials)).send(
      new ListTablesCommand({}),
    );
    const unknownKey = await errorOf(
      new DynamoDBClient(
        clientConfig(cloud, 'us-east-1', { accessKeyId: 'AKIAUNKNOWN0000', secretAccessKey: 'x' }),
      ).send(new ListTablesCommand({})),
    );
    const denied = await errorOf(
      new DynamoDBClient(clientConfig(cloud, 'us-east-1', denyWrites)).send(
        new CreateTableCommand({
          TableName: 'mine',
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        }),
      ),
    );
    const notFound = await errorOf(
      new DynamoDBClient(clientConfig(cloud, 'us-east-1', denyWrites)).send(
        new GetItemCommand({ TableName: TABLE, Key: { pk: { S: 'a' }, sk: { S: 'b' } } }),
      ),
    );
    // Assess
    expect(otherRegion.TableNames).toEqual([]);
    expect(memberTables.TableNames).toEqual([]);
    expect(unknownKey.name).toBe('UnrecognizedClientException');
    expect(denied.name).toBe('AccessDeniedException');
    expect(denied.message).toContain(
      `dynamodb:CreateTable on resource: arn:aws:dynamodb:us-east-1:${MEMBER}:table/mine`,
    );
    expect(notFound.name).toBe('ResourceNotFoundException');
    expect(cloud.state.callCount({ operation: 'dynamodb:CreateTable' })).toBe(2);
    expect(worldOf(cloud).dynamodb.started.sort()).toEqual([
      `${MANAGEMENT}|eu-west-1`,
      `${MANAGEMENT}|us-east-1`,
      `${MEMBER}|us-east-1`,
    ]);
  });

  it('keeps a table CREATING for dynamodb.tableStatusDelaySeconds', async () => {
    // Prepare: CREATING for 2000 simulated seconds.
    const cloud = await startCloud(baseScenario({ dynamodb: { tableStatusDelaySeconds: 2000 } }));
    const client = new DynamoDBClient(clientConfig(cloud));
    const get = () =>
      client.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: 'a' }, sk: { S: 'b' } } }));
    const status = async () =>
      (await client.send(new DescribeTableCommand({ TableName: TABLE }))).Table?.TableStatus;
    // Act
    const created = await createLedger(client);
    await elapse(0);
    const early = await errorOf(get());
    await elapse(1999);
    const stillCreating = await status();
    await elapse(1);
    const after = await get();
    // Assess
    expect(created.TableDescription?.TableStatus).toBe('CREATING');
    expect(early.name).toBe('ResourceNotFoundException');
    expect(stillCreating).toBe('CREATING');
    expect(await status()).toBe('ACTIVE');
    expect(after.Item).toBeUndefined();
  });

  it('closes its DynamoDB servers with the cloud', async () => {
    // Prepare
    const cloud = await startCloud();
    await createLedger(new DynamoDBClient(clientConfig(cloud)));
    // Act
    await cloud.close();
    // Assess
    expect(worldOf(cloud).dynamodb.started).toEqual([]);
  });
});
