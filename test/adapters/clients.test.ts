import { SSMClient } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
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
