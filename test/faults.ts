import { AwsServiceError, type LocalCloud } from '@runas-bootstrapper/local-cloud';

export type FaultRule = (call: {
  operation: string;
  accountId: string;
  region: string;
}) => AwsServiceError | undefined;

/**
 * Targeted fault injection on a running cloud. A scenario's `faults` apply per operation to every
 * caller alike; `rule` picks single calls (one account and region, the first N, only after some
 * event) and answers them with its error, before the cloud's own injector. Returns the undo.
 */
export function injectFaults(cloud: LocalCloud, rule: FaultRule): () => void {
  const injector = cloud.world.faults;
  const own = injector.decide;
  injector.decide = (operation, scope) => {
    const [accountId = '', region = ''] = scope.split('/');
    const error = rule({ operation, accountId, region });
    if (!error) return own.call(injector, operation, scope);
    injector.injected += 1;
    return { latencyMs: 0, error };
  };
  return () => {
    injector.decide = own;
  };
}

/** A server fault, as SSM or STS answers one. */
export const internalError = () =>
  new AwsServiceError('InternalServerError', 'An internal error occurred. Try again.', 500);
