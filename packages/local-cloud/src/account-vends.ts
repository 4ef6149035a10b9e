/**
 * Vends and Control Tower landing-zone updates in the simulated organization: accounts that
 * are created, invited or enrolled on the timeline or through the API, and the events
 * Organizations and Control Tower publish for them (docs/aws-behaviour.md#organizations, docs/aws-behaviour.md#control-tower).
 */
import type { EventBus, EventEnvelope } from './bus.ts';
import type { SimulatedClock, SimulatedScheduler } from './clock.ts';
import type { AccountRecord, CreateAccountRequest, Organization } from './organization.ts';
import type { Scenario, ScenarioAccount } from './scenario.ts';
import type { DocumentStore } from './ssm-documents.ts';
import { accountJoinedEvent, createAccountResultEvent, managedAccountEvent } from './vend-events.ts';

export const PREFERENCES_DOCUMENT = 'SSM-SessionManagerRunShell';
export const CONTROL_TOWER_ROLE = 'AWSControlTowerExecution';

/** What a vend needs of the world: its organization, clock, documents and event bus. */
export interface VendWorld {
  readonly scenario: Scenario;
  readonly clock: SimulatedClock;
  readonly scheduler: SimulatedScheduler;
  readonly bus: EventBus;
  readonly org: Organization;
  readonly documents: DocumentStore;
  readonly managementAccountId: string;
  /** Where Control Tower lifecycle events arrive. */
  readonly controlTowerHomeRegion: string;
  publishRepeated(event: EventEnvelope, deliveries: number): void;
}

/** A scenario account's vend (created, enrolled or invited), requested at `atMs`. */
export function startVend(world: VendWorld, account: ScenarioAccount, atMs: number): void {
  if (account.vend?.via === 'invited') invite(world, account, atMs);
  else vend(world, account, atMs);
}

function vend(world: VendWorld, account: ScenarioAccount, requestedMs: number): void {
  const vend = account.vend as NonNullable<ScenarioAccount['vend']>;
  const record = world.org.record(account.accountId) as AccountRecord;
  const createSeconds = vend.createSeconds ?? world.scenario.organizations.createAccountSeconds;
  const request: CreateAccountRequest = {
    id: world.org.newRequestId(),
    accountName: account.name,
    email: record.email,
    requestedMs,
    completesAtMs: requestedMs + createSeconds * 1000,
    outcome: vend.failureReason ? 'FAILED' : 'SUCCEEDED',
    ...(vend.failureReason ? { failureReason: vend.failureReason } : { accountId: account.accountId }),
  };
  world.org.addRequest(request);
  world.scheduler.at(world.clock.secondsAt(request.completesAtMs), () => {
    const completedMs = request.completesAtMs;
    if (!vend.failureReason) {
      record.existsFromMs = completedMs;
      record.joinedMs = completedMs;
      const roles = account.roles ?? defaultRoles(account, world.scenario);
      for (const [role, s] of Object.entries(roles))
        world.org.addRole(record.accountId, role, completedMs + s * 1000);
      seedDocuments(world.documents, account);
    }
    if (vend.via === 'organizations' || vend.emitCreateAccountResult) {
      const event = createAccountResultEvent({
        managementAccountId: world.managementAccountId,
        requestId: request.id,
        accountName: account.name,
        state: request.outcome,
        ...(request.accountId ? { accountId: request.accountId } : {}),
        ...(request.failureReason ? { failureReason: request.failureReason } : {}),
        requestedMs: request.requestedMs,
        completedMs,
      });
      world.publishRepeated(event, vend.deliveries);
    }
    // Account Factory creates the account with Organizations CreateAccount too, so a
    // controltower vend logs the join as well.
    if (!vend.failureReason) joined(world, record, completedMs, vend.deliveries);
    if (vend.via === 'controltower') {
      const enrolledMs = completedMs + (vend.enrollSeconds ?? DEFAULT_ENROLL_SECONDS) * 1000;
      world.scheduler.at(world.clock.secondsAt(enrolledMs), () => {
        const event = managedAccountEvent({
          managementAccountId: world.managementAccountId,
          homeRegion: world.controlTowerHomeRegion,
          eventName: 'CreateManagedAccount',
          accountName: account.name,
          ...(vend.failureReason ? {} : { accountId: account.accountId }),
          organizationalUnitName: account.organizationalUnit,
          organizationalUnitId: world.org.ouId(account.organizationalUnit),
          state: vend.failureReason ? 'FAILED' : 'SUCCEEDED',
          requestedMs: request.requestedMs,
          completedMs: enrolledMs,
        });
        world.publishRepeated(event, vend.deliveries);
      });
    }
  });
}

