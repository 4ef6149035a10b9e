import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DescribeDocumentCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, resolveEndpoint } from '#adapters/clients.ts';

describe('resolveEndpoint', () => {
  it('prefers an explicit endpoint, then the service variable, then AWS_ENDPOINT_URL', () => {
    const env = { AWS_ENDPOINT_URL: 'http://global', AWS_ENDPOINT_URL_SSM: 'http://ssm' };
    expect(resolveEndpoint('ssm', 'http://explicit', env)).toBe('http://explicit');
    expect(resolveEndpoint('ssm', undefined, env)).toBe('http://ssm');
    expect(resolveEndpoint('sts', undefined, env)).toBe('http://global');
    expect(resolveEndpoint('code pipeline', undefined, { AWS_ENDPOINT_URL_CODE_PIPELINE: 'http://cp' })).toBe(
      'http://cp',
    );
    expect(resolveEndpoint('sts', undefined, {})).toBeUndefined();
  });
});

describe('createClient', () => {
  it('builds a client bound to the endpoint and region', async () => {
    // Act
    const client = createClient(SSMClient, 'ssm', { region: 'eu-west-1', endpoint: 'http://127.0.0.1:4599' });
    // Assess
    expect(await client.config.region()).toBe('eu-west-1');
    const endpoint = await client.config.endpoint?.();
    expect(endpoint?.hostname).toBe('127.0.0.1');
    expect(endpoint?.port).toBe(4599);
  });
});

describe('createClient idle sockets', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
  });

  /** One call to a server that answers `{}` (Node's defaults: it closes idle sockets after 6 s); who ended the connection. */
  async function callThenIdle(idleSocketMs: number | undefined, idleWallMs: number): Promise<string[]> {
    const ended: string[] = [];
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.end('{}'));
    });
    server.on('connection', (socket) => socket.on('end', () => ended.push('client')));
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const client = createClient(SSMClient, 'ssm', {
      region: 'eu-west-1',
      endpoint: `http://127.0.0.1:${port}`,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      ...(idleSocketMs ? { idleSocketMs } : {}),
    });
    await client.send(new DescribeDocumentCommand({ Name: 'doc' }));
    await new Promise((resolve) => setTimeout(resolve, idleWallMs));
    client.destroy();
    return ended;
  }

  it('closes a kept-alive socket idle for idleSocketMs, before the server would', async () => {
    // Act: one call, then 1.5 wall seconds idle (real timers: this is about sockets, not scenarios).
    const ended = await callThenIdle(250, 1500);
    // Assess: the client ended the connection; the server's own close would come at 6 s.
    expect(ended).toEqual(['client']);
  });

  it("keeps the socket without idleSocketMs: the SDK's agent waits for the server to close it", async () => {
    // Act
    const ended = await callThenIdle(undefined, 1500);
    // Assess: nobody has closed it yet, so a later request may meet the server's close.
    expect(ended).toEqual([]);
  });
});
