import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createClient } from '#adapters/clients.ts';
import { FollowedRuns } from '#adapters/followed-runs.ts';
import { VendLedger } from '#adapters/vend-ledger.ts';
import { LEDGER_TABLE_ENV_VAR } from '#core/vend/ledger.ts';
import { type HandlerEnvironment, requiredVariable } from './environment.ts';

const clients = new WeakMap<HandlerEnvironment, DynamoDBClient>();

/** One DynamoDB client per environment, shared by the ledger's readers and writers. */
function dynamodb(environment: HandlerEnvironment): DynamoDBClient {
  let client = clients.get(environment);
  if (!client) {
    client = createClient(DynamoDBClient, 'dynamodb', environment.clients);
    clients.set(environment, client);
  }
  return client;
}

/** The vend ledger (DynamoDB), named by VEND_LEDGER_TABLE. */
export function vendLedger(environment: HandlerEnvironment): VendLedger {
  return new VendLedger(dynamodb(environment), requiredVariable(environment, LEDGER_TABLE_ENV_VAR));
}

/** The ledger table's markers of followed LZA Security_Resources runs. */
export function followedRuns(environment: HandlerEnvironment): FollowedRuns {
  return new FollowedRuns(dynamodb(environment), requiredVariable(environment, LEDGER_TABLE_ENV_VAR));
}