/**
 * `via: invited`: an account that exists outside accepts the organization's invitation. It
 * joins with JoinedMethod INVITED and logs an Invited join, but no CreateAccountResult (there
 * was no CreateAccount) and gets no member role of the organization's (only `roles` listed in
 * the scenario). With `enrollSeconds`, Control Tower later enrolls it: AWSControlTowerExecution
 * is created then, and CreateManagedAccount SUCCEEDED is published in the home region.
 */
function invite(world: VendWorld, account: ScenarioAccount, joinedMs: number): void {
  const vend = account.vend as NonNullable<ScenarioAccount['vend']>;
  const record = world.org.record(account.accountId) as AccountRecord;
  record.existsFromMs = joinedMs;
  record.joinedMs = joinedMs;
  record.joinedMethod = 'INVITED';
  for (const [role, s] of Object.entries(account.roles ?? {}))
    world.org.addRole(record.accountId, role, joinedMs + s * 1000);
  seedDocuments(world.documents, account);
  joined(world, record, joinedMs, vend.deliveries);
  if (vend.enrollSeconds === undefined) return;
  const enrolledMs = joinedMs + vend.enrollSeconds * 1000;
  world.scheduler.at(world.clock.secondsAt(enrolledMs), () => {
    // The role Control Tower creates is assumable when the enrollment reports success
    // (docs/aws-behaviour.md#role-propagation: IAM may still lag in AWS; here a single instant).
    const existing = record.roles.get(CONTROL_TOWER_ROLE);
    if (existing === undefined || existing > enrolledMs)
      world.org.addRole(record.accountId, CONTROL_TOWER_ROLE, enrolledMs);
    const event = managedAccountEvent({
      managementAccountId: world.managementAccountId,
      homeRegion: world.controlTowerHomeRegion,
      eventName: 'CreateManagedAccount',
      accountName: account.name,
      accountId: account.accountId,
      organizationalUnitName: account.organizationalUnit,
      organizationalUnitId: world.org.ouId(account.organizationalUnit),
      state: 'SUCCEEDED',
      message: 'AWS Control Tower successfully enrolled an existing account.',
      requestedMs: joinedMs,
      completedMs: enrolledMs,
    });
    world.publishRepeated(event, vend.deliveries);
  });
}

/** The Organizations join event for an account that joined at `joinedMs` (docs/aws-behaviour.md#accountjoinedorganization-event). */
function joined(world: VendWorld, record: AccountRecord, joinedMs: number, deliveries: number): void {
  const { emitJoinEvents, joinEventDelaySeconds } = world.scenario.organizations;
  if (!emitJoinEvents) return;
  const eventMs = joinedMs + joinEventDelaySeconds * 1000;
  const publish = () =>
    world.publishRepeated(
      accountJoinedEvent({
        managementAccountId: world.managementAccountId,
        accountId: record.accountId,
        accountName: record.name,
        joinedMethod: record.joinedMethod,
        joinedMs,
        eventMs,
      }),
      deliveries,
    );
  if (eventMs <= joinedMs) publish();
  else world.scheduler.at(world.clock.secondsAt(eventMs), publish);
}

/**
 * A Control Tower landing-zone update (or OU re-register) re-runs every enrolled account:
 * `UpdateManagedAccount` SUCCEEDED in the home region for each ACTIVE member that has
 * AWSControlTowerExecution at that moment (docs/aws-behaviour.md#landing-zone-updates-re-run-accounts). Returns how many accounts it touched.
 */
