import type { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { createClient } from '#adapters/clients.ts';
import { MemberSessions } from '#adapters/member-session.ts';
import { hubAccount } from '#core/deploy/hub.ts';
import type { HandlerEnvironment } from './environment.ts';
import { organizationAccess } from './organization-access.ts';

/**
 * Sessions in member accounts, through the config's member roles. `ssm` is the SSM client class
 * for handlers that read or write documents; await-role proves the role with STS alone, so its
 * bundle carries no SSM client.
 */
export function memberSessions(environment: HandlerEnvironment, ssm?: typeof SSMClient): MemberSessions {
  const { config, clients, region, now, stsCredentials } = environment;
  // The local runtime's own role keys for the member roles, unless a hub chains through its hop.
  const stsAccess =
    hubAccount(config) || !stsCredentials
      ? organizationAccess(environment)
      : { ...clients, credentials: stsCredentials };
  return new MemberSessions({
    sts: createClient(STSClient, 'sts', stsAccess),
    region,
    roleNames: config.memberRoleNames,
    now,
    pruneVersions: config.documentVersionPruning.enabled,
    ...(clients.endpoint ? { endpoint: clients.endpoint } : {}),
    ...(ssm ? { SSMClient: ssm } : {}),
  });
}
