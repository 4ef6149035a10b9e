import { describe, expect, it } from 'vitest';
import { AwsServiceError, evaluatePolicy, parsePolicyDocument, wildcardMatch } from '../src/index.ts';

const ARN = 'arn:aws:ssm:us-east-1:222222222222:document/SSM-SessionManagerRunShell';

describe('wildcardMatch', () => {
  it('matches * across ARN separators and ? as exactly one character', () => {
    // Prepare / Act / Assess
    expect(wildcardMatch('arn:aws:ssm:*:*:document/SSM-*', ARN)).toBe(true);
    expect(wildcardMatch('arn:aws:ssm:us-east-?:*', ARN)).toBe(true);
    expect(wildcardMatch('arn:aws:ssm:us-east-??:*', ARN)).toBe(false);
    expect(wildcardMatch('SSM:getdocument', 'ssm:GetDocument', true)).toBe(true);
    expect(wildcardMatch('arn:aws:ssm:*:*:document/ssm-*', ARN)).toBe(false);
  });
});

describe('evaluatePolicy', () => {
  it('allows a matching Allow, implicitly denies anything else, and lets Deny win', () => {
    // Prepare
    const policy = parsePolicyDocument(
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['ssm:*Document*'],
            Resource: 'arn:aws:ssm:*:*:document/SSM-SessionManagerRunShell',
          },
          { Effect: 'Deny', Action: 'ssm:DeleteDocument', Resource: '*' },
        ],
      }),
    );
    // Act
    const decisions = [
      evaluatePolicy(policy, 'ssm:UpdateDocument', ARN),
      evaluatePolicy(policy, 'SSM:getdocument', ARN),
      evaluatePolicy(policy, 'ssm:DeleteDocument', ARN),
      evaluatePolicy(policy, 'ssm:GetParameter', ARN),
      evaluatePolicy(policy, 'ssm:GetDocument', ARN.replace('SSM-SessionManagerRunShell', 'Other')),
    ];
    // Assess
    expect(decisions).toEqual(['allow', 'allow', 'explicit-deny', 'implicit-deny', 'implicit-deny']);
  });

  it('supports NotAction and NotResource', () => {
    // Prepare
    const policy = parsePolicyDocument(
      JSON.stringify({
        Statement: [
          { Effect: 'Allow', NotAction: 'iam:*', Resource: '*' },
          { Effect: 'Deny', Action: 'ssm:*', NotResource: ARN },
        ],
      }),
    );
    // Act / Assess
    expect(evaluatePolicy(policy, 'ssm:GetDocument', ARN)).toBe('allow');
    expect(evaluatePolicy(policy, 'iam:CreateRole', '*')).toBe('implicit-deny');
    expect(evaluatePolicy(policy, 'ssm:GetDocument', 'arn:aws:ssm:us-east-1:1:document/X')).toBe(
      'explicit-deny',
    );
  });

  it('never lets a conditional Allow grant access', () => {
    // Prepare
    const policy = parsePolicyDocument(
      JSON.stringify({
        Statement: [
          {
            Effect: 'Allow',
            Action: '*',
            Resource: '*',
            Condition: { StringEquals: { 'aws:RequestedRegion': 'us-east-1' } },
          },
        ],
      }),
    );
    // Act / Assess
    expect(evaluatePolicy(policy, 'ssm:GetDocument', ARN)).toBe('implicit-deny');
  });
});

describe('parsePolicyDocument', () => {
  it.each([
    ['not JSON', '{'],
    ['no Statement', '{"Version":"2012-10-17"}'],
    ['a Principal', '{"Statement":{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}}'],
    ['a bad Effect', '{"Statement":{"Effect":"Maybe","Action":"*","Resource":"*"}}'],
    ['no Resource', '{"Statement":{"Effect":"Allow","Action":"*"}}'],
    ['a bad Version', '{"Version":"2020-01-01","Statement":[]}'],
  ])('rejects a policy with %s as MalformedPolicyDocument', (_label, text) => {
    // Prepare / Act
    let error: unknown;
    try {
      parsePolicyDocument(text);
    } catch (caught) {
      error = caught;
    }
    // Assess
    expect(error).toBeInstanceOf(AwsServiceError);
    expect((error as AwsServiceError).code).toBe('MalformedPolicyDocument');
  });
});

