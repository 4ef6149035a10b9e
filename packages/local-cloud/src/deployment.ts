import type { PolicyDocument } from './iam-policy.ts';

/**
 * A deployed application, as the local cloud shows it to CloudFormation, EventBridge, Step
 * Functions, SNS and CloudWatch callers: its stacks with their outputs, rules, state machines,
 * topics, alarms and service control policies. Whoever deploys onto the cloud (a local runtime)
 * registers it with `setDeployment`; callers can disable and enable rules as on AWS, and the
 * deployer reads their state back from here.
 */

export type StackStatus =
  | 'CREATE_COMPLETE'
  | 'UPDATE_COMPLETE'
  | 'UPDATE_ROLLBACK_COMPLETE'
  | 'ROLLBACK_COMPLETE';

export interface DeployedStack {
  name: string;
  region: string;
  stackId: string;
  status: StackStatus;
  description: string;
  createdMs: number;
  outputs: Record<string, string>;
}

export interface DeployedRule {
  name: string;
  region: string;
  /**
   * The deployer's own notes on the rule (what it implements, its part in a design). They never
   * reach the wire; the deployer reads them back to decide what an enabled or disabled rule means.
   */
  labels: Record<string, string>;
  state: 'ENABLED' | 'DISABLED';
  description: string;
  eventPattern: string;
  targets: { Id: string; Arn: string; RoleArn?: string }[];
}

export interface DeployedStateMachine {
  arn: string;
  name: string;
  region: string;
  status: 'ACTIVE' | 'DELETING';
  createdMs: number;
  roleArn: string;
  /** The ASL the local runtime runs. */
  definition: string;
}

export interface DeployedSubscription {
  SubscriptionArn: string;
  Protocol: string;
  Endpoint: string;
}

export interface DeployedTopic {
  arn: string;
  region: string;
  subscriptions: DeployedSubscription[];
}

export interface DeployedAlarm {
  name: string;
  region: string;
  arn: string;
  state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  reason: string;
  updatedMs: number;
}

/**
 * An IAM role the deployment creates in the management account, with its identity policies, and
 * the keys its functions call with (Lambda hands a function its role's credentials; here the
 * deployer picks them). The cloud evaluates the policies on every call those keys sign.
 */
export interface DeployedRole {
  name: string;
  policies: PolicyDocument[];
  accessKeyId: string;
  secretAccessKey: string;
}

export interface LocalDeployment {
  stacks: DeployedStack[];
  rules: DeployedRule[];
  stateMachines: DeployedStateMachine[];
  topics: DeployedTopic[];
  alarms: DeployedAlarm[];
  /**
   * Service control policies the deployment attaches. The local organization has no OUs, so each
   * applies to every member account, as if attached to the root.
   */
  serviceControlPolicies: PolicyDocument[];
  /** Roles whose identity policies the cloud enforces (none: the deployer calls as the administrator). */
  roleKeys?: DeployedRole[];
  /** Statements of default buses' resource-based policies: who may put events on them. */
  eventBusPolicies?: { account: string; region: string; principals: string[] }[];
  /** IAM roles the deployment creates in other accounts (assumable by the management account). */
  roles?: { accountId: string; roleName: string; trustedPrincipalArns?: string[] }[];
}
