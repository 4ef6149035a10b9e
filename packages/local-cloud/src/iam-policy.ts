import { AwsServiceError } from './aws-error.ts';

/**
 * A small IAM policy evaluator for session policies and service control policies: Allow/Deny,
 * Action/NotAction, Resource/NotResource with `*` and `?` wildcards. Actions match
 * case-insensitively, resources case-sensitively. Conditions are evaluated against a request
 * context when one is given (the String*, Arn* and Bool operators, with `IfExists`, and policy
 * variables such as `${aws:PrincipalOrgID}` in their values); without a
 * context, or for an operator it does not know, a conditional statement is treated
 * conservatively: it never allows, and it always denies.
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

/** Condition keys of one request, such as `aws:PrincipalArn`. */
export type RequestContext = Record<string, string | string[] | undefined>;

/** An ARN compared part by part (partition, service, region, account, resource), as ArnLike does. */
function arnMatch(pattern: string, value: string, wildcards: boolean): boolean {
  const split = (arn: string) => {
    const parts = arn.split(':');
    return parts.length < 6 ? undefined : [...parts.slice(0, 5), parts.slice(5).join(':')];
  };
  const p = split(pattern);
  const v = split(value);
  if (!p || !v || p.length !== v.length) return false;
  return p.every((part, i) => {
    const other = v[i];
    return other !== undefined && (wildcards ? wildcardMatch(part, other) : part === other);
  });
}

type Matcher = (pattern: string, value: string) => boolean;
const MATCHERS: Record<string, { match: Matcher; negated: boolean }> = {
  StringEquals: { match: (p, v) => p === v, negated: false },
  StringNotEquals: { match: (p, v) => p === v, negated: true },
  StringEqualsIgnoreCase: { match: (p, v) => p.toLowerCase() === v.toLowerCase(), negated: false },
  StringNotEqualsIgnoreCase: { match: (p, v) => p.toLowerCase() === v.toLowerCase(), negated: true },
  StringLike: { match: (p, v) => wildcardMatch(p, v), negated: false },
  StringNotLike: { match: (p, v) => wildcardMatch(p, v), negated: true },
  ArnEquals: { match: (p, v) => arnMatch(p, v, false), negated: false },
  ArnNotEquals: { match: (p, v) => arnMatch(p, v, false), negated: true },
  ArnLike: { match: (p, v) => arnMatch(p, v, true), negated: false },
  ArnNotLike: { match: (p, v) => arnMatch(p, v, true), negated: true },
  Bool: { match: (p, v) => p.toLowerCase() === v.toLowerCase(), negated: false },
};

/** `${aws:PrincipalOrgID}` and the like, replaced by the request's value; undefined when it has none. */
function resolveVariables(pattern: string, context: RequestContext): string | undefined {
  let unresolved = false;
  const resolved = pattern.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
    const key = Object.keys(context).find((k) => k.toLowerCase() === name.toLowerCase());
    const value = key === undefined ? undefined : context[key];
    if (typeof value !== 'string') unresolved = true;
    return typeof value === 'string' ? value : '';
  });
  return unresolved ? undefined : resolved;
}

/**
 * One Condition block: every operator, and every key under it, must hold; the values listed for a
 * key are alternatives. A key absent from the request makes a positive operator false and a
 * negated one true; `…IfExists` makes either true. Undefined for an operator this evaluator does
 * not know, or a set operator (`ForAnyValue:`/`ForAllValues:`).
 */
function conditionHolds(condition: Record<string, unknown>, context: RequestContext): boolean | undefined {
  for (const [operatorName, block] of Object.entries(condition)) {
    const ifExists = operatorName.endsWith('IfExists');
    const operator = MATCHERS[ifExists ? operatorName.slice(0, -'IfExists'.length) : operatorName];
    if (!operator || typeof block !== 'object' || block === null) return undefined;
    for (const [key, expected] of Object.entries(block as Record<string, unknown>)) {
      const patterns = asList(expected as string | string[])
        .map(String)
        .map((pattern) => resolveVariables(pattern, context));
      // A variable the request cannot resolve invalidates the statement (IAM User Guide, "IAM
      // policy elements: Variables and tags").
      if (patterns.some((pattern) => pattern === undefined)) return false;
      // Condition keys are case-insensitive.
      const contextKey = Object.keys(context).find((k) => k.toLowerCase() === key.toLowerCase());
      const actual = contextKey === undefined ? undefined : context[contextKey];
      if (actual === undefined) {
        if (ifExists || operator.negated) continue;
        return false;
      }
      const values = asList(actual);
      const anyMatch = values.some((value) =>
        patterns.some((pattern) => operator.match(pattern as string, value)),
      );
      if (operator.negated ? anyMatch : !anyMatch) return false;
    }
  }
  return true;
}

/**
 * Evaluate one policy. An explicit Deny wins; otherwise an Allow grants; otherwise implicit deny.
 * With a request context, conditions are evaluated; without one (or for an operator this
 * evaluator does not know) a conditional statement never allows and always denies.
 */
export function evaluatePolicy(
  policy: PolicyDocument,
  action: string,
  resource: string,
  context?: RequestContext,
): PolicyDecision {
  let allowed = false;
  for (const statement of policy.Statement) {
    if (!statementApplies(statement, action, resource)) continue;
    const holds =
      statement.Condition === undefined
        ? true
        : context === undefined
          ? undefined
          : conditionHolds(statement.Condition, context);
    if (statement.Effect === 'Deny') {
      if (holds !== false) return 'explicit-deny';
      continue;
    }
    if (holds === true) allowed = true;
  }
  return allowed ? 'allow' : 'implicit-deny';
}

/**
 * Service control policies as Organizations applies them to a member account: the policies
 * attached at each level (root, each OU, the account). An explicit Deny anywhere denies; otherwise
 * every level must allow the action. SCPs never apply to the management account, nor to
 * service-linked roles; callers decide that.
 */
export function evaluateServiceControlPolicies(
  levels: readonly (readonly PolicyDocument[])[],
  action: string,
  resource: string,
  context: RequestContext,
): PolicyDecision {
  let everyLevelAllows = levels.length > 0;
  for (const level of levels) {
    const decisions = level.map((policy) => evaluatePolicy(policy, action, resource, context));
    if (decisions.includes('explicit-deny')) return 'explicit-deny';
    if (!decisions.includes('allow')) everyLevelAllows = false;
  }
  return everyLevelAllows ? 'allow' : 'implicit-deny';
}
