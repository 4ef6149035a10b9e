import { CfnOutput, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { VEND_LEDGER_TABLE_OUTPUT } from '#core/shared/names.ts';
import { LEDGER_KEYS, LEDGER_TTL_ATTRIBUTE, OPEN_VENDS_INDEX } from '#core/vend/ledger.ts';
import { StackSection } from './stack-section.ts';

/**
 * The vend ledger, one item per vend (account + join time), and its output. It is the audit
 * record of every vend: kept when the stack is deleted, recoverable to any second.
 */
export class VendLedgerTable extends StackSection {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'VendLedger', {
      partitionKey: { name: LEDGER_KEYS.partition, type: dynamodb.AttributeType.STRING },
      sortKey: { name: LEDGER_KEYS.sort, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: LEDGER_TTL_ATTRIBUTE,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: OPEN_VENDS_INDEX,
      partitionKey: { name: 'open', type: dynamodb.AttributeType.STRING },
      sortKey: { name: LEDGER_KEYS.sort, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });
    new CfnOutput(this, VEND_LEDGER_TABLE_OUTPUT, {
      description: 'The vend ledger (runas-bootstrapper status reads it)',
      value: this.table.tableName,
    });
  }
}
