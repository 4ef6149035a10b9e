import type * as events from 'aws-cdk-lib/aws-events';
import type { EventPattern } from '#core/deploy/event-pattern.ts';
import { isRecord } from '#core/shared/records.ts';

/**
 * A core event pattern (EventBridge's own JSON, `detail-type`) as CDK's `events.EventPattern`
 * (camelCase `detailType`); CDK turns it back into `detail-type` when it renders the rule.
 * Unknown top-level keys are dropped; the five the vend rules use are carried over.
 */
export function toCdkEventPattern(pattern: EventPattern): events.EventPattern {
  const strings = (value: unknown) =>
    Array.isArray(value) ? value.filter((v) => typeof v === 'string') : undefined;
  const source = strings(pattern.source);
  const detailType = strings(pattern['detail-type']);
  const account = strings(pattern.account);
  const region = strings(pattern.region);
  return {
    ...(source ? { source } : {}),
    ...(detailType ? { detailType } : {}),
    ...(account ? { account } : {}),
    ...(region ? { region } : {}),
    ...(isRecord(pattern.detail) ? { detail: pattern.detail } : {}),
  };
}
