/**
 * The organization's shape as doctor judges it (ARCHITECTURE.md decision 13): where the caller
 * stands, which pipeline is LZA's, and which landing zone Control Tower runs. Pure: the reads are
 * in adapters/organization-shape.ts.
 */

/** The default name of LZA's pipeline; with an installer qualifier it is `<qualifier>-pipeline`. */
export const LZA_DEFAULT_PIPELINE = 'AWSAccelerator-Pipeline';

/** One pipeline's layout: its stages and, per stage, its action names. */
export interface PipelineLayout {
  name: string;
  stages: { name: string; actions: string[] }[];
}

/**
 * A pipeline laid out as LZA lays out its own (docs/organization-shapes.md): Source, Accounts,
 * Bootstrap, and a Deploy stage (or one `Deploy-<region>` per region) holding the
 * Security_Resources and Customizations actions the follow-up listens to.
 */
export function hasLzaStages(layout: PipelineLayout): boolean {
  const names = new Set(layout.stages.map((s) => s.name));
  const deploy = layout.stages.filter((s) => s.name === 'Deploy' || s.name.startsWith('Deploy-'));
  return (
    ['Source', 'Accounts', 'Bootstrap'].every((name) => names.has(name)) &&
    deploy.length > 0 &&
    deploy.every((s) => s.actions.includes('Security_Resources') && s.actions.includes('Customizations'))
  );
}

/** Whether a pipeline's name is one LZA's installer gives: the default, or `<qualifier>-pipeline`. */
export function isLzaPipelineName(name: string): boolean {
  return name === LZA_DEFAULT_PIPELINE || /^[A-Za-z0-9.@_-]+-[Pp]ipeline$/.test(name);
}

/** Where doctor runs from, compared with the organization's management account. */
export type Standing =
  | { kind: 'management'; caller: string }
  /** The hub account of a hub deployment (config hubAccountId), which reaches the rest through the hop role. */
  | { kind: 'hub'; caller: string; management: string }
  | { kind: 'not-management'; caller: string; management: string }
  | { kind: 'config-mismatch'; caller: string; management: string; configured: string }
  | { kind: 'no-organization'; caller: string };

/**
 * The caller against DescribeOrganization's management account (`undefined`: the caller is in no
 * organization), the config's managementAccountId and its hub account, if any.
 */
export function standingOf(
  caller: string,
  management: string | undefined,
  configured?: string,
  hub?: string,
): Standing {
  if (management === undefined) return { kind: 'no-organization', caller };
  if (hub !== undefined && caller === hub && (configured === undefined || configured === management))
    return { kind: 'hub', caller, management };
  if (caller !== management) return { kind: 'not-management', caller, management };
  if (configured !== undefined && configured !== management)
    return { kind: 'config-mismatch', caller, management, configured };
  return { kind: 'management', caller };
}

/** The region of a Control Tower landing zone: the home region, from its ARN. */
export function landingZoneRegion(arn: string): string | undefined {
  const [prefix, , service, region] = arn.split(':');
  return prefix === 'arn' && service === 'controltower' && region ? region : undefined;
}
