import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { followedKey, type SecurityResourcesRun } from '#core/follow-up/followed-runs.ts';
import { classifyAwsError } from './aws-errors.ts';

/**
 * Which LZA Security_Resources completions a repair sweep has followed: one small marker item
 * each in the vend ledger's table (core/follow-up/followed-runs.ts names its key), kept as long as a vend
 * record (its TTL). The reconciler reads them to start the sweep a lost event did not.
 */
export class FollowedRuns {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(client: DynamoDBClient, tableName: string) {
    this.#db = DynamoDBDocumentClient.from(client);
    this.#table = tableName;
  }

  /** The runs of `runs` that no follow-up has recorded as followed (one GetItem each). */
  async unfollowed(runs: readonly SecurityResourcesRun[]): Promise<SecurityResourcesRun[]> {
    const seen = await Promise.all(
      runs.map(async (run) => {
        try {
          const { Item } = await this.#db.send(
            new GetCommand({ TableName: this.#table, Key: followedKey(run), ConsistentRead: true }),
          );
          return Item !== undefined;
        } catch (error) {
          throw classifyAwsError(error, `GetItem followed ${run.pipelineExecutionId} ${run.stage}`);
        }
      }),
    );
    return runs.filter((_, i) => !seen[i]);
  }

  /** Record each run as followed (its repair sweep started): the first time it is kept. */
  async record(runs: readonly SecurityResourcesRun[], atIso: string, expiresAt: number): Promise<void> {
    for (const run of runs) {
      try {
        await this.#db.send(
          new UpdateCommand({
            TableName: this.#table,
            Key: followedKey(run),
            UpdateExpression: 'SET followedAt = if_not_exists(followedAt, :at), expiresAt = :ttl',
            ExpressionAttributeValues: { ':at': atIso, ':ttl': expiresAt },
          }),
        );
      } catch (error) {
        throw classifyAwsError(error, `UpdateItem followed ${run.pipelineExecutionId} ${run.stage}`);
      }
    }
  }
}
