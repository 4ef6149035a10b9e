import { STSClient } from '@aws-sdk/client-sts';
import { assumedRoleCredentials } from '#adapters/assumed-role-credentials.ts';
import { type ClientOptions, createClient } from '#adapters/clients.ts';
import { hopRoleArn, hubAccount } from '#core/deploy/hub.ts';
import { partitionOf } from '#core/shared/arn.ts';
import type { HandlerEnvironment } from './environment.ts';

const hops = new WeakMap<HandlerEnvironment, ClientOptions>();

/**
 * The client options that reach the organization. A hub account reaches it through the
 * management account's hop role: hub role -> hop role -> member role, each chained session at
 * most an hour (docs/organization-shapes.md). One hop per environment, shared by its clients.
 */
export function organizationAccess(environment: HandlerEnvironment): ClientOptions {
  const { config, clients, region, now } = environment;
  const management = hubAccount(config) ? config.managementAccountId : undefined;
  if (!management) return clients;
  let access = hops.get(environment);
  if (!access) {
    const hop = assumedRoleCredentials(
      createClient(STSClient, 'sts', clients),
      hopRoleArn(partitionOf(region), management),
      'runas-bootstrapper-hop',
      now,
    );
    access = { ...clients, credentials: hop };
    hops.set(environment, access);
  }
  return access;
}
