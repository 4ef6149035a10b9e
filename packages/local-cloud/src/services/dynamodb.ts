import type {
  Input,
  OperationContext,
  OperationDefinition,
  ServiceDefinition,
} from '../service-definition.ts';

/**
 * DynamoDB (awsJson1_0, `DynamoDB_20120810.<Op>`), in the caller's account and the credential
 * scope's region. The local cloud authenticates, injects faults and evaluates session policies
 * like for every service; the operation itself runs in that account and region's dynalite
 * (`../dynamodb.ts`), with UpdateTimeToLive/DescribeTimeToLive kept by the local cloud.
 */

const OPERATIONS = [
  'BatchGetItem',
  'BatchWriteItem',
  'CreateTable',
  'DeleteItem',
  'DeleteTable',
  'DescribeTable',
  'DescribeTimeToLive',
  'GetItem',
  'ListTables',
  'ListTagsOfResource',
  'PutItem',
  'Query',
  'Scan',
  'TagResource',
  'UntagResource',
  'UpdateItem',
  'UpdateTable',
  'UpdateTimeToLive',
] as const;

function tableArn(ctx: OperationContext, table: string): string {
  return `arn:aws:dynamodb:${ctx.region}:${ctx.accountId}:table/${table}`;
}

/**
 * The resource IAM evaluates: the table, or the index for a Query/Scan on one. Batch operations
 * name several tables; the first one is evaluated (a simplification: AWS checks each).
 */
function resourceOf(ctx: OperationContext, input: Input): string {
  if (typeof input.ResourceArn === 'string') return input.ResourceArn;
  let table = typeof input.TableName === 'string' ? input.TableName : undefined;
  if (!table && input.RequestItems && typeof input.RequestItems === 'object') {
    table = Object.keys(input.RequestItems)[0];
  }
  if (!table) return '*';
  const arn = tableArn(ctx, table);
  return typeof input.IndexName === 'string' ? `${arn}/index/${input.IndexName}` : arn;
}

function operation(name: string): OperationDefinition {
  return {
    resource: resourceOf,
    handle: (ctx, input) => ctx.world.dynamodb.call(ctx.accountId, ctx.region, name, input),
  };
}

export const dynamoDbService: ServiceDefinition = {
  id: 'dynamodb',
  protocol: 'json1.0',
  targetPrefix: 'DynamoDB_20120810',
  accessDeniedStatus: 400,
  operations: Object.fromEntries(OPERATIONS.map((name) => [name, operation(name)])),
};
