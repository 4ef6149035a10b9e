import { baseScenario, MANAGEMENT, startCloud } from '@runas-bootstrapper/local-cloud/testing';
import { describe, expect, it } from 'vitest';
import { normalize } from '#core/vend/normalize.ts';

/**
 * The local cloud's AccountJoinedOrganization (docs/aws-behaviour.md#accountjoinedorganization-event) is what the product's
 * normaliser takes as a join: the cloud sends what AWS sends, and the product reads it.
 */

const ORG_VENDED = '555555555555';

function joinDetails(event: { detail: Record<string, unknown> }): Record<string, unknown> {
  return event.detail.serviceEventDetails as Record<string, unknown>;
}

describe('AccountJoinedOrganization from the local cloud', () => {
  it("is accepted by the product's normaliser as a join of the member account", async () => {
    // Prepare
    const cloud = await startCloud(
      baseScenario({
        accounts: [{ accountId: ORG_VENDED, name: 'org', vend: { atSeconds: 0, via: 'organizations' } }],
      }),
    );
    cloud.startTimeline();
    // The join comes once the account is created, a simulated minute in: wait up to an hour of it.
    const join = await cloud.bus.waitFor(
      (e) => e.detail.eventName === 'AccountJoinedOrganization',
      3_600_000,
    );
    // Act
    const result = normalize(join, { governedRegions: ['us-east-1'], managementAccountId: MANAGEMENT });
    // Assess
    expect(result).toMatchObject({
      kind: 'bootstrap',
      request: {
        accountId: ORG_VENDED,
        trigger: 'organizations-account-joined',
        vendedAt: new Date(Date.parse(String(joinDetails(join).joinedTimestamp))).toISOString(),
        eventId: join.id,
      },
    });
  });
});