export function landingZoneUpdate(world: VendWorld, atMs: number, deliveries = 1): number {
  let touched = 0;
  for (const account of world.org.members(atMs)) {
    if (account.isManagement || account.status !== 'ACTIVE') continue;
    const readyAt = account.roles.get(CONTROL_TOWER_ROLE);
    if (readyAt === undefined || readyAt > atMs) continue;
    touched += 1;
    world.publishRepeated(
      managedAccountEvent({
        managementAccountId: world.managementAccountId,
        homeRegion: world.controlTowerHomeRegion,
        eventName: 'UpdateManagedAccount',
        accountName: account.name,
        accountId: account.accountId,
        organizationalUnitName: account.organizationalUnit,
        organizationalUnitId: world.org.ouId(account.organizationalUnit),
        state: 'SUCCEEDED',
        message: 'AWS Control Tower successfully updated a managed account.',
        requestedMs: atMs,
        completedMs: atMs,
      }),
      deliveries,
    );
  }
  return touched;
}

/** Organizations CreateAccount from the API. */
export function createAccount(
  world: VendWorld,
  input: { email: string; accountName: string; roleName: string },
): string {
  const now = world.clock.nowMs();
  const completesAtMs = now + world.scenario.organizations.createAccountSeconds * 1000;
  const emailTaken = world.org.emailInUse(input.email);
  const accountId = emailTaken ? undefined : world.org.newAccountId();
  const request = {
    id: world.org.newRequestId(),
    accountName: input.accountName,
    email: input.email,
    requestedMs: now,
    completesAtMs,
    outcome: emailTaken ? ('FAILED' as const) : ('SUCCEEDED' as const),
    ...(accountId ? { accountId } : { failureReason: 'EMAIL_ALREADY_EXISTS' }),
  };
  world.org.addRequest(request);
  if (accountId) {
    world.org.add({
      accountId,
      name: input.accountName,
      email: input.email,
      status: 'ACTIVE',
      joinedMethod: 'CREATED',
      organizationalUnit: 'Root',
      isManagement: false,
      existsFromMs: undefined,
      joinedMs: undefined,
      roles: new Map([[input.roleName, Number.POSITIVE_INFINITY]]),
      origin: 'api',
    });
  }
  world.scheduler.at(world.clock.secondsAt(completesAtMs), () => {
    const record = accountId ? world.org.record(accountId) : undefined;
    if (record) {
      record.existsFromMs = completesAtMs;
      record.joinedMs = completesAtMs;
      world.org.addRole(
        record.accountId,
        input.roleName,
        completesAtMs + world.scenario.organizations.roleReadySeconds * 1000,
      );
    }
    world.bus.publish(
      createAccountResultEvent({
        managementAccountId: world.managementAccountId,
        requestId: request.id,
        accountName: input.accountName,
        state: request.outcome,
        ...(accountId ? { accountId } : { failureReason: 'EMAIL_ALREADY_EXISTS' }),
        requestedMs: now,
        completedMs: completesAtMs,
      }),
    );
    if (record) joined(world, record, completesAtMs, 1);
  });
  return request.id;
}

export function seedDocuments(documents: DocumentStore, account: ScenarioAccount): void {
  for (const [region, content] of Object.entries(account.documents)) {
    const text = typeof content === 'string' ? content : JSON.stringify(content, null, 2);
    let format: 'JSON' | 'YAML' = 'JSON';
    if (typeof content === 'string') {
      try {
        JSON.parse(content);
      } catch {
        format = 'YAML';
      }
    }
    documents.create({
      accountId: account.accountId,
      region,
      name: PREFERENCES_DOCUMENT,
      content: text,
      documentType: 'Session',
      documentFormat: format,
      writer: 'scenario',
      trusted: true,
    });
  }
}

/** controltower vends: account creation to CreateManagedAccount when `enrollSeconds` is absent. */
const DEFAULT_ENROLL_SECONDS = 900;

export function defaultRoles(account: ScenarioAccount, scenario: Scenario): Record<string, number> {
  const via = account.vend?.via ?? 'none';
  if (via === 'organizations')
    return { OrganizationAccountAccessRole: scenario.organizations.roleReadySeconds };
  if (via === 'controltower')
    return { [CONTROL_TOWER_ROLE]: account.vend?.enrollSeconds ?? DEFAULT_ENROLL_SECONDS };
  // An invited account has no role of the organization's until someone creates one.
  if (via === 'invited') return {};
  return { [CONTROL_TOWER_ROLE]: 0, OrganizationAccountAccessRole: 0 };
}
