import {
  type EventBridgeClient,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
} from '@aws-sdk/client-eventbridge';
import { allPages } from './pages.ts';

/** An event to put on the default bus. */
export interface BusEvent {
  source: string;
  detailType: string;
  detail: unknown;
}

/** What PutEvents said about one entry: an event id, or why it was rejected. */
export interface PutOutcome {
  eventId?: string;
  errorCode?: string;
  errorMessage?: string;
}

export interface RuleSummary {
  name: string;
  state: string;
}

export interface RuleTarget {
  arn: string;
  roleArn?: string;
}

/** PutEvents takes at most 10 entries per call. */
export const PUT_EVENTS_BATCH = 10;

/** The default event bus of one region: put events, list rules and their targets. */
export class EventBus {
  readonly #client: EventBridgeClient;

  constructor(client: EventBridgeClient) {
    this.#client = client;
  }

  /** Put the events in batches of ten; one outcome per event, in order. */
  async put(events: readonly BusEvent[]): Promise<PutOutcome[]> {
    const outcomes: PutOutcome[] = [];
    for (let start = 0; start < events.length; start += PUT_EVENTS_BATCH) {
      const chunk = events.slice(start, start + PUT_EVENTS_BATCH);
      const response = await this.#client.send(
        new PutEventsCommand({
          Entries: chunk.map((e) => ({
            Source: e.source,
            DetailType: e.detailType,
            Detail: JSON.stringify(e.detail),
          })),
        }),
      );
      chunk.forEach((_, index) => {
        const entry = response.Entries?.[index];
        outcomes.push({
          ...(entry?.EventId ? { eventId: entry.EventId } : {}),
          ...(entry?.ErrorCode ? { errorCode: entry.ErrorCode } : {}),
          ...(entry?.ErrorMessage ? { errorMessage: entry.ErrorMessage } : {}),
        });
      });
    }
    return outcomes;
  }

  /** Every rule whose name starts with `prefix`, across pages. */
  async rules(prefix: string): Promise<RuleSummary[]> {
    return allPages(
      (NextToken) => this.#client.send(new ListRulesCommand({ NamePrefix: prefix, NextToken })),
      (page): RuleSummary[] =>
        (page.Rules ?? []).flatMap((rule) =>
          rule.Name ? [{ name: rule.Name, state: rule.State ?? 'UNKNOWN' }] : [],
        ),
    );
  }

  /** Every target of the rule, across pages. */
  async targets(rule: string): Promise<RuleTarget[]> {
    return allPages(
      (NextToken) => this.#client.send(new ListTargetsByRuleCommand({ Rule: rule, NextToken })),
      (page): RuleTarget[] =>
        (page.Targets ?? []).flatMap((target) =>
          target.Arn ? [{ arn: target.Arn, ...(target.RoleArn ? { roleArn: target.RoleArn } : {}) }] : [],
        ),
    );
  }
}
