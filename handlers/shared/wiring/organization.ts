import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { createClient } from '#adapters/clients.ts';
import { OrganizationDirectory } from '#adapters/organizations.ts';
import type { HandlerEnvironment } from './environment.ts';
import { organizationAccess } from './organization-access.ts';

/** The organization's accounts (Organizations is global: its endpoint is the partition's one). */
export function organization(environment: HandlerEnvironment): OrganizationDirectory {
  return new OrganizationDirectory(
    createClient(OrganizationsClient, 'organizations', organizationAccess(environment)),
  );
}
