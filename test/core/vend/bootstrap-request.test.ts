import { describe, expect, it } from 'vitest';
import { AwsTransientError, RoleNotAssumableError, ThrottlingError } from '#core/shared/errors.ts';
import { bootstrapRequest, ignoredRequest, planRequest, vendEntries } from '#core/vend/bootstrap-request.ts';
import type { BootstrapRequest } from '#core/vend/request.ts';
import { roleWaitError } from '#core/vend/role-wait.ts';

const NOW = Date.parse('2026-11-30T10:10:00.000Z');
const config = {
  vendWindowHours: 24,
  roleWaitTimeoutMinutes: 30,
  invitedRoleWaitMinutes: 5,
  governedRegions: ['us-east-1', 'eu-west-1'],
  ledgerRetentionDays: 90,
};
const request: BootstrapRequest = {
  accountId: '111111111111',
  trigger: 'organizations-create-account',
  vendedAt: '2026-11-30T10:09:00.000Z',
  regions: ['us-east-1'],
  eventId: 'e1',
};

describe('bootstrap request', () => {
  it('makes a recent join a vend, timed from the join, with the full role wait and a claim leased past it', () => {
    // Act
    const plan = planRequest(
      request,
      { joinedMethod: 'CREATED', joinedAt: '2026-11-30T10:00:00.000Z' },
      NOW,
      config,
    );
    const entries = vendEntries(request, plan, 'exec-1', config);
    // Assess
    expect(plan).toMatchObject({ kind: 'vend', invited: false, roleDeadline: '2026-11-30T10:40:00.000Z' });
    expect(entries.key).toEqual({ accountId: request.accountId, joinedAt: '2026-11-30T10:00:00.000Z' });
    expect(entries.vend).toMatchObject({ joinedMethod: 'CREATED', governedRegions: config.governedRegions });
    expect(entries.trigger).toEqual({
      trigger: request.trigger,
      at: plan.nowIso,
      execution: 'exec-1',
      eventId: 'e1',
    });
    expect(entries.owner).toMatchObject({ execution: 'exec-1', state: 'running' });
    expect(Date.parse(entries.owner.leaseUntil)).toBeGreaterThan(Date.parse(plan.roleDeadline));
    expect(bootstrapRequest(request, plan, true)).toEqual({
      action: 'bootstrap',
      request: {
        accountId: request.accountId,
        trigger: request.trigger,
        vendedAt: '2026-11-30T10:00:00.000Z',
        regions: ['us-east-1'],
        isVend: true,
        owner: true,
        covered: false,
        invited: false,
        roleDeadline: '2026-11-30T10:40:00.000Z',
      },
    });
  });

  it('enforces an old account without making it a vend, and waits briefly for an invited one', () => {
    // Act
    const plan = planRequest(
      request,
      { joinedMethod: 'INVITED', joinedAt: '2026-01-01T00:00:00.000Z' },
      NOW,
      config,
    );
    // Assess
    expect(plan).toMatchObject({
      kind: 'enrollment-update',
      invited: true,
      roleDeadline: '2026-11-30T10:15:00.000Z',
    });
    expect(bootstrapRequest(request, plan, false)).toMatchObject({
      request: { vendedAt: request.vendedAt, isVend: false, owner: false, invited: true },
    });
  });

  it('takes an account Organizations describes without a join as created at the event time', () => {
    expect(planRequest(request, {}, NOW, config).join).toEqual({
      joinedMethod: 'CREATED',
      joinedAt: request.vendedAt,
    });
  });

  it('passes an ignored event’s code and reason on', () => {
    expect(ignoredRequest({ kind: 'ignore', code: 'not-succeeded', reason: 'r' })).toEqual({
      action: 'ignore',
      code: 'not-succeeded',
      reason: 'r',
    });
  });
});

describe('roleWaitError', () => {
  const deadline = '2026-11-30T10:30:00.000Z';
  const before = Date.parse(deadline) - 1;
  const after = Date.parse(deadline);

  it('keeps waiting on a role not yet assumable, and on a throttled or failed STS call, until the deadline', () => {
    // Prepare
    const notYet = new RoleNotAssumableError('no role');
    // Act
    const waiting = roleWaitError(notYet, before, deadline, '111111111111');
    const throttled = roleWaitError(new ThrottlingError('slow down'), before, deadline, '111111111111');
    // Assess
    expect(waiting).toEqual({ error: notYet, waiting: true });
    expect(throttled.waiting).toBe(true);
    expect(throttled.error).toMatchObject({
      name: 'RoleNotAssumableError',
      message: 'STS did not answer cleanly: slow down',
    });
  });

  it('times out past the deadline, leaves a transient error to the ASL’s own retry, and passes others on', () => {
    // Prepare
    const transient = new AwsTransientError('5xx');
    const other = new Error('boom');
    // Act + Assess
    expect(
      roleWaitError(new RoleNotAssumableError('no role'), after, deadline, '111111111111').error,
    ).toMatchObject({
      name: 'RoleWaitTimeoutError',
      message: `gave up waiting for a member role in account 111111111111 at ${deadline}: no role`,
    });
    expect(roleWaitError(transient, after, deadline, '111111111111')).toEqual({
      error: transient,
      waiting: false,
    });
    expect(roleWaitError(other, before, deadline, '111111111111')).toEqual({ error: other, waiting: false });
  });
});
