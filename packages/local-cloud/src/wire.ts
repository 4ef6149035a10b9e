import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { AwsServiceError } from './aws-error.ts';

/** Serialisation of replies for the awsJson and awsQuery protocols. */

export const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';

export function xmlEscape(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/**
 * The listen backlog of the local cloud's servers; the kernel caps it at `net.core.somaxconn`.
 * Node's default is 511. A caller that opens thousands of sockets at once (the bench's report
 * reads 2,000 vends' ledger records together) overflowed it: the kernel drops the connection
 * and the client waits out TCP's SYN retransmission, a wall second or more.
 */
export const LISTEN_BACKLOG = 65_535;

export function newRequestId(): string {
  return randomUUID();
}

function send(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string,
  headers: Record<string, string>,
) {
  res.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body, 'utf8'),
    Date: new Date().toUTCString(),
    ...headers,
  });
  res.end(body);
}

export function sendJson(res: ServerResponse, requestId: string, contentType: string, output: unknown): void {
  send(res, 200, contentType, JSON.stringify(output ?? {}), { 'x-amzn-RequestId': requestId });
}

export function sendJsonError(
  res: ServerResponse,
  requestId: string,
  contentType: string,
  error: AwsServiceError,
): void {
  send(
    res,
    error.status,
    contentType,
    JSON.stringify({ __type: error.code, message: error.message, ...error.fields }),
    {
      'x-amzn-RequestId': requestId,
      'x-amzn-ErrorType': error.code,
    },
  );
}

export function sendQueryResult(
  res: ServerResponse,
  requestId: string,
  operation: string,
  resultXml: string,
): void {
  const body = [
    `<${operation}Response xmlns="${STS_NAMESPACE}">`,
    `<${operation}Result>${resultXml}</${operation}Result>`,
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>`,
    `</${operation}Response>`,
  ].join('');
  send(res, 200, 'text/xml', body, { 'x-amzn-RequestId': requestId });
}

export function sendQueryError(res: ServerResponse, requestId: string, error: AwsServiceError): void {
  const body = [
    `<ErrorResponse xmlns="${STS_NAMESPACE}">`,
    `<Error><Type>${error.faultType}</Type><Code>${xmlEscape(error.code)}</Code><Message>${xmlEscape(error.message)}</Message></Error>`,
    `<RequestId>${requestId}</RequestId>`,
    '</ErrorResponse>',
  ].join('');
  send(res, error.status, 'text/xml', body, { 'x-amzn-RequestId': requestId });
}
