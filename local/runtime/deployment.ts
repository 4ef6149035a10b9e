import {
  type DeployedAlarm,
  type DeployedRule,
  type DeployedStack,
  type DeployedTopic,
  type LocalDeployment,
  type PipelineDefaults,
  parsePolicyDocument,
} from '@runas-bootstrapper/local-cloud';
import type { BootstrapperConfig } from '#core/config/config.ts';
import {
  CONFIG_DIGEST_OUTPUT,
  configDigest,
  DEFAULT_STACK_NAME,
  FAILURE_TOPIC_OUTPUT,
  FORWARDER_SUFFIX,
  forwarderRegionFor,
  GUARDRAIL_SUFFIX,
  PRODUCT_VERSION,
  VERSION_OUTPUT,
} from '#core/deploy/deployment.ts';
import { guardrailPolicyDocument } from '#core/deploy/guardrail.ts';
import { HOP_ROLE_NAME, hubAccount, MANAGEMENT_SUFFIX } from '#core/deploy/hub.ts';
import { memberRoleGrantStatement } from '#core/deploy/member-role-grant.ts';
import {
  externalPipelineAccount,
  PIPELINE_ACCOUNT_SUFFIX,
  PIPELINE_READER_ROLE_NAME,
} from '#core/deploy/pipeline-account.ts';
import {
  BOOTSTRAP_STATE_MACHINE_OUTPUT,
  FOLLOW_UP_STATE_MACHINE_OUTPUT,
  SWEEP_STATE_MACHINE_OUTPUT,
  VEND_LEDGER_TABLE_OUTPUT,
} from '#core/shared/names.ts';
import { FOLLOW_UP_RULE_ID, followUpEventPattern } from '#core/vend/ledger.ts';
import { vendEventRules } from '#core/vend/rules.ts';

/**
 * What the CDK app deploys for a config, as the local runtime registers it on the local cloud: the
 * home stack (and the us-east-1 forwarder when home is elsewhere) with the same outputs, the same
 * rules and the same state machines, so the CLI's stack, rule and alarm lookups work locally.
 * Rules can be disabled and enabled like real ones, and the runtime honours their state.
 */

/** The alarms the Monitoring construct creates (stacks/monitoring.ts), after the stack-name prefix. */
export const DEPLOYED_ALARM_NAMES = [
  'RegionsFailed',
  'SweepFailures',
  'VendToRunAsP90',
  'VendEventDeadLetters',
  'BootstrapExecutionsFailed',
  'SweepExecutionsFailed',
  'FollowUpExecutionsFailed',
  'SweepScheduleDropped',
  'DocumentVersionLimitReached',
  'VendRedrivesExhausted',
  'LzaPipelineMisnamed',
] as const;

export interface LocalDeploymentOptions {
  config: BootstrapperConfig;
  managementAccountId: string;
  homeRegion: string;
  stateMachineArns: { bootstrap: string; sweep: string; followUp: string };
  /** The ASL text of each state machine. */
  definitions: { bootstrap: string; sweep: string; followUp: string };
  /** The vend ledger's table name. */
  ledgerTableName: string;
  nowMs: number;
  stackName?: string;
  /** Keys of the role that assumes member roles: its grant is registered and enforced. */
  memberSessionKeys?: { accessKeyId: string; secretAccessKey: string };
}

/** What every part of the deployment derives from the options. */
interface DeploymentContext {
  options: LocalDeploymentOptions;
  config: BootstrapperConfig;
  /** The management account. */
  account: string;
  hub: string | undefined;
  /** Where the product's own stack, rules, topic and alarms live: the hub when there is one. */
  home: string;
  homeRegion: string;
  stackName: string;
  nowMs: number;
  topicArn: string;
}

function deploymentContext(options: LocalDeploymentOptions): DeploymentContext {
  const { config, managementAccountId: account, homeRegion, nowMs } = options;
  const hub = hubAccount({ managementAccountId: account, hubAccountId: config.hubAccountId });
  const home = hub ?? account;
  const stackName = options.stackName ?? DEFAULT_STACK_NAME;
  const topicArn = `arn:aws:sns:${homeRegion}:${home}:${stackName}-failures`;
  return { options, config, account, hub, home, homeRegion, stackName, nowMs, topicArn };
}

function stackId(region: string, name: string, owner: string): string {
  return `arn:aws:cloudformation:${region}:${owner}:stack/${name}/${crypto.randomUUID()}`;
}

