import { AwsServiceError } from '../aws-error.ts';
import { type OperationContext, optionalString, type ServiceDefinition } from '../service-definition.ts';

/**
 * Control Tower's landing-zone reads over restJson1 (`POST /list-landingzones`,
 * `POST /get-landingzone`). ListLandingZones returns the one landing zone of the management
 * account, whose ARN names its home region (Control Tower user guide, "Identify your landing
 * zone"). Not modelled: an opt-in home region, where only a call in that region lists it.
 */

/** A fixed id: one landing zone per organization. */
const LANDING_ZONE_ID = '1A2B3C4D5E6F7G8H';

function landingZoneArn(ctx: OperationContext): string | undefined {
  const { world } = ctx;
  if (!world.scenario.controlTower.landingZone || ctx.accountId !== world.managementAccountId)
    return undefined;
  return `arn:aws:controltower:${world.controlTowerHomeRegion}:${world.managementAccountId}:landingzone/${LANDING_ZONE_ID}`;
}

export const controlTowerService: ServiceDefinition = {
  id: 'controltower',
  protocol: 'rest-json',
  paths: { '/list-landingzones': 'ListLandingZones', '/get-landingzone': 'GetLandingZone' },
  accessDeniedStatus: 403,
  operations: {
    ListLandingZones: {
      resource: () => '*',
      handle(ctx) {
        const arn = landingZoneArn(ctx);
        return { landingZones: arn ? [{ arn }] : [] };
      },
    },
    GetLandingZone: {
      resource: (_ctx, input) => optionalString(input, 'landingZoneIdentifier') ?? '*',
      handle(ctx, input) {
        const arn = landingZoneArn(ctx);
        const wanted = optionalString(input, 'landingZoneIdentifier');
        if (!wanted)
          throw new AwsServiceError('ValidationException', 'landingZoneIdentifier is required.', 400);
        if (!arn || wanted !== arn)
          throw new AwsServiceError('ResourceNotFoundException', `Landing zone ${wanted} not found.`, 404);
        const { world } = ctx;
        return {
          landingZone: {
            arn,
            status: 'ACTIVE',
            version: '3.3',
            latestAvailableVersion: '3.3',
            driftStatus: { status: 'IN_SYNC' },
            manifest: {
              governedRegions: [...new Set([world.controlTowerHomeRegion, ...world.lzaRegions])],
              organizationStructure: { security: { name: 'Security' }, sandbox: { name: 'Sandbox' } },
              centralizedLogging: { accountId: world.managementAccountId, enabled: true },
              securityRoles: { accountId: world.managementAccountId },
              accessManagement: { enabled: true },
            },
          },
        };
      },
    },
  },
};
