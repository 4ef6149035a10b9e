import { AwsServiceError } from './aws-error.ts';

/**
 * A small IAM policy evaluator for session policies: Allow/Deny, Action/NotAction,
 * Resource/NotResource with `*` and `?` wildcards. Actions match case-insensitively,
 * resources case-sensitively. Conditions are not evaluated (see README).
 */

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, unknown>;
}

export interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement: PolicyStatement[];
}

export type PolicyDecision = 'allow' | 'explicit-deny' | 'implicit-deny';

const STATEMENT_KEYS = new Set([
  'Sid',
  'Effect',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
]);

function malformed(message: string): AwsServiceError {
  return new AwsServiceError('MalformedPolicyDocument', message);
}

function stringList(value: unknown, field: string): string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || list.some((v) => typeof v !== 'string')) {
    throw malformed(`Syntax errors in policy: ${field} must be a string or a non-empty list of strings.`);
  }
  return list as string[];
}

/** Parse and validate a session policy as STS does. Throws MalformedPolicyDocument. */
export function parsePolicyDocument(text: string): PolicyDocument {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw malformed('The policy is not in the valid JSON format.');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw malformed('The policy is not in the valid JSON format.');
  }
  const doc = json as Record<string, unknown>;
  for (const key of Object.keys(doc)) {
    if (!['Version', 'Id', 'Statement'].includes(key))
      throw malformed(`Syntax errors in policy: unknown field ${key}.`);
  }
  if (doc.Version !== undefined && doc.Version !== '2012-10-17' && doc.Version !== '2008-10-17') {
    throw malformed('The policy document has an invalid Version.');
  }
  if (doc.Statement === undefined) throw malformed('Syntax errors in policy: missing Statement.');
  const raw = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  const statements = raw.map((entry): PolicyStatement => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw malformed('Syntax errors in policy: a Statement must be an object.');
    }
    const s = entry as Record<string, unknown>;
    if ('Principal' in s || 'NotPrincipal' in s)
      throw malformed('Policy document should not specify a principal.');
    for (const key of Object.keys(s)) {
      if (!STATEMENT_KEYS.has(key)) throw malformed(`Syntax errors in policy: unknown field ${key}.`);
    }
    if (s.Effect !== 'Allow' && s.Effect !== 'Deny')
      throw malformed('Syntax errors in policy: invalid Effect.');
    if ('Action' in s === 'NotAction' in s) {
      throw malformed('Syntax errors in policy: a Statement needs exactly one of Action and NotAction.');
    }
    if ('Resource' in s === 'NotResource' in s) {
      throw malformed('Syntax errors in policy: a Statement needs exactly one of Resource and NotResource.');
    }
    const actions = stringList(s.Action ?? s.NotAction, 'Action');
    for (const action of actions) {
      if (action !== '*' && !/^[A-Za-z0-9-]+:[A-Za-z0-9*?]+$/.test(action)) {
        throw malformed(`Syntax errors in policy: invalid action "${action}".`);
      }
    }
    stringList(s.Resource ?? s.NotResource, 'Resource');
    if (s.Condition !== undefined && (typeof s.Condition !== 'object' || s.Condition === null)) {
      throw malformed('Syntax errors in policy: invalid Condition.');
    }
    return s as unknown as PolicyStatement;
  });
  return { ...(doc as Omit<PolicyDocument, 'Statement'>), Statement: statements };
}

/** IAM wildcard match: `*` any run of characters, `?` exactly one. */
export function wildcardMatch(pattern: string, value: string, caseInsensitive = false): boolean {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, caseInsensitive ? 'is' : 's').test(value);
}

function asList(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : typeof value === 'string' ? [value] : value;
}

function statementApplies(statement: PolicyStatement, action: string, resource: string): boolean {
  const actionMatch = statement.Action
    ? asList(statement.Action).some((p) => wildcardMatch(p, action, true))
    : !asList(statement.NotAction).some((p) => wildcardMatch(p, action, true));
  if (!actionMatch) return false;
  return statement.Resource
    ? asList(statement.Resource).some((p) => wildcardMatch(p, resource))
    : !asList(statement.NotResource).some((p) => wildcardMatch(p, resource));
}

/**
 * Evaluate one policy. An explicit Deny wins; otherwise an Allow grants; otherwise implicit deny.
 * A statement with a Condition is treated conservatively: it never allows, and it always denies.
 */
export function evaluatePolicy(policy: PolicyDocument, action: string, resource: string): PolicyDecision {
  let allowed = false;
  for (const statement of policy.Statement) {
    if (!statementApplies(statement, action, resource)) continue;
    if (statement.Effect === 'Deny') return 'explicit-deny';
    if (statement.Condition === undefined) allowed = true;
  }
  return allowed ? 'allow' : 'implicit-deny';
}
