import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { describe, expect, it, vi } from 'vitest';
import type { EventEnvelope } from '../src/index.ts';
import { assumeRole, clientConfig, eventually, MEMBER, startCloud } from '../src/testing.ts';

describe('EventBridge PutEvents', () => {
  it('delivers full envelopes to subscribers, with the caller account and credential-scope region', async () => {
    // Prepare
    const cloud = await startCloud();
    const received: EventEnvelope[] = [];
    cloud.bus.subscribe((event) => {
      received.push(event);
    });
    const events = new EventBridgeClient(clientConfig(cloud, 'eu-west-1', await assumeRole(cloud, MEMBER)));
    // Act
    const out = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: 'runas-bootstrapper.replay',
            DetailType: 'Replay Request',
            Detail: JSON.stringify({ accountId: MEMBER }),
            Resources: ['r1'],
          },
        ],
      }),
    );
    const event = await cloud.bus.waitFor((e) => e.source === 'runas-bootstrapper.replay');
    // Assess
    expect(out.FailedEntryCount).toBe(0);
    expect(out.Entries?.[0]?.EventId).toBe(event.id);
    expect(event).toMatchObject({
      version: '0',
      'detail-type': 'Replay Request',
      account: MEMBER,
      region: 'eu-west-1',
      resources: ['r1'],
      detail: { accountId: MEMBER },
    });
    expect(received).toContainEqual(event);
  });

  it('fails individual entries: aws.* sources and malformed detail', async () => {
    // Prepare
    const cloud = await startCloud();
    const events = new EventBridgeClient(clientConfig(cloud));
    // Act
    const out = await events.send(
      new PutEventsCommand({
        Entries: [
          { Source: 'aws.organizations', DetailType: 'x', Detail: '{}' },
          { Source: 'mine', DetailType: 'x', Detail: 'not json' },
          { Source: 'mine', DetailType: 'x', Detail: '{"ok":true}' },
        ],
      }),
    );
    // Assess
    expect(out.FailedEntryCount).toBe(2);
    expect(out.Entries?.map((e) => e.ErrorCode)).toEqual([
      'NotAuthorizedForSourceException',
      'MalformedDetail',
      undefined,
    ]);
    expect(cloud.bus.history()).toHaveLength(1);
  });

  it('keeps delivering to other subscribers when one throws, and reports the failure', async () => {
    // Prepare
    const cloud = await startCloud();
    const seen: string[] = [];
    const report = vi.spyOn(console, 'error').mockImplementation(() => {});
    cloud.bus.subscribe(() => {
      throw new Error('boom');
    });
    cloud.bus.subscribe((e) => {
      seen.push(e.id);
    });
    // Act
    await new EventBridgeClient(clientConfig(cloud)).send(
      new PutEventsCommand({ Entries: [{ Source: 'mine', DetailType: 'x', Detail: '{}' }] }),
    );
    await eventually(() => (seen.length > 0 && report.mock.calls.length > 0 ? true : undefined));
    const reported = String(report.mock.calls[0]?.[0]);
    report.mockRestore();
    // Assess
    expect(seen).toHaveLength(1);
    expect(reported).toContain('bus subscriber failed');
  });
});
