import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** The parts of a SigV4 `Authorization` header. */
export interface SigV4Authorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

const AUTH_PATTERN =
  /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})\s*$/;

export function parseAuthorization(header: string | undefined): SigV4Authorization | undefined {
  if (!header) return undefined;
  const match = AUTH_PATTERN.exec(header.trim());
  if (!match) return undefined;
  const [, accessKeyId, date, region, service, signedHeaders, signature] = match as unknown as string[];
  return {
    accessKeyId: accessKeyId as string,
    date: date as string,
    region: region as string,
    service: service as string,
    signedHeaders: (signedHeaders as string).split(';'),
    signature: signature as string,
  };
}

export interface SignedRequest {
  method: string;
  /** Raw request target, path plus query, as sent. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function decode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}

function canonicalQuery(query: string): string {
  if (!query) return '';
  return query
    .split('&')
    .filter((part) => part.length > 0)
    .map((part) => {
      const eq = part.indexOf('=');
      const key = eq === -1 ? part : part.slice(0, eq);
      const value = eq === -1 ? '' : part.slice(eq + 1);
      return [rfc3986(decode(key)), rfc3986(decode(value))] as const;
    })
    .filter(([key]) => key !== 'X-Amz-Signature')
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
}

function canonicalPath(path: string): string {
  if (path === '' || path === '/') return '/';
  // Non-S3 services: each segment is encoded twice; the client sent it encoded once.
  return path
    .split('/')
    .map((segment) => rfc3986(segment))
    .join('/');
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** Whether the request's SigV4 signature is what `secretAccessKey` would produce. */
export function verifySignature(
  request: SignedRequest,
  auth: SigV4Authorization,
  secretAccessKey: string,
): boolean {
  const [path = '/', query = ''] = request.url.split('?', 2);
  const header = (name: string): string => {
    const value = request.headers[name];
    return Array.isArray(value) ? value.join(',') : (value ?? '');
  };
  const amzDate = header('x-amz-date') || header('date');
  const payloadHash =
    header('x-amz-content-sha256') || createHash('sha256').update(request.body).digest('hex');
  const canonicalHeaders = auth.signedHeaders
    .map((name) => `${name}:${header(name).trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const canonicalRequest = [
    request.method,
    canonicalPath(path),
    canonicalQuery(query),
    canonicalHeaders,
    auth.signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    amzDate,
    scope,
    createHash('sha256').update(canonicalRequest, 'utf8').digest('hex'),
  ].join('\n');
  const kDate = hmac(`AWS4${secretAccessKey}`, auth.date);
  const kSigning = hmac(hmac(hmac(kDate, auth.region), auth.service), 'aws4_request');
  const expected = createHmac('sha256', kSigning).update(stringToSign, 'utf8').digest();
  const given = Buffer.from(auth.signature, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
