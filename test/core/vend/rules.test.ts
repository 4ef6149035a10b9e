import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchesPattern } from '#core/deploy/event-pattern.ts';
import { ConfigurationError, InvalidRequestError } from '#core/shared/errors.ts';
import {
  type BootstrapRequest,
  MAX_EVENT_BYTES,
  type NormalizeOptions,
  type NormalizeResult,
  normalize,
} from '#core/vend/normalize.ts';
import {
  matchingRules,
  REPLAY_DETAIL_TYPE,
  REPLAY_SOURCE,
  RULES,
  type RuleId,
  vendEventRules,
} from '#core/vend/rules.ts';

const FIXTURES = new URL('../../fixtures/events/', import.meta.url);
// biome-ignore lint/suspicious/noExplicitAny: fixtures are mutated freely to build variants.
type Json = Record<string, any>;

function fixture(name: string): Json {
  return JSON.parse(readFileSync(new URL(`${name}.json`, FIXTURES), 'utf8'));
}

const GOVERNED = ['eu-west-1', 'us-east-1', 'us-west-2'];
const OPTIONS: NormalizeOptions = { governedRegions: GOVERNED };

const OVERSIZED_REPLAY = variant(
  'replay-request-valid',
  (e) => (e.resources = ['x'.repeat(MAX_EVENT_BYTES)]),
);

function bootstrap(result: NormalizeResult): BootstrapRequest {
  if (result.kind !== 'bootstrap') throw new Error(`expected a bootstrap request, got: ${result.reason}`);
  return result.request;
}

function invalidRequest(act: () => unknown): InvalidRequestError {
  try {
    act();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as Error).name).toBe('InvalidRequestError');
    return error as InvalidRequestError;
  }
  throw new Error('expected an InvalidRequestError');
}

/** Mutate a deep copy of a fixture. */
function variant(name: string, change: (event: Json) => void): Json {
  const event = fixture(name);
  change(event);
  return event;
}

describe('vend event rules', () => {
  it('have stable ids, one per trigger', () => {
    // Act
    const ids = RULES.map((rule) => [rule.id, rule.trigger]);
    // Assess
    expect(ids).toEqual([
      ['organizations-create-account-succeeded', 'organizations-create-account'],
      ['controltower-create-managed-account-succeeded', 'controltower-create-managed-account'],
      ['controltower-update-managed-account-succeeded', 'controltower-update-managed-account'],
      ['organizations-account-joined', 'organizations-account-joined'],
      ['replay-request', 'replay'],
    ]);
  });

  it('say which rules must also run in us-east-1, where Organizations delivers', () => {
    // Act
    const forwarded = RULES.filter((rule) => rule.deliveredIn === 'us-east-1').map((rule) => rule.id);
    // Assess
    expect(forwarded).toEqual(['organizations-create-account-succeeded', 'organizations-account-joined']);
  });

  it.each<[fixture: string, rule: RuleId | null]>([
    ['organizations-create-account-succeeded', 'organizations-create-account-succeeded'],
    ['organizations-create-account-failed', null],
    ['controltower-create-managed-account-succeeded', 'controltower-create-managed-account-succeeded'],
    ['controltower-create-managed-account-failed', null],
    ['controltower-update-managed-account-succeeded', 'controltower-update-managed-account-succeeded'],
    ['organizations-account-joined', 'organizations-account-joined'],
    ['organizations-account-joined-api-call', 'organizations-account-joined'],
    ['organizations-move-account', null],
    ['replay-request-valid', 'replay-request'],
    ['replay-request-minimal', 'replay-request'],
    // The rule routes on the envelope; validating the detail is normalize's job.
    ['replay-request-invalid-account-id', 'replay-request'],
    ['replay-request-invalid-region', 'replay-request'],
  ])('route %s to %s only', (name, expected) => {
    // Act
    const matched = matchingRules(fixture(name)).map((rule) => rule.id);
    // Assess
    expect(matched).toEqual(expected === null ? [] : [expected]);
  });

  it('covers every fixture file in the route table', () => {
    // Act
    const files = readdirSync(FIXTURES).filter((file) => file.endsWith('.json'));
    // Assess
    expect(files.length).toBe(12);
  });

  it('do not route a Control Tower create whose status sits under the update key', () => {
    // Prepare
    const event = variant('controltower-create-managed-account-succeeded', (e) => {
      const status = e.detail.serviceEventDetails.createManagedAccountStatus;
      e.detail.serviceEventDetails = { updateManagedAccountStatus: status };
    });
    // Act
    const matched = matchingRules(event);
    // Assess
    expect(matched).toEqual([]);
  });

  it('accept replays only from the management account when one is configured', () => {
    // Prepare
    const rules = vendEventRules({ managementAccountId: '999999999999' });
    const fromManagement = fixture('replay-request-valid');
    const fromMember = variant('replay-request-valid', (e) => {
      e.account = '444444444444';
    });
    // Act
    const routed = [fromManagement, fromMember].map((event) =>
      matchingRules(event, rules).map((rule) => rule.id),
    );
    // Assess
    expect(routed).toEqual([['replay-request'], []]);
    expect(rules.find((rule) => rule.id === 'replay-request')?.pattern).toEqual({
      source: [REPLAY_SOURCE],
      'detail-type': [REPLAY_DETAIL_TYPE],
      account: ['999999999999'],
    });
  });

  it('refuse a management account id that is not 12 digits', () => {
    // Act
    const act = () => vendEventRules({ managementAccountId: '99999999999' });
    // Assess
    expect(act).toThrow(ConfigurationError);
    expect(act).toThrow('managementAccountId: "99999999999" is not a 12-digit account id');
  });

  it('give every bootstrap-producing fixture a rule with the same trigger', () => {
    // Prepare
    const names = [
      'organizations-create-account-succeeded',
      'controltower-create-managed-account-succeeded',
      'controltower-update-managed-account-succeeded',
      'organizations-account-joined',
      'organizations-account-joined-api-call',
      'replay-request-valid',
      'replay-request-minimal',
    ];
    // Act
    const pairs = names.map((name) => {
      const event = fixture(name);
      return [matchingRules(event)[0]?.trigger, bootstrap(normalize(event, OPTIONS)).trigger];
    });
    // Assess
    for (const [ruleTrigger, requestTrigger] of pairs) expect(ruleTrigger).toBe(requestTrigger);
  });
});

