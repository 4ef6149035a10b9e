import { UserError } from './io.ts';

/** The region a command calls, and where it came from, said in --verbose and every "not found". */
export interface RegionChoice {
  region: string;
  source: string;
}

export interface RegionSources {
  /** --region */
  flag?: string | undefined;
  /** The config's homeRegion: where the product is deployed. */
  homeRegion?: string | undefined;
  configFile: string;
  env: Record<string, string | undefined>;
  /** The SDK's shared-config loader: the active profile's region. */
  profileRegion: () => Promise<string | undefined>;
}

/**
 * The AWS chain, with the deployment's own home region after the flag: --region > homeRegion >
 * AWS_REGION > AWS_DEFAULT_REGION (the AWS CLI's variable) > the profile's region. Never a
 * silent default: with none of these, a usage error says how to give one.
 */
export async function chooseRegion(sources: RegionSources): Promise<RegionChoice> {
  const { flag, homeRegion, env } = sources;
  if (flag) return { region: flag, source: '--region' };
  if (homeRegion) return { region: homeRegion, source: `homeRegion in ${sources.configFile}` };
  if (env.AWS_REGION) return { region: env.AWS_REGION, source: 'AWS_REGION' };
  if (env.AWS_DEFAULT_REGION) return { region: env.AWS_DEFAULT_REGION, source: 'AWS_DEFAULT_REGION' };
  const profile = env.AWS_PROFILE ?? 'default';
  const fromProfile = await sources.profileRegion();
  if (fromProfile) return { region: fromProfile, source: `profile ${profile}` };
  throw new UserError(
    `no AWS region: pass --region, set homeRegion in ${sources.configFile}, AWS_REGION or AWS_DEFAULT_REGION, or region in profile ${profile}`,
  );
}

/** `eu-west-1 (from AWS_DEFAULT_REGION)`. */
export function describeRegion(choice: RegionChoice): string {
  return `${choice.region} (region from ${choice.source})`;
}

/** Where the running command sends its calls, for the one-line network error. */
let currentTarget: { choice: RegionChoice; endpoint: string | undefined } | undefined;

export function setTarget(choice: RegionChoice, endpoint: string | undefined): void {
  currentTarget = { choice, endpoint };
}

export function clearTarget(): void {
  currentTarget = undefined;
}

/** One line for a call that got no HTTP answer at all, with what to check. */
export function networkErrorLine(code: string, endpointFlag: string | undefined): string {
  const endpoint = currentTarget?.endpoint ?? endpointFlag;
  const where = endpoint ?? `AWS in ${currentTarget?.choice.region ?? 'the region'}`;
  const region = currentTarget ? `, the region ${describeRegion(currentTarget.choice)}` : ', --region';
  const hint = endpoint
    ? `is ${endpoint} serving (runas-bootstrapper local-cloud)? check --endpoint-url${region}`
    : `check${region}, and a VPC endpoint, proxy (HTTPS_PROXY) or firewall between you and AWS`;
  return `cannot reach ${where} (${code}): ${hint}`;
}
