import {
  EventBridgeClient,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
} from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { EventBus } from '#adapters/event-bus.ts';

const events = mockClient(EventBridgeClient);
const bus = () => new EventBus(new EventBridgeClient({ region: 'us-east-1', maxAttempts: 1 }));

describe('EventBus', () => {
  beforeEach(() => events.reset());

  it('puts events in batches of ten and gives one outcome per event, in order', async () => {
    // Prepare
    let next = 0;
    events.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ({
      FailedEntryCount: 0,
      Entries: input.Entries.map(() => {
        next += 1;
        return next === 12
          ? { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }
          : { EventId: `e${next}` };
      }),
    }));
    const detail = (n: number) => ({ accountId: String(210_000_000_000 + n) });

    // Act
    const outcomes = await bus().put(
      Array.from({ length: 13 }, (_, n) => ({
        source: 'runas.bootstrapper',
        detailType: 'Replay',
        detail: detail(n),
      })),
    );

    // Assess
    expect(events).toHaveReceivedCommandTimes(PutEventsCommand, 2);
    expect(events.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries).toHaveLength(10);
    expect(events.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0]).toEqual({
      Source: 'runas.bootstrapper',
      DetailType: 'Replay',
      Detail: JSON.stringify(detail(0)),
    });
    expect(outcomes).toHaveLength(13);
    expect(outcomes[0]).toEqual({ eventId: 'e1' });
    expect(outcomes[11]).toEqual({ errorCode: 'InternalFailure', errorMessage: 'try again' });
    expect(outcomes[12]).toEqual({ eventId: 'e13' });
  });

  it('lists every rule with the prefix across pages', async () => {
    // Prepare
    events
      .on(ListRulesCommand, { NamePrefix: 'RunAsBootstrapper-', NextToken: undefined })
      .resolves({ Rules: [{ Name: 'RunAsBootstrapper-a', State: 'ENABLED' }], NextToken: 't' })
      .on(ListRulesCommand, { NamePrefix: 'RunAsBootstrapper-', NextToken: 't' })
      .resolves({ Rules: [{ Name: 'RunAsBootstrapper-b', State: 'DISABLED' }] });

    // Act
    const rules = await bus().rules('RunAsBootstrapper-');

    // Assess
    expect(rules).toEqual([
      { name: 'RunAsBootstrapper-a', state: 'ENABLED' },
      { name: 'RunAsBootstrapper-b', state: 'DISABLED' },
    ]);
  });

  it("lists a rule's targets with their roles", async () => {
    // Prepare
    events.on(ListTargetsByRuleCommand, { Rule: 'r' }).resolves({
      Targets: [
        {
          Id: '1',
          Arn: 'arn:aws:events:eu-west-1:111122223333:event-bus/default',
          RoleArn: 'arn:aws:iam::111122223333:role/fwd',
        },
        { Id: '2', Arn: 'arn:aws:sqs:eu-west-1:111122223333:dlq' },
      ],
    });

    // Act
    const targets = await bus().targets('r');

    // Assess
    expect(targets).toEqual([
      {
        arn: 'arn:aws:events:eu-west-1:111122223333:event-bus/default',
        roleArn: 'arn:aws:iam::111122223333:role/fwd',
      },
      { arn: 'arn:aws:sqs:eu-west-1:111122223333:dlq' },
    ]);
  });
});
