import { describe, expect, it } from 'vitest';
import { RULES } from '#core/vend/rules.ts';
import { toCdkEventPattern } from '#stacks/event-pattern.ts';

describe('toCdkEventPattern', () => {
  it('converts to the CDK EventPattern shape with a camelCase detailType', () => {
    // Prepare
    const rule = RULES.find((r) => r.id === 'organizations-create-account-succeeded')!;
    // Act
    const cdk = toCdkEventPattern(rule.pattern);
    // Assess
    expect(cdk).toEqual({
      source: ['aws.organizations'],
      detailType: ['AWS Service Event via CloudTrail'],
      detail: {
        eventName: ['CreateAccountResult'],
        serviceEventDetails: { createAccountStatus: { state: ['SUCCEEDED'] } },
      },
    });
  });
});
