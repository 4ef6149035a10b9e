import { Duration, type Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type { BootstrapperConfig } from '#core/config/config.ts';
import { hubAccount } from '#core/deploy/hub.ts';
import { externalPipelineAccount } from '#core/deploy/pipeline-account.ts';
import { followUpEventPattern } from '#core/vend/ledger.ts';
import { type RuleId, vendEventRules } from '#core/vend/rules.ts';
import { pascalCase } from './construct-id.ts';
import { EventDeadLetterQueue } from './event-dead-letter-queue.ts';
import { toCdkEventPattern } from './event-pattern.ts';
import type { FileStateMachine } from './file-state-machine.ts';

/**
 * Delivery policy of the vend rules. StartExecution rarely fails except under throttling; past six
 * hours the event is still worth acting on, but the dead-letter queue and the sweep take over.
 */
export const EVENT_RETRY_ATTEMPTS = 20;
export const EVENT_MAX_AGE = Duration.hours(6);

export interface EventRoutingProps {
  config: BootstrapperConfig;
  bootstrap: FileStateMachine;
  followUp: FileStateMachine;
}

export interface EventRouting {
  rules: Partial<Record<RuleId, events.Rule>>;
  deadLetterQueue: EventDeadLetterQueue;
}

/**
 * What starts the workflows: the vend rules into the bootstrap, LZA's pipeline events into the
 * follow-up, their dead-letter queue, and the bus policies that let other accounts deliver them.
 *
 * Made directly in the stack, not in a StackSection: CDK names each rule's statement in the
 * dead-letter queue's policy after the rule's construct path (`AllowEventRule<path>`), so a
 * section would rewrite that policy.
 */
export function routeEvents(stack: Stack, { config, bootstrap, followUp }: EventRoutingProps): EventRouting {
  const deadLetterQueue = new EventDeadLetterQueue(stack, 'VendEventDeadLetters');
  const target = (stateMachine: FileStateMachine) =>
    new targets.SfnStateMachine(stateMachine, {
      deadLetterQueue: deadLetterQueue.queue,
      retryAttempts: EVENT_RETRY_ATTEMPTS,
      maxEventAge: EVENT_MAX_AGE,
    });
  const rules = vendRules(stack, target(bootstrap));
  allowForwardingAccounts(stack, config);
  if (config.lza.measureGap !== false) {
    new events.Rule(stack, 'LzaFollowUpRule', {
      description: `LZA pipeline ${config.lza.pipelineName}: Deploy-stage Security_Resources and Customizations succeeded`,
      eventPattern: toCdkEventPattern(followUpEventPattern(config.lza.pipelineName)),
      targets: [target(followUp)],
    });
  }
  return { rules, deadLetterQueue };
}

/** One rule per vend event, each starting the bootstrap with the whole event. */
function vendRules(stack: Stack, bootstrap: events.IRuleTarget): Partial<Record<RuleId, events.Rule>> {
  const rules: Partial<Record<RuleId, events.Rule>> = {};
  const managementAccountId = Token.isUnresolved(stack.account) ? undefined : stack.account;
  for (const rule of vendEventRules(managementAccountId ? { managementAccountId } : {})) {
    let pattern = toCdkEventPattern(rule.pattern);
    // Environment-agnostic synth: core cannot validate a token, so restrict replays here instead.
    if (rule.trigger === 'replay' && !pattern.account) pattern = { ...pattern, account: [stack.account] };
    rules[rule.id] = new events.Rule(stack, `${pascalCase(rule.id)}Rule`, {
      description: rule.description.slice(0, 512),
      eventPattern: pattern,
      // No `input`: the state machine gets the whole event, and ResolveRequest normalizes it.
      targets: [bootstrap],
    });
  }
  return rules;
}

/** The bus policies for the accounts that forward events here: the management and LZA's pipeline. */
function allowForwardingAccounts(stack: Stack, config: BootstrapperConfig): void {
  // In a hub account the management account forwards the vend and pipeline events here.
  if (hubAccount(config) && config.managementAccountId)
    new events.CfnEventBusPolicy(stack, 'ManagementAccountEvents', {
      eventBusName: 'default',
      statementId: 'runas-bootstrapper-management-account',
      action: 'events:PutEvents',
      principal: config.managementAccountId,
    });
  if (config.lza.measureGap === false) return;
  // LZA's external pipeline account forwards its action events here: the bus must allow it.
  const pipelineAccount = externalPipelineAccount({
    managementAccountId: config.managementAccountId ?? stack.account,
    lza: config.lza,
  });
  if (pipelineAccount)
    new events.CfnEventBusPolicy(stack, 'PipelineAccountEvents', {
      eventBusName: 'default',
      statementId: 'runas-bootstrapper-lza-pipeline-account',
      action: 'events:PutEvents',
      principal: pipelineAccount,
    });
}
