import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, SourceData } from '@smithy/types';
import { partitionOf } from '#core/shared/arn.ts';
import { resolveEndpoint } from './clients.ts';

/**
 * Control Tower's landing-zone reads (restJson1: `POST /list-landingzones`, `POST /get-landingzone`),
 * signed with SigV4. The npm registry's @aws-sdk/client-controltower stops at 3.332.0, which
 * predates these operations, so this adapter signs the two requests itself with the SDK's own
 * signer and credential chain. Errors carry the service's error type as `name`.
 */

/** Bytes or text, as node:crypto takes them. */
function bytes(data: SourceData): Uint8Array | string {
  if (typeof data === 'string' || data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}

/** SHA-256 as the signer wants it: keyed (HMAC) when given a secret. */
class Sha256 {
  readonly #secret: Uint8Array | string | undefined;
  #hash: Hash | Hmac;

  constructor(secret?: SourceData) {
    this.#secret = secret === undefined ? undefined : bytes(secret);
    this.#hash = this.#fresh();
  }

  #fresh(): Hash | Hmac {
    return this.#secret === undefined ? createHash('sha256') : createHmac('sha256', this.#secret);
  }

  update(data: SourceData): void {
    this.#hash.update(bytes(data));
  }

  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#hash.digest());
  }

  reset(): void {
    this.#hash = this.#fresh();
  }
}

export interface LandingZone {
  arn: string;
  status?: string;
  version?: string;
  governedRegions: string[];
}

export interface ControlTowerOptions {
  region: string;
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  endpoint?: string;
}

export class ControlTowerError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export class LandingZoneReader {
  readonly #region: string;
  readonly #url: string;
  readonly #signer: SignatureV4;

  constructor(options: ControlTowerOptions) {
    this.#region = options.region;
    const suffix = partitionOf(options.region) === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
    this.#url =
      resolveEndpoint('controltower', options.endpoint) ?? `https://controltower.${options.region}.${suffix}`;
    this.#signer = new SignatureV4({
      service: 'controltower',
      region: options.region,
      credentials: options.credentials ?? defaultProvider(),
      sha256: Sha256,
    });
  }

  async #post(path: string, body: object): Promise<Record<string, unknown>> {
    const url = new URL(path, this.#url);
    const text = JSON.stringify(body);
    const signed = await this.#signer.sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      headers: { host: url.host, 'content-type': 'application/json' },
      body: text,
    });
    const response = await fetch(url, { method: 'POST', headers: signed.headers, body: text });
    const parsed = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (!response.ok) {
      const type = response.headers.get('x-amzn-errortype') ?? String(parsed.__type ?? 'UnknownError');
      throw new ControlTowerError(type.split(':')[0] ?? type, String(parsed.message ?? response.statusText));
    }
    return parsed;
  }

  /** The organization's landing zone ARN, or undefined when it has none (as seen from this region). */
  async landingZoneArn(): Promise<string | undefined> {
    const page = await this.#post('/list-landingzones', {});
    const [first] = (page.landingZones as { arn?: string }[] | undefined) ?? [];
    return first?.arn;
  }

  async landingZone(arn: string): Promise<LandingZone> {
    const { landingZone } = (await this.#post('/get-landingzone', { landingZoneIdentifier: arn })) as {
      landingZone?: {
        arn?: string;
        status?: string;
        version?: string;
        manifest?: { governedRegions?: string[] };
      };
    };
    return {
      arn: landingZone?.arn ?? arn,
      ...(landingZone?.status ? { status: landingZone.status } : {}),
      ...(landingZone?.version ? { version: landingZone.version } : {}),
      governedRegions: landingZone?.manifest?.governedRegions ?? [],
    };
  }

  get region(): string {
    return this.#region;
  }
}
