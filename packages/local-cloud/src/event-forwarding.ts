import type { EventEnvelope } from './bus.ts';
import type { LocalDeployment } from './deployment.ts';

/**
 * Cross-account delivery as EventBridge does it: a rule on one account's bus whose target is
 * another account's bus puts the event there, unchanged (its `account` stays the sender's), only
 * when the receiving bus's resource-based policy allows the sender (EventBridge user guide,
 * "Permissions for event buses"). A denied put is a failed invocation: the event is not delivered.
 */

type Pattern = Record<string, unknown>;

/** EventBridge matching for the pattern forms deployments use: exact values and `prefix`. */
export function matchesEventPattern(pattern: Pattern, value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const object = value as Record<string, unknown>;
  return Object.entries(pattern).every(([key, expected]) => {
    const actual = object[key];
    if (Array.isArray(expected))
      return expected.some((candidate) =>
        typeof candidate === 'object' && candidate !== null && 'prefix' in candidate
          ? typeof actual === 'string' && actual.startsWith(String((candidate as { prefix: unknown }).prefix))
          : candidate === actual,
      );
    return (
      typeof expected === 'object' && expected !== null && matchesEventPattern(expected as Pattern, actual)
    );
  });
}

const BUS_ARN = /^arn:[a-z-]+:events:([a-z0-9-]+):(\d{12}):event-bus\/default$/;

/** Whether the bus of `accountId` in the event's region receives `event`: its own, or forwarded to it. */
export function eventReaches(
  deployment: LocalDeployment | undefined,
  event: EventEnvelope,
  accountId: string,
): boolean {
  if (event.account === accountId) return true;
  // The receiving bus (in any region a rule may target) must allow the sender.
  const allows = (region: string) =>
    (deployment?.eventBusPolicies ?? []).some(
      (p) => p.account === accountId && p.region === region && p.principals.includes(event.account),
    );
  return (deployment?.rules ?? []).some((rule) => {
    const owner = rule.targets[0]?.RoleArn?.split(':')[4];
    if (rule.state !== 'ENABLED' || rule.region !== event.region || owner !== event.account) return false;
    const toHere = rule.targets.some((t) => {
      const match = BUS_ARN.exec(t.Arn);
      return match?.[2] === accountId && allows(match[1] as string);
    });
    return toHere && matchesEventPattern(JSON.parse(rule.eventPattern) as Pattern, event);
  });
}