describe('evaluatePolicy with a request context', () => {
  const scp = parsePolicyDocument(
    JSON.stringify({
      Statement: [
        { Effect: 'Allow', Action: '*', Resource: '*' },
        {
          Effect: 'Deny',
          Action: 'ssm:UpdateDocument',
          Resource: ARN,
          Condition: { ArnNotLike: { 'aws:PrincipalArn': ['arn:*:iam::*:role/Exempt-*'] } },
        },
      ],
    }),
  );

  it('applies ArnNotLike part by part, with wildcards inside a part', () => {
    // Act
    const exempt = evaluatePolicy(scp, 'ssm:UpdateDocument', ARN, {
      'aws:PrincipalArn': 'arn:aws:iam::222222222222:role/Exempt-1',
    });
    const other = evaluatePolicy(scp, 'ssm:UpdateDocument', ARN, {
      'aws:PrincipalArn': 'arn:aws:iam::222222222222:role/Other',
    });
    const notAnArn = evaluatePolicy(scp, 'ssm:UpdateDocument', ARN, { 'aws:PrincipalArn': 'Exempt-1' });
    // Assess
    expect([exempt, other, notAnArn]).toEqual(['allow', 'explicit-deny', 'explicit-deny']);
  });

  it('treats a missing key as matching a negated operator, and keys case-insensitively', () => {
    // Act / Assess
    expect(evaluatePolicy(scp, 'ssm:UpdateDocument', ARN, {})).toBe('explicit-deny');
    expect(
      evaluatePolicy(scp, 'ssm:UpdateDocument', ARN, {
        'AWS:principalarn': 'arn:aws:iam::222222222222:role/Exempt-2',
      }),
    ).toBe('allow');
  });

  it('grants a conditional Allow only when its condition holds, and honours IfExists', () => {
    // Prepare
    const policy = parsePolicyDocument(
      JSON.stringify({
        Statement: [
          {
            Effect: 'Allow',
            Action: 'ssm:GetDocument',
            Resource: '*',
            Condition: {
              StringEquals: { 'aws:RequestedRegion': ['us-east-1', 'eu-west-1'] },
              StringLikeIfExists: { 'aws:PrincipalTag/team': 'plat*' },
            },
          },
        ],
      }),
    );
    // Act / Assess
    expect(evaluatePolicy(policy, 'ssm:GetDocument', ARN, { 'aws:RequestedRegion': 'eu-west-1' })).toBe(
      'allow',
    );
    expect(
      evaluatePolicy(policy, 'ssm:GetDocument', ARN, {
        'aws:RequestedRegion': 'eu-west-1',
        'aws:PrincipalTag/team': 'apps',
      }),
    ).toBe('implicit-deny');
    expect(evaluatePolicy(policy, 'ssm:GetDocument', ARN, { 'aws:RequestedRegion': 'ap-south-1' })).toBe(
      'implicit-deny',
    );
  });

  it('stays conservative for an operator it does not know', () => {
    // Prepare
    const policy = parsePolicyDocument(
      JSON.stringify({
        Statement: [
          {
            Effect: 'Allow',
            Action: '*',
            Resource: '*',
            Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
          },
          {
            Effect: 'Deny',
            Action: 'ssm:DeleteDocument',
            Resource: '*',
            Condition: { DateGreaterThan: { 'aws:CurrentTime': '2020-01-01' } },
          },
        ],
      }),
    );
    // Act / Assess
    expect(evaluatePolicy(policy, 'ssm:GetDocument', ARN, { 'aws:SourceIp': '10.0.0.1' })).toBe(
      'implicit-deny',
    );
    expect(evaluatePolicy(policy, 'ssm:DeleteDocument', ARN, {})).toBe('explicit-deny');
  });
});