/** `account-created` -> `AccountCreated`, as CDK names the rules from their ids. */
function pascal(id: string): string {
  return id
    .split('-')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

/** The home stack with its outputs, and the guardrail stack when the SCP is on. */
function homeStacks(c: DeploymentContext): DeployedStack[] {
  const { options, stackName, homeRegion, nowMs } = c;
  const stacks: DeployedStack[] = [
    {
      name: stackName,
      region: homeRegion,
      stackId: stackId(homeRegion, stackName, c.home),
      status: 'CREATE_COMPLETE',
      description: 'runas-bootstrapper: sets Session Manager RunAs preferences in newly vended accounts',
      createdMs: nowMs,
      outputs: {
        [BOOTSTRAP_STATE_MACHINE_OUTPUT]: options.stateMachineArns.bootstrap,
        [SWEEP_STATE_MACHINE_OUTPUT]: options.stateMachineArns.sweep,
        [FOLLOW_UP_STATE_MACHINE_OUTPUT]: options.stateMachineArns.followUp,
        [VEND_LEDGER_TABLE_OUTPUT]: options.ledgerTableName,
        [FAILURE_TOPIC_OUTPUT]: c.topicArn,
        [VERSION_OUTPUT]: PRODUCT_VERSION,
        [CONFIG_DIGEST_OUTPUT]: configDigest(c.config),
      },
    },
  ];
  if (c.config.guardrail.scp.enabled) {
    const name = `${stackName}${GUARDRAIL_SUFFIX}`;
    stacks.push({
      name,
      region: homeRegion,
      stackId: stackId(homeRegion, name, c.account),
      status: 'CREATE_COMPLETE',
      description: 'runas-bootstrapper (SCP guardrail on the preferences document)',
      createdMs: nowMs,
      outputs: {},
    });
  }
  return stacks;
}

/** The home stack's rules: one per vend event, and the LZA follow-up's when the gap is measured. */
function homeRules(c: DeploymentContext): DeployedRule[] {
  const { config, stackName, homeRegion, home } = c;
  const rules: DeployedRule[] = vendEventRules({ managementAccountId: c.account }).map((rule) => ({
    name: `${stackName}-${pascal(rule.id)}Rule`,
    region: homeRegion,
    labels: { ruleId: rule.id, role: 'home' },
    state: 'ENABLED',
    description: rule.description.slice(0, 512),
    eventPattern: JSON.stringify(rule.pattern),
    targets: [
      {
        Id: 'Target0',
        Arn: c.options.stateMachineArns.bootstrap,
        RoleArn: `arn:aws:iam::${home}:role/${stackName}-${pascal(rule.id)}RuleEventsRole`,
      },
    ],
  }));
  if (config.lza.measureGap) {
    rules.push({
      name: `${stackName}-LzaFollowUpRule`,
      region: homeRegion,
      labels: { ruleId: FOLLOW_UP_RULE_ID, role: 'home' },
      state: 'ENABLED',
      description: `LZA pipeline ${config.lza.pipelineName}: Deploy-stage Security_Resources and Customizations succeeded`,
      eventPattern: JSON.stringify(followUpEventPattern(config.lza.pipelineName)),
      targets: [
        {
          Id: 'Target0',
          Arn: c.options.stateMachineArns.followUp,
          RoleArn: `arn:aws:iam::${home}:role/${stackName}-LzaFollowUpRuleEventsRole`,
        },
      ],
    });
  }
  return rules;
}

/** The us-east-1 forwarder stack and its rules, when home is elsewhere. */
function forwarderParts(c: DeploymentContext): { stacks: DeployedStack[]; rules: DeployedRule[] } {
  const { account, homeRegion } = c;
  const forwarderRegion = forwarderRegionFor(homeRegion);
  if (!forwarderRegion) return { stacks: [], rules: [] };
  const name = `${c.stackName}${FORWARDER_SUFFIX}`;
  const stack: DeployedStack = {
    name,
    region: forwarderRegion,
    stackId: stackId(forwarderRegion, name, account),
    status: 'CREATE_COMPLETE',
    description: `runas-bootstrapper (forwards Organizations events from ${forwarderRegion} to ${homeRegion})`,
    createdMs: c.nowMs,
    outputs: { [VERSION_OUTPUT]: PRODUCT_VERSION },
  };
  const rules = vendEventRules()
    .filter((r) => r.deliveredIn === 'us-east-1')
    .map(
      (rule): DeployedRule => ({
        name: `${name}-${pascal(rule.id)}Forward`,
        region: forwarderRegion,
        labels: { ruleId: rule.id, role: 'forward' },
        state: 'ENABLED',
        description: `Forward to ${homeRegion}: ${rule.description}`.slice(0, 512),
        eventPattern: JSON.stringify(rule.pattern),
        targets: [
          {
            Id: 'Target0',
            Arn: `arn:aws:events:${homeRegion}:${c.hub ?? account}:event-bus/default`,
            RoleArn: `arn:aws:iam::${account}:role/${name}-ForwardRole`,
          },
        ],
      }),
    );
  return { stacks: [stack], rules };
}

function stateMachinesOf(c: DeploymentContext): LocalDeployment['stateMachines'] {
  const { options } = c;
  return (['bootstrap', 'sweep', 'followUp'] as const).map((id) => ({
    arn: options.stateMachineArns[id],
    name: options.stateMachineArns[id].split(':').pop() as string,
    definition: options.definitions[id],
    region: c.homeRegion,
    status: 'ACTIVE' as const,
    createdMs: c.nowMs,
    roleArn: `arn:aws:iam::${c.home}:role/${c.stackName}-${pascal(id)}Role`,
  }));
}

/** The failure topic. Locally an e-mail subscription counts as confirmed at once: nobody can click the link. */
function topicsOf(c: DeploymentContext): DeployedTopic[] {
  const email = c.config.notifications.email;
  return [
    {
      arn: c.topicArn,
      region: c.homeRegion,
      subscriptions: email
        ? [{ SubscriptionArn: `${c.topicArn}:${crypto.randomUUID()}`, Protocol: 'email', Endpoint: email }]
        : [],
    },
  ];
}

function alarmsOf(c: DeploymentContext): DeployedAlarm[] {
  const { stackName, homeRegion } = c;
  return DEPLOYED_ALARM_NAMES.map((name) => ({
    name: `${stackName}-${name}`,
    region: homeRegion,
    arn: `arn:aws:cloudwatch:${homeRegion}:${c.home}:alarm:${stackName}-${name}`,
    state: 'OK',
    reason: 'Threshold Crossed: no datapoints were breaching',
    updatedMs: c.nowMs,
  }));
}

/**
 * The member-role grant the stack gives its Lambdas (stacks/tasks.ts), enforced by the cloud on
 * the keys the runtime's member sessions call STS with.
 */
function memberSessionRoleKeys(c: DeploymentContext): LocalDeployment['roleKeys'] {
  const { config, options } = c;
  if (!options.memberSessionKeys) return [];
  const grant = memberRoleGrantStatement({
    partition: 'aws',
    roleNames: config.memberRoleNames,
    organizationId: config.organizationId,
    managementAccountId: config.managementAccountId ?? c.account,
  });
  return [
    {
      name: `${c.stackName}-MemberSessions`,
      policies: [parsePolicyDocument(JSON.stringify({ Version: '2012-10-17', Statement: [grant] }))],
      ...options.memberSessionKeys,
    },
  ];
}

/**
 * PipelineAccountStack's forward rule: a target on the home bus, whose policy allows the
 * pipeline account.
 */
function pipelineForwardRule(c: DeploymentContext, pipelineAccount: string): DeployedRule {
  const { config, account, homeRegion } = c;
  const name = `${c.stackName}${PIPELINE_ACCOUNT_SUFFIX}`;
  return {
    name: `${name}-PipelineActionsForward`,
    region: homeRegion,
    labels: { ruleId: FOLLOW_UP_RULE_ID, role: 'forward' },
    state: 'ENABLED',
    description: `Forward to ${account}/${homeRegion}: ${config.lza.pipelineName} Deploy-stage Security_Resources and Customizations succeeded`,
    eventPattern: JSON.stringify(followUpEventPattern(config.lza.pipelineName)),
    targets: [
      {
        Id: 'Target0',
        Arn: `arn:aws:events:${homeRegion}:${account}:event-bus/default`,
        RoleArn: `arn:aws:iam::${pipelineAccount}:role/${name}-ForwardRole`,
      },
    ],
  };
}

/** The installation the CDK app would deploy for this config, as the local cloud serves it. */
export function localDeployment(options: LocalDeploymentOptions): LocalDeployment {
  const c = deploymentContext(options);
  const { config, account, homeRegion } = c;
  const stacks = homeStacks(c);
  const rules = homeRules(c);
  const forwarder = forwarderParts(c);
  stacks.push(...forwarder.stacks);
  rules.push(...forwarder.rules);
  const stateMachines = stateMachinesOf(c);
  const topics = topicsOf(c);
  const alarms = alarmsOf(c);
  const serviceControlPolicies = config.guardrail.scp.enabled
    ? [parsePolicyDocument(JSON.stringify(guardrailPolicyDocument(config)))]
    : [];
  const roleKeys = memberSessionRoleKeys(c);
  // A hub account: RunAsBootstrapperManagement forwards to the hub's bus and holds the hop role.
  const hubParts = c.hub ? managementAccountParts(options, c.hub) : undefined;
  if (hubParts) rules.push(...hubParts.rules);
  const pipelineAccount = externalPipelineAccount({ managementAccountId: account, lza: config.lza });
  // PipelineAccountStack: its forward rule and its reader role.
  if (pipelineAccount && config.lza.measureGap) rules.push(pipelineForwardRule(c, pipelineAccount));
  return {
    stacks,
    rules,
    stateMachines,
    topics,
    alarms,
    serviceControlPolicies,
    roleKeys,
    ...(pipelineAccount && config.lza.measureGap
      ? {
          eventBusPolicies: [{ account, region: homeRegion, principals: [pipelineAccount] }],
          roles: [{ accountId: pipelineAccount, roleName: PIPELINE_READER_ROLE_NAME }],
        }
      : {}),
    ...(hubParts ? { eventBusPolicies: hubParts.eventBusPolicies, roles: hubParts.roles } : {}),
  };
}

/**
 * The management account's side of a hub deployment: forward rules (Control Tower's events; the
 * Organizations ones too when no forwarder stack exists; the LZA follow-up events) aimed at the
 * hub's bus, the hub bus's policy for them, and the hop role, which trusts the hub. Locally the
 * hub's Lambdas sign with a hub account key, so the trust names the hub account's principals.
 */
function managementAccountParts(options: LocalDeploymentOptions, hub: string) {
  const { config, managementAccountId: account, homeRegion } = options;
  const name = `${options.stackName ?? DEFAULT_STACK_NAME}${MANAGEMENT_SUFFIX}`;
  const withOrganizations = forwarderRegionFor(homeRegion) === undefined;
  const forwarded: { id: string; description: string; pattern: unknown }[] = vendEventRules({
    managementAccountId: account,
  })
    .filter((r) => !r.id.startsWith('replay') && (r.deliveredIn === 'home-region' || withOrganizations))
    .map((r) => ({ id: r.id, description: r.description, pattern: r.pattern }));
  if (config.lza.measureGap && !externalPipelineAccount(config))
    forwarded.push({
      id: FOLLOW_UP_RULE_ID,
      description: `LZA pipeline ${config.lza.pipelineName} action events`,
      pattern: followUpEventPattern(config.lza.pipelineName),
    });
  const rules: DeployedRule[] = forwarded.map((rule) => ({
    name: `${name}-${rule.id}-Forward`,
    region: homeRegion,
    labels: { ruleId: rule.id, role: 'forward' },
    state: 'ENABLED',
    description: `Forward to the hub ${hub}: ${rule.description}`.slice(0, 512),
    eventPattern: JSON.stringify(rule.pattern),
    targets: [
      {
        Id: 'Target0',
        Arn: `arn:aws:events:${homeRegion}:${hub}:event-bus/default`,
        RoleArn: `arn:aws:iam::${account}:role/${name}-ForwardRole`,
      },
    ],
  }));
  return {
    rules,
    eventBusPolicies: [{ account: hub, region: homeRegion, principals: [account] }],
    roles: [{ accountId: account, roleName: HOP_ROLE_NAME, trustedPrincipalArns: [`arn:aws:iam::${hub}:*`] }],
  };
}

/**
 * Whether the deployed rules let an event matched by `ruleId` start the bootstrap: its home rule
 * is enabled and, for an event Organizations delivers in us-east-1 while home is elsewhere, its
 * forwarding rule too. Without a deployment (a bare runtime) every rule is live.
 */
export function ruleDelivers(deployment: LocalDeployment | undefined, ruleId: string): boolean {
  if (!deployment) return true;
  const rules = deployment.rules.filter((r) => r.labels.ruleId === ruleId);
  const home = rules.find((r) => r.labels.role === 'home');
  const forward = rules.find((r) => r.labels.role === 'forward');
  return home?.state !== 'DISABLED' && forward?.state !== 'DISABLED';
}

/** The LZA pipeline the local cloud runs when a scenario does not name one: the one this config watches. */
export function pipelineDefaultsFor(config: BootstrapperConfig): PipelineDefaults {
  return { name: config.lza.pipelineName, regions: config.governedRegions };
}
