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

  /**
   * One call to a server with Node's defaults (it answers `{}` and closes a kept-alive socket after
   * 6 idle wall seconds); resolves with whoever closes that socket first.
   */
  async function callThenWhoCloses(
    idleSocketMs: number | undefined,
  ): Promise<{ closer: Promise<string>; client: SSMClient }> {
    let closer: Promise<string> = Promise.resolve('no connection');
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.end('{}'));
    });
    server.on('connection', (socket) => {
      closer = new Promise((resolve) => {
        socket.once('end', () => resolve('client'));
        socket.once('timeout', () => resolve('server'));
      });
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const client = createClient(SSMClient, 'ssm', {
      region: 'eu-west-1',
      endpoint: `http://127.0.0.1:${port}`,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      ...(idleSocketMs ? { idleSocketMs } : {}),
    });
    await client.send(new DescribeDocumentCommand({ Name: 'doc' }));
    return { closer, client };
  }

  it('closes a kept-alive socket idle for idleSocketMs, before the server would', async () => {
    // Act
    const { closer, client } = await callThenWhoCloses(250);
    const who = await closer;
    client.destroy();
    // Assess: the client ended the idle connection (at 250 ms); the server's own close is at 6 s.
    expect(who).toBe('client');
  });

  it("keeps the socket without idleSocketMs: the SDK's agent waits for the server to close it", async () => {
    // Act: one call, then 1.5 wall seconds idle (real timers: this is about sockets, not scenarios).
    const { closer, client } = await callThenWhoCloses(undefined);
    const after = await Promise.race([
      closer,
      new Promise((resolve) => setTimeout(() => resolve('open'), 1500)),
    ]);
    client.destroy();
    // Assess: nobody has closed it, so a later request may meet the server's close.
    expect(after).toBe('open');
  });
});
