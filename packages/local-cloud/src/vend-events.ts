import { randomUUID } from 'node:crypto';
import { type EventEnvelope, eventTime, makeEnvelope } from './bus.ts';

/** CloudTrail-via-EventBridge vend events, shaped as docs/aws-behaviour.md#service-events-via-cloudtrail describes. */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Organizations' locale timestamps: `Sep 16, 2020 9:20:53 PM` (UTC). */
export function organizationsTimestamp(epochMs: number): string {
  const d = new Date(epochMs);
  const hours = d.getUTCHours();
  const hour12 = hours % 12 === 0 ? 12 : hours % 12;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()} ${hour12}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${hours < 12 ? 'AM' : 'PM'}`;
}

/** Control Tower timestamps: `2019-11-15T11:45:18+0000`. */
export function controlTowerTimestamp(epochMs: number): string {
  return eventTime(epochMs).replace('Z', '+0000');
}

function cloudTrailRecord(fields: {
  managementAccountId: string;
  timeMs: number;
  eventSource: string;
  eventName: string;
  awsRegion: string;
  serviceEventDetails: Record<string, unknown>;
}): Record<string, unknown> {
  return {
    eventVersion: '1.08',
    userIdentity: { accountId: fields.managementAccountId, invokedBy: 'AWS Internal' },
    eventTime: eventTime(fields.timeMs),
    eventSource: fields.eventSource,
    eventName: fields.eventName,
    awsRegion: fields.awsRegion,
    sourceIPAddress: fields.eventSource,
    userAgent: fields.eventSource,
    requestParameters: null,
    responseElements: null,
    eventID: randomUUID(),
    readOnly: false,
    eventType: 'AwsServiceEvent',
    managementEvent: true,
    recipientAccountId: fields.managementAccountId,
    serviceEventDetails: fields.serviceEventDetails,
    eventCategory: 'Management',
  };
}

export interface CreateAccountResultFields {
  managementAccountId: string;
  requestId: string;
  accountName: string;
  state: 'SUCCEEDED' | 'FAILED';
  accountId?: string;
  failureReason?: string;
  requestedMs: number;
  completedMs: number;
}

/** Organizations `CreateAccountResult`: always region us-east-1, whatever the home region. */
export function createAccountResultEvent(f: CreateAccountResultFields): EventEnvelope {
  const status: Record<string, unknown> = {
    id: f.requestId,
    state: f.state,
    accountName: f.accountName,
    ...(f.state === 'SUCCEEDED' && f.accountId ? { accountId: f.accountId } : {}),
    ...(f.failureReason ? { failureReason: f.failureReason } : {}),
    requestedTimestamp: organizationsTimestamp(f.requestedMs),
    completedTimestamp: organizationsTimestamp(f.completedMs),
  };
  return makeEnvelope({
    'detail-type': 'AWS Service Event via CloudTrail',
    source: 'aws.organizations',
    account: f.managementAccountId,
    time: f.completedMs,
    region: 'us-east-1',
    detail: cloudTrailRecord({
      managementAccountId: f.managementAccountId,
      timeMs: f.completedMs,
      eventSource: 'organizations.amazonaws.com',
      eventName: 'CreateAccountResult',
      awsRegion: 'us-east-1',
      serviceEventDetails: { createAccountStatus: status },
    }),
  });
}

export interface ManagedAccountFields {
  managementAccountId: string;
  homeRegion: string;
  eventName: 'CreateManagedAccount' | 'UpdateManagedAccount';
  accountName: string;
  accountId?: string;
  organizationalUnitName: string;
  organizationalUnitId: string;
  state: 'SUCCEEDED' | 'FAILED';
  message?: string;
  requestedMs: number;
  completedMs: number;
}

/** Control Tower `CreateManagedAccount` / `UpdateManagedAccount`, in the Control Tower home region. */
export function managedAccountEvent(f: ManagedAccountFields): EventEnvelope {
  const statusKey =
    f.eventName === 'CreateManagedAccount' ? 'createManagedAccountStatus' : 'updateManagedAccountStatus';
  return makeEnvelope({
    'detail-type': 'AWS Service Event via CloudTrail',
    source: 'aws.controltower',
    account: f.managementAccountId,
    time: f.completedMs,
    region: f.homeRegion,
    detail: cloudTrailRecord({
      managementAccountId: f.managementAccountId,
      timeMs: f.completedMs,
      eventSource: 'controltower.amazonaws.com',
      eventName: f.eventName,
      awsRegion: f.homeRegion,
      serviceEventDetails: {
        [statusKey]: {
          organizationalUnit: {
            organizationalUnitName: f.organizationalUnitName,
            organizationalUnitId: f.organizationalUnitId,
          },
          account: {
            accountName: f.accountName,
            accountId: f.state === 'SUCCEEDED' && f.accountId ? f.accountId : 'Not Available',
          },
          state: f.state,
          message:
            f.message ??
            (f.state === 'SUCCEEDED'
              ? 'AWS Control Tower successfully created a managed account.'
              : 'AWS Control Tower failed to create a managed account.'),
          requestedTimestamp: controlTowerTimestamp(f.requestedMs),
          completedTimestamp: controlTowerTimestamp(f.completedMs),
        },
      },
    }),
  });
}

export interface AccountJoinedFields {
  managementAccountId: string;
  accountId: string;
  accountName: string;
  joinedMethod: 'CREATED' | 'INVITED';
  /** When the account joined (DescribeAccount's JoinedTimestamp). */
  joinedMs: number;
  /** When the event is logged; at or after `joinedMs`. */
  eventMs: number;
}

/**
 * Organizations `AccountJoinedOrganization`: logged for every created account (joined method
 * Created) and every accepted invitation (Invited) (docs/aws-behaviour.md#accountjoinedorganization-event, from
 * the CreateAccount API reference). Organizations is global: region us-east-1, like
 * CreateAccountResult.
 *
 * The detail's shape is UNCONFIRMED (no verbatim sample is public, docs/aws-behaviour.md#accountjoinedorganization-event): this twin puts
 * the member in `serviceEventDetails` as `{ accountId, accountName, joinedMethod,
 * joinedTimestamp }` (timestamp ISO 8601 UTC), the way CreateAccountResult carries its status.
 * Consumers should match on `detail.eventName` only, read the account id defensively, and take
 * the join time and method from DescribeAccount.
 */
export function accountJoinedEvent(f: AccountJoinedFields): EventEnvelope {
  return makeEnvelope({
    'detail-type': 'AWS Service Event via CloudTrail',
    source: 'aws.organizations',
    account: f.managementAccountId,
    time: f.eventMs,
    region: 'us-east-1',
    detail: cloudTrailRecord({
      managementAccountId: f.managementAccountId,
      timeMs: f.eventMs,
      eventSource: 'organizations.amazonaws.com',
      eventName: 'AccountJoinedOrganization',
      awsRegion: 'us-east-1',
      serviceEventDetails: {
        accountId: f.accountId,
        accountName: f.accountName,
        joinedMethod: f.joinedMethod,
        joinedTimestamp: eventTime(f.joinedMs),
      },
    }),
  });
}