describe('normalize', () => {
  describe('vend events', () => {
    it('turns an Organizations CreateAccountResult into a request, timed by completedTimestamp', () => {
      // Act
      const result = normalize(fixture('organizations-create-account-succeeded'), OPTIONS);
      // Assess
      expect(result).toEqual({
        kind: 'bootstrap',
        request: {
          accountId: '111111111111',
          trigger: 'organizations-create-account',
          vendedAt: '2020-09-16T21:20:53.000Z',
          regions: GOVERNED,
          eventId: '6f1c0b2e-0d7a-4c1e-9b6a-2f1e3d4c5b6a',
        },
      });
    });

    it('turns a Control Tower CreateManagedAccount into a request, reading the +0000 offset', () => {
      // Act
      const request = bootstrap(normalize(fixture('controltower-create-managed-account-succeeded'), OPTIONS));
      // Assess
      expect(request).toEqual({
        accountId: '222222222222',
        trigger: 'controltower-create-managed-account',
        vendedAt: '2019-11-15T11:45:18.000Z',
        regions: GOVERNED,
        eventId: '8b3e2d4a-2f9c-4e3a-9d8c-4b3a5f6e7d8c',
      });
    });

    it('turns a Control Tower UpdateManagedAccount into a request', () => {
      // Act
      const request = bootstrap(normalize(fixture('controltower-update-managed-account-succeeded'), OPTIONS));
      // Assess
      expect(request).toMatchObject({
        accountId: '333333333333',
        trigger: 'controltower-update-managed-account',
        vendedAt: '2021-03-02T08:15:40.000Z',
      });
    });

    it('reads AccountJoinedOrganization from serviceEventDetails, timed by the joined time', () => {
      // Act
      const request = bootstrap(normalize(fixture('organizations-account-joined'), OPTIONS));
      // Assess
      expect(request).toMatchObject({
        accountId: '555555555555',
        trigger: 'organizations-account-joined',
        vendedAt: '2026-05-20T08:30:01.000Z',
      });
    });

    it('reads AccountJoinedOrganization from requestParameters and responseElements.account', () => {
      // Act
      const request = bootstrap(normalize(fixture('organizations-account-joined-api-call'), OPTIONS));
      // Assess
      expect(request).toMatchObject({
        accountId: '666666666666',
        trigger: 'organizations-account-joined',
        vendedAt: '2026-05-21T09:00:02.512Z',
      });
    });

    it.each<[where: string, change: (detail: Json) => void]>([
      ['responseElements.account.id only', (d) => (d.responseElements = { account: { id: '777777777777' } })],
      ['requestParameters.accountId only', (d) => (d.requestParameters = { accountId: '777777777777' })],
      [
        'a nested serviceEventDetails object',
        (d) => (d.serviceEventDetails = { account: { accountId: '777777777777' } }),
      ],
      ['additionalEventData.accountId', (d) => (d.additionalEventData = { accountId: '777777777777' })],
    ])('finds the joined account id in %s', (_where, change) => {
      // Prepare
      const event = variant('organizations-account-joined', (e) => {
        e.detail.serviceEventDetails = null;
        change(e.detail);
      });
      // Act
      const request = bootstrap(normalize(event, OPTIONS));
      // Assess
      expect(request.accountId).toBe('777777777777');
    });

    it('times a joined account by eventTime when no joined time is readable', () => {
      // Prepare
      const event = variant('organizations-account-joined', (e) => {
        e.detail.serviceEventDetails.joinedTimestamp = 'yesterday';
      });
      // Act
      const request = bootstrap(normalize(event, OPTIONS));
      // Assess
      expect(request.vendedAt).toBe('2026-05-20T08:30:05.000Z');
    });

    it('never takes the management account from recipientAccountId or userIdentity for a joined account', () => {
      // Prepare
      const event = variant('organizations-account-joined', (e) => {
        e.detail.serviceEventDetails = { joinedMethod: 'INVITED' };
      });
      // Act
      const result = normalize(event, OPTIONS);
      // Assess
      expect(result).toEqual({
        kind: 'ignore',
        code: 'missing-account-id',
        reason: 'AccountJoinedOrganization: no account id',
      });
    });

    it('falls back from completedTimestamp to detail.eventTime, then to the envelope time', () => {
      // Prepare
      const noCompleted = variant('organizations-create-account-succeeded', (e) => {
        delete e.detail.serviceEventDetails.createAccountStatus.completedTimestamp;
      });
      const envelopeOnly = variant('organizations-create-account-succeeded', (e) => {
        e.detail.serviceEventDetails.createAccountStatus.completedTimestamp = 'not a time';
        delete e.detail.eventTime;
      });
      // Act
      const times = [noCompleted, envelopeOnly].map((event) => bootstrap(normalize(event, OPTIONS)).vendedAt);
      // Assess
      expect(times).toEqual(['2020-09-16T21:20:55.000Z', '2020-09-16T21:20:57.000Z']);
    });

    it('leaves eventId out when the envelope has no id', () => {
      // Prepare
      const event = variant('organizations-create-account-succeeded', (e) => {
        delete e.id;
      });
      // Act
      const request = bootstrap(normalize(event, OPTIONS));
      // Assess
      expect(request).not.toHaveProperty('eventId');
    });

    it('returns a copy of the governed regions, not the config array', () => {
      // Prepare
      const governedRegions = ['eu-west-1'];
      // Act
      const request = bootstrap(
        normalize(fixture('organizations-create-account-succeeded'), { governedRegions }),
      );
      request.regions.push('us-east-1');
      // Assess
      expect(governedRegions).toEqual(['eu-west-1']);
    });
  });

  describe('ignored events', () => {
    it.each<[name: string, input: () => unknown, code: string, reason: string]>([
      [
        'Organizations FAILED (EMAIL_ALREADY_EXISTS, no account id)',
        () => fixture('organizations-create-account-failed'),
        'not-succeeded',
        'CreateAccountResult state is "FAILED", failureReason "EMAIL_ALREADY_EXISTS"',
      ],
      [
        'Control Tower FAILED with account id "Not Available"',
        () => fixture('controltower-create-managed-account-failed'),
        'not-succeeded',
        'CreateManagedAccount state is "FAILED": "AWS Control Tower cannot create an account because the email address is already in use."',
      ],
      [
        'MoveAccount, an API call that is not a vend',
        () => fixture('organizations-move-account'),
        'unknown-shape',
        'event matches no known vend shape (source="aws.organizations", detail-type="AWS API Call via CloudTrail", eventName="MoveAccount")',
      ],
      [
        'a SUCCEEDED Control Tower event whose account id is "Not Available"',
        () =>
          variant('controltower-create-managed-account-succeeded', (e) => {
            e.detail.serviceEventDetails.createManagedAccountStatus.account.accountId = 'Not Available';
          }),
        'account-id-not-available',
        'CreateManagedAccount: account id is "Not Available"',
      ],
      [
        'a SUCCEEDED CreateAccountResult without an account id',
        () =>
          variant('organizations-create-account-succeeded', (e) => {
            delete e.detail.serviceEventDetails.createAccountStatus.accountId;
          }),
        'missing-account-id',
        'CreateAccountResult: no account id',
      ],
      [
        'a CreateAccountResult without createAccountStatus',
        () =>
          variant('organizations-create-account-succeeded', (e) => {
            e.detail.serviceEventDetails = {};
          }),
        'missing-status',
        'CreateAccountResult has no serviceEventDetails.createAccountStatus object',
      ],
      [
        'an UpdateManagedAccount without updateManagedAccountStatus',
        () =>
          variant('controltower-update-managed-account-succeeded', (e) => {
            e.detail.serviceEventDetails = 'none';
          }),
        'missing-status',
        'UpdateManagedAccount has no serviceEventDetails.updateManagedAccountStatus object',
      ],
      [
        'an event whose detail is not an object',
        () => variant('organizations-create-account-succeeded', (e) => (e.detail = ['x'])),
        'detail-not-object',
        'event detail is not an object (source="aws.organizations", detail-type="AWS Service Event via CloudTrail", eventName=undefined)',
      ],
      [
        'an event from another source',
        () => ({ source: 'aws.ec2', 'detail-type': 'EC2 Instance State-change Notification', detail: {} }),
        'unknown-shape',
        'event matches no known vend shape (source="aws.ec2", detail-type="EC2 Instance State-change Notification", eventName=undefined)',
      ],
      [
        'a CreateAccountResult with the API-call detail-type',
        () =>
          variant('organizations-create-account-succeeded', (e) => {
            e['detail-type'] = 'AWS API Call via CloudTrail';
          }),
        'unknown-shape',
        'event matches no known vend shape (source="aws.organizations", detail-type="AWS API Call via CloudTrail", eventName="CreateAccountResult")',
      ],
      ['a string', () => 'CreateAccountResult', 'not-an-object', 'event is not a JSON object'],
      ['null', () => null, 'not-an-object', 'event is not a JSON object'],
      [
        'an array',
        () => [fixture('organizations-create-account-succeeded')],
        'not-an-object',
        'event is not a JSON object',
      ],
      [
        'a joined event whose CloudTrail record carries an errorCode',
        () => variant('organizations-account-joined', (e) => (e.detail.errorCode = 'AccessDenied')),
        'cloudtrail-error',
        'AccountJoinedOrganization reports errorCode "AccessDenied"',
      ],
      [
        'a joined event naming two different accounts',
        () =>
          variant('organizations-account-joined-api-call', (e) => {
            e.detail.requestParameters.accountId = '888888888888';
          }),
        'ambiguous-account-id',
        'AccountJoinedOrganization names several account ids: 888888888888, 666666666666',
      ],
      [
        'a vend event without any readable timestamp',
        () =>
          variant('controltower-update-managed-account-succeeded', (e) => {
            delete e.detail.serviceEventDetails.updateManagedAccountStatus.completedTimestamp;
            delete e.detail.eventTime;
            e.time = 1614672944;
          }),
        'no-timestamp',
        'UpdateManagedAccount: no readable timestamp',
      ],
    ])('ignores %s', (_name, input, code, reason) => {
      // Act
      const result = normalize(input(), OPTIONS);
      // Assess
      expect(result).toMatchObject({ kind: 'ignore', code, reason });
    });

    it.each([
      ['*', '"*" is not a 12-digit account id'],
      ['123456789012/../x', '"123456789012/../x" is not a 12-digit account id'],
      ['11111111111', '"11111111111" is not a 12-digit account id'],
      ['1111111111111', '"1111111111111" is not a 12-digit account id'],
      ['١١١١١١١١١١١١', '"١١١١١١١١١١١١" is not a 12-digit account id'],
      [' 111111111111', '" 111111111111" is not a 12-digit account id'],
      ['111111111111\n', '"111111111111\\n" is not a 12-digit account id'],
      [111111111111, '111111111111 is not a 12-digit account id'],
      [['111111111111'], '["111111111111"] is not a 12-digit account id'],
    ])('ignores the invalid account id %j', (accountId, reason) => {
      // Prepare
      const event = variant('organizations-create-account-succeeded', (e) => {
        e.detail.serviceEventDetails.createAccountStatus.accountId = accountId;
      });
      // Act
      const result = normalize(event, OPTIONS);
      // Assess
      expect(result).toEqual({
        kind: 'ignore',
        code: 'invalid-account-id',
        reason: `CreateAccountResult: ${reason}`,
      });
    });

    it('ignores an excluded account and names it', () => {
      // Act
      const result = normalize(fixture('controltower-create-managed-account-succeeded'), {
        governedRegions: GOVERNED,
        excludeAccountIds: ['222222222222'],
      });
      // Assess
      expect(result).toEqual({
        kind: 'ignore',
        code: 'excluded-account',
        reason: 'account 222222222222 is excluded by configuration (excludeAccountIds)',
        accountId: '222222222222',
      });
    });

    it('ignores an event over the EventBridge size limit', () => {
      // Prepare
      const event = variant('organizations-create-account-succeeded', (e) => {
        e.detail.padding = 'x'.repeat(MAX_EVENT_BYTES);
      });
      // Act
      const result = normalize(event, OPTIONS);
      // Assess
      expect(result).toMatchObject({ kind: 'ignore', code: 'oversized' });
      expect(result.kind === 'ignore' && result.reason).toMatch(
        /^event is \d+ bytes, over the EventBridge limit of 262144$/,
      );
    });

    it('ignores an object that cannot be serialised as JSON', () => {
      // Prepare
      const event: Json = { source: 'aws.organizations' };
      event.self = event;
      // Act
      const result = normalize(event, OPTIONS);
      // Assess
      expect(result).toEqual({
        kind: 'ignore',
        code: 'not-json',
        reason: 'event is not serialisable as JSON',
      });
    });

    it('bounds the length of untrusted values quoted in a reason', () => {
      // Prepare
      const event = { source: 'x'.repeat(10_000), detail: {} };
      // Act
      const result = normalize(event, OPTIONS);
      // Assess
      expect(result.kind === 'ignore' && result.reason.length).toBeLessThan(300);
    });
  });

  describe('replay requests', () => {
    it('turns a replay into a request for the named regions, timed by the envelope', () => {
      // Act
      const result = normalize(fixture('replay-request-valid'), OPTIONS);
      // Assess
      expect(result).toEqual({
        kind: 'bootstrap',
        request: {
          accountId: '444444444444',
          trigger: 'replay',
          vendedAt: '2024-06-03T10:00:00.000Z',
          regions: ['eu-west-1'],
          reason: 'CreateAccountResult missed during a regional EventBridge incident',
          eventId: 'e19e8d0a-8f5c-4e9a-9d4c-0b9a1f2e3d4c',
        },
      });
    });

    it('defaults to every governed region and leaves reason out', () => {
      // Act
      const request = bootstrap(normalize(fixture('replay-request-minimal'), OPTIONS));
      // Assess
      expect(request.regions).toEqual(GOVERNED);
      expect(request).not.toHaveProperty('reason');
    });

    it('drops duplicate regions and keeps the order given', () => {
      // Prepare
      const event = variant('replay-request-valid', (e) => {
        e.detail.regions = ['us-west-2', 'eu-west-1', 'us-west-2'];
      });
      // Act
      const request = bootstrap(normalize(event, OPTIONS));
      // Assess
      expect(request.regions).toEqual(['us-west-2', 'eu-west-1']);
    });

    it('accepts a reason of exactly 256 characters, counted as characters not UTF-16 units', () => {
      // Prepare
      const event = variant('replay-request-valid', (e) => {
        e.detail.reason = '🙂'.repeat(256);
      });
      // Act
      const request = bootstrap(normalize(event, OPTIONS));
      // Assess
      expect(request.reason).toHaveLength(512);
    });

    it('ignores a replay for an excluded account', () => {
      // Act
      const result = normalize(fixture('replay-request-valid'), {
        governedRegions: GOVERNED,
        excludeAccountIds: ['444444444444'],
      });
      // Assess
      expect(result).toMatchObject({ kind: 'ignore', code: 'excluded-account', accountId: '444444444444' });
    });

    it.each<[name: string, event: () => Json, message: string]>([
      [
        'a path-like account id (fixture)',
        () => fixture('replay-request-invalid-account-id'),
        'replay request accountId: "123456789012/../x" is not a 12-digit account id',
      ],
      [
        'a region outside the governed list (fixture)',
        () => fixture('replay-request-invalid-region'),
        'replay request region(s) "ap-southeast-2" not governed (governed: eu-west-1, us-east-1, us-west-2)',
      ],
      [
        'a missing account id',
        () => variant('replay-request-valid', (e) => delete e.detail.accountId),
        'replay request accountId: no account id',
      ],
      [
        'an account id of "Not Available"',
        () => variant('replay-request-valid', (e) => (e.detail.accountId = 'Not Available')),
        'replay request accountId: account id is "Not Available"',
      ],
      [
        'Arabic-Indic digits',
        () => variant('replay-request-valid', (e) => (e.detail.accountId = '٤٤٤٤٤٤٤٤٤٤٤٤')),
        'replay request accountId: "٤٤٤٤٤٤٤٤٤٤٤٤" is not a 12-digit account id',
      ],
      [
        'a numeric account id',
        () => variant('replay-request-valid', (e) => (e.detail.accountId = 444444444444)),
        'replay request accountId: 444444444444 is not a 12-digit account id',
      ],
      [
        'regions that are a string',
        () => variant('replay-request-valid', (e) => (e.detail.regions = 'eu-west-1')),
        'replay request regions must be an array of region names',
      ],
      [
        'regions that hold a number',
        () => variant('replay-request-valid', (e) => (e.detail.regions = ['eu-west-1', 1])),
        'replay request regions must be an array of region names',
      ],
      [
        'an empty region list',
        () => variant('replay-request-valid', (e) => (e.detail.regions = [])),
        'replay request regions must not be empty; omit it to mean every governed region',
      ],
      [
        'a reason that is not a string',
        () => variant('replay-request-valid', (e) => (e.detail.reason = { why: 'x' })),
        'replay request reason must be a string',
      ],
      [
        'a reason over 256 characters',
        () => variant('replay-request-valid', (e) => (e.detail.reason = 'r'.repeat(257))),
        'replay request reason is longer than 256 characters',
      ],
      [
        'an unknown detail field (a typo must not widen the regions)',
        () => variant('replay-request-minimal', (e) => (e.detail.region = 'eu-west-1')),
        'replay request detail has unknown field(s) "region"; allowed: accountId, regions, reason',
      ],
      [
        'a detail that is not an object',
        () => variant('replay-request-valid', (e) => (e.detail = '444444444444')),
        'replay request detail must be an object',
      ],
      [
        'an unreadable envelope time',
        () => variant('replay-request-valid', (e) => delete e.time),
        'replay request time undefined is not readable',
      ],
      [
        'a payload over the EventBridge size limit',
        () => OVERSIZED_REPLAY,
        `replay request event is ${JSON.stringify(OVERSIZED_REPLAY).length} bytes, over the EventBridge limit of 262144`,
      ],
    ])('refuses a replay with %s', (_name, event, message) => {
      // Act
      const error = invalidRequest(() => normalize(event(), OPTIONS));
      // Assess
      expect(error.message).toBe(message);
    });

    it('lists at most five offending regions in the message', () => {
      // Prepare
      const event = variant('replay-request-valid', (e) => {
        e.detail.regions = Array.from({ length: 1000 }, (_, i) => `xx-test-${i}`);
      });
      // Act
      const error = invalidRequest(() => normalize(event, OPTIONS));
      // Assess
      expect(error.message).toBe(
        'replay request region(s) "xx-test-0", "xx-test-1", "xx-test-2", "xx-test-3", "xx-test-4" and 995 more not governed (governed: eu-west-1, us-east-1, us-west-2)',
      );
    });

    it('refuses a replay from another account when the management account is known', () => {
      // Prepare
      const event = variant('replay-request-valid', (e) => (e.account = '444444444444'));
      // Act
      const error = invalidRequest(() =>
        normalize(event, { ...OPTIONS, managementAccountId: '999999999999' }),
      );
      // Assess
      expect(error.message).toBe(
        'replay request comes from account "444444444444"; only the management account 999999999999 may send one',
      );
    });

    it('ignores, rather than refuses, an event from the replay source with another detail-type', () => {
      // Prepare
      const event = variant(
        'replay-request-invalid-account-id',
        (e) => (e['detail-type'] = 'Something Else'),
      );
      // Act
      const result = normalize(event, OPTIONS);
      // Assess
      expect(result).toMatchObject({ kind: 'ignore', code: 'unknown-shape' });
    });
  });

  describe('robustness', () => {
    it('never throws anything but InvalidRequestError for arbitrary JSON', () => {
      // Prepare
      const anyJson = fc.jsonValue({ maxDepth: 4 });
      const envelope = fc.record(
        {
          source: fc.constantFrom('aws.organizations', 'aws.controltower', REPLAY_SOURCE, 'other'),
          'detail-type': fc.constantFrom(
            'AWS Service Event via CloudTrail',
            'AWS API Call via CloudTrail',
            REPLAY_DETAIL_TYPE,
          ),
          time: fc.oneof(
            fc.string(),
            fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
            anyJson,
          ),
          id: anyJson,
          account: fc.oneof(fc.constant('999999999999'), anyJson),
          detail: fc.oneof(
            anyJson,
            fc.record(
              {
                eventName: fc.constantFrom(
                  'CreateAccountResult',
                  'CreateManagedAccount',
                  'UpdateManagedAccount',
                  'AccountJoinedOrganization',
                  'MoveAccount',
                ),
                eventTime: anyJson,
                accountId: anyJson,
                regions: anyJson,
                reason: anyJson,
                errorCode: anyJson,
                serviceEventDetails: anyJson,
                requestParameters: anyJson,
                responseElements: anyJson,
              },
              { requiredKeys: [] },
            ),
          ),
        },
        { requiredKeys: ['source'] },
      );
      // Act + Assess
      fc.assert(
        fc.property(fc.oneof(anyJson, envelope), (event) => {
          try {
            const result = normalize(event, { ...OPTIONS, excludeAccountIds: ['111111111111'] });
            expect(['bootstrap', 'ignore']).toContain(result.kind);
          } catch (error) {
            expect(error).toBeInstanceOf(InvalidRequestError);
          }
        }),
        { numRuns: 2000 },
      );
    });

    it('produces only 12-digit ASCII account ids and UTC ISO times for arbitrary JSON', () => {
      // Prepare
      const status = fc.record({
        state: fc.constantFrom('SUCCEEDED', 'FAILED'),
        accountId: fc.oneof(fc.stringMatching(/^\d{10,14}$/), fc.string(), fc.jsonValue()),
        completedTimestamp: fc.oneof(
          fc.string(),
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        ),
      });
      const event = status.map((createAccountStatus) => ({
        source: 'aws.organizations',
        'detail-type': 'AWS Service Event via CloudTrail',
        time: '2024-01-01T00:00:00Z',
        detail: { eventName: 'CreateAccountResult', serviceEventDetails: { createAccountStatus } },
      }));
      // Act + Assess
      fc.assert(
        fc.property(event, (input) => {
          const result = normalize(input, OPTIONS);
          if (result.kind === 'bootstrap') {
            expect(result.request.accountId).toMatch(/^[0-9]{12}$/);
            expect(result.request.vendedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
          }
        }),
        { numRuns: 1000 },
      );
    });
  });
});

describe('rule patterns and normalize agree', () => {
  it('never bootstraps a vend event that no rule routes', () => {
    // Prepare: the fixtures, each with its SUCCEEDED state flipped or its name changed.
    const names = [
      'organizations-create-account-succeeded',
      'controltower-create-managed-account-succeeded',
      'controltower-update-managed-account-succeeded',
    ];
    const mutants = names.flatMap((name) => [
      variant(name, (e) => {
        const details = e.detail.serviceEventDetails;
        const key = Object.keys(details)[0]!;
        details[key].state = 'FAILED';
      }),
      variant(name, (e) => (e.detail.eventName = 'DescribeAccount')),
    ]);
    // Act
    const outcomes = mutants.map((event) => [matchingRules(event).length, normalize(event, OPTIONS).kind]);
    // Assess
    expect(outcomes).toEqual(mutants.map(() => [0, 'ignore']));
  });

  it('uses patterns the matcher accepts as valid (every success fixture matches its own pattern)', () => {
    // Prepare
    const rule = RULES.find((r) => r.id === 'controltower-update-managed-account-succeeded')!;
    // Act
    const matched = matchesPattern(rule.pattern, fixture('controltower-update-managed-account-succeeded'));
    // Assess
    expect(matched).toBe(true);
  });
});
