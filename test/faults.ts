import { AwsServiceError, type FaultRule, type LocalCloud } from '@runas-bootstrapper/local-cloud';

/**
 * Targeted fault injection on a running cloud. A scenario's `faults` apply per operation to every
 * caller alike; `rule` picks single calls (one account and region, the first N, only after some
 * event) and answers them with its error, before the cloud's own injector. Returns the undo.
 */
export function injectFaults(cloud: LocalCloud, rule: FaultRule): () => void {
  return cloud.addFaultRule(rule);
}

/** A server fault, as SSM or STS answers one. */
export const internalError = () =>
  new AwsServiceError('InternalServerError', 'An internal error occurred. Try again.', 500);
