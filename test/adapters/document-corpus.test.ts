import { readdirSync, readFileSync } from 'node:fs';
import { DeleteDocumentCommand, GetDocumentCommand, SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import type { ScenarioInput } from '@runas-bootstrapper/local-cloud';
import {
  assumeRole,
  baseScenario,
  clientConfig,
  DOC,
  MEMBER,
  startCloud,
} from '@runas-bootstrapper/local-cloud/testing';
import { describe, expect, it } from 'vitest';
import { MemberSessions } from '#adapters/member-session.ts';
import { PreferencesStore } from '#adapters/preferences-store.ts';
import { openPreferencesStore } from '#handlers/shared/preferences-store.ts';

/**
 * Hand-written documents, seeded into the local cloud, merged by the real store through the
 * real SDK, and read back: each must equal its hand-written `.expected` twin byte for byte.
 */

const DIR = 'test/fixtures/documents';
const runAs = { enabled: true, defaultUser: 'ec2-user' };
const corpus = readdirSync(DIR)
  .filter((file) => !file.includes('.expected.'))
  .map((file) => ({
    file,
    format: file.endsWith('.yaml') ? 'YAML' : 'JSON',
    text: readFileSync(`${DIR}/${file}`, 'utf8'),
    expected: readFileSync(`${DIR}/${file.replace(/\.(json|yaml)$/, '.expected.$1')}`, 'utf8'),
  }));

function scenario(
  documents: Record<string, string>,
  extra: Partial<NonNullable<ScenarioInput['accounts']>[number]> = {},
) {
  return baseScenario({
    accounts: [
      { accountId: MEMBER, name: 'member', roles: { OrganizationAccountAccessRole: 0 }, documents, ...extra },
    ],
  });
}

async function storeFor(
  cloud: Awaited<ReturnType<typeof startCloud>>,
  region = 'us-east-1',
  pruning?: object,
) {
  const credentials = await assumeRole(cloud, MEMBER);
  const ssm = new SSMClient(clientConfig(cloud, region, credentials));
  const store = new PreferencesStore(ssm, region, {
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    activeWait: { attempts: 40, delayMs: 25 },
    ...(pruning ? { pruning: pruning as never } : {}),
  });
  return { ssm, store };
}

describe('document corpus round trip through apply', () => {
  it.each(corpus)('$file comes back identical except for the two RunAs values, in its format', async (c) => {
    // Prepare
    const cloud = await startCloud(scenario({ 'us-east-1': c.text }));
    const { ssm, store } = await storeFor(cloud);
    // Act
    const outcome = await store.apply(runAs);
    const latest = await ssm.send(new GetDocumentCommand({ Name: DOC, DocumentVersion: '$LATEST' }));
    const byDefault = await ssm.send(new GetDocumentCommand({ Name: DOC }));
    // Assess
    expect(outcome).toMatchObject({
      action: 'updated',
      versionBefore: '1',
      versionAfter: '2',
      promoted: true,
    });
    expect(latest.Content).toBe(c.expected);
    expect(latest.DocumentFormat).toBe(c.format);
    expect(latest.Status).toBe('Active');
    expect(byDefault.DocumentVersion).toBe('2');
    // Idempotent by content: a second apply writes nothing.
    expect(await store.apply(runAs)).toMatchObject({ action: 'unchanged', versionAfter: '2' });
    expect(cloud.state.document(MEMBER, 'us-east-1')?.versions).toHaveLength(2);
  });
});

describe('Failed versions against the local cloud', () => {
  const seed = corpus.find((c) => c.file === 'quoted.yaml')!;

  it('never promotes a version that ends Failed, then repairs it with a new version from the last good one', async () => {
    // Prepare: someone else's write (version 2) ends Failed.
    const cloud = await startCloud(
      scenario({ 'us-east-1': seed.text }, { failDocumentWrites: { 'us-east-1': 1 } }),
    );
    cloud.writeDocument({
      accountId: MEMBER,
      region: 'us-east-1',
      name: DOC,
      content: seed.text.replace('"120"', '"240"'),
      documentFormat: 'YAML',
      writer: 'someone else',
    });
    const { ssm, store } = await storeFor(cloud);
    // Act
    const before = await store.readRunAs(runAs);
    const outcome = await store.apply(runAs);
    const live = await ssm.send(new GetDocumentCommand({ Name: DOC }));
    // Assess
    expect(before.latest).toMatchObject({ version: '2', status: 'Failed' });
    expect(outcome).toMatchObject({
      action: 'updated',
      versionBefore: '2',
      versionAfter: '3',
      repairedFrom: '1',
    });
    expect(live).toMatchObject({
      DocumentVersion: '3',
      Status: 'Active',
      Content: seed.expected,
      DocumentFormat: 'YAML',
    });
  });

  it('names a write of ours that ends Failed, leaves the default alone, and names the dead end of repeating it', async () => {
    // Prepare: our own first write ends Failed.
    const cloud = await startCloud(
      scenario({ 'us-east-1': seed.text }, { failDocumentWrites: { 'us-east-1': 1 } }),
    );
    const { store } = await storeFor(cloud);
    // Act
    const first = await store.apply(runAs).catch((error: Error) => error);
    const read = await store.readRunAs(runAs);
    const second = await store.apply(runAs).catch((error: Error) => error);
    // Assess
    expect(first).toMatchObject({
      name: 'DocumentVersionFailedError',
      message: expect.stringMatching(/not made the default/),
    });
    expect(read.latest).toMatchObject({ version: '2', status: 'Failed', compliant: true });
    expect(read.default).toMatchObject({ version: '1', compliant: false });
    // SSM refuses content equal to the latest version's, Failed or not: the repair cannot repeat it.
    expect(second).toMatchObject({
      name: 'DocumentVersionFailedError',
      message: expect.stringMatching(/duplicate/),
    });
    expect(cloud.state.document(MEMBER, 'us-east-1')).toMatchObject({
      latestVersion: '2',
      defaultVersion: '1',
    });
  });
});

describe('the version limit against the local cloud', () => {
  it('prunes only versions that are neither the default nor among the newest N, and says which', async () => {
    // Prepare: a 4-version limit, and three versions written by hand (v1 default).
    const json = corpus.find((c) => c.file === 'crlf-numbers.json')!;
    const cloud = await startCloud({ ...scenario({ 'us-east-1': json.text }), documentVersionLimit: 4 });
    for (const n of [2, 3, 4]) {
      cloud.writeDocument({
        accountId: MEMBER,
        region: 'us-east-1',
        name: DOC,
        content: json.text.replace('central-logs', `central-logs-${n}`),
        writer: 'someone else',
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
    const { store } = await storeFor(cloud, 'us-east-1', { enabled: true, keepNewest: 2, deleteCount: 10 });
    // Act
    const outcome = await store.apply(runAs);
    // Assess: v1 is the default and v3, v4 are the newest two: only v2 goes.
    expect(outcome).toMatchObject({
      action: 'updated',
      versionBefore: '4',
      versionAfter: '5',
      pruned: ['2'],
    });
    expect(cloud.state.document(MEMBER, 'us-east-1')?.versions.map((v) => v.version)).toEqual([
      '1',
      '3',
      '4',
      '5',
    ]);
  });

  it('with pruning off, names the limit and the session policy cannot delete a version', async () => {
    // Prepare
    const cloud = await startCloud({
      ...scenario({ 'us-east-1': corpus[0]!.text }),
      documentVersionLimit: 1,
    });
    const sessions = new MemberSessions({
      sts: new STSClient(clientConfig(cloud)),
      region: 'us-east-1',
      roleNames: ['OrganizationAccountAccessRole'],
      endpoint: cloud.url,
      pruneVersions: false,
      SSMClient,
    });
    const session = await sessions.open(MEMBER, 'write');
    const ssm = session.ssm('us-east-1');
    const store = new PreferencesStore(ssm, 'us-east-1', {
      pruning: { enabled: false, keepNewest: 20, deleteCount: 10 },
    });
    // Act
    const attempt = await store.apply(runAs).catch((error: Error) => error);
    const deletion = await ssm
      .send(new DeleteDocumentCommand({ Name: DOC, DocumentVersion: '1' }))
      .catch((error: Error) => error);
    // Assess
    expect(attempt).toMatchObject({ name: 'DocumentVersionLimitError' });
    expect(deletion).toMatchObject({ name: 'AccessDeniedException' });
  });

  it('prunes through a session of its own: the write session cannot delete, and no prune session opens without the limit', async () => {
    // Prepare: a 3-version limit, reached by two versions written by hand (v1 default).
    const json = corpus.find((c) => c.file === 'crlf-numbers.json')!;
    const cloud = await startCloud({ ...scenario({ 'us-east-1': json.text }), documentVersionLimit: 3 });
    for (const n of [2, 3]) {
      cloud.writeDocument({
        accountId: MEMBER,
        region: 'us-east-1',
        name: DOC,
        content: json.text.replace('central-logs', `central-logs-${n}`),
        writer: 'someone else',
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
    const sessions = new MemberSessions({
      sts: new STSClient(clientConfig(cloud)),
      region: 'us-east-1',
      roleNames: ['OrganizationAccountAccessRole'],
      endpoint: cloud.url,
      SSMClient,
    });
    const pruning = { enabled: true, keepNewest: 1, deleteCount: 10 };
    const task = { accountId: MEMBER, region: 'us-east-1' };
    // Act
    const store = await openPreferencesStore(sessions, task, 'write', pruning);
    const callsBeforeLimit = cloud.state.assumeRoleCallsFor(MEMBER);
    const outcome = await store.apply(runAs);
    const writeSession = await sessions.open(MEMBER, 'write');
    const deletion = await writeSession
      .ssm('us-east-1')
      .send(new DeleteDocumentCommand({ Name: DOC, DocumentVersion: '3' }))
      .catch((error: Error) => error);
    // Assess: the limit opened one more session, which deleted v2; the write session may not delete.
    expect(callsBeforeLimit).toBe(1);
    expect(outcome).toMatchObject({ action: 'updated', versionAfter: '4', pruned: ['2'] });
    expect(cloud.state.assumeRoleCallsFor(MEMBER)).toBe(2);
    expect(deletion).toMatchObject({ name: 'AccessDeniedException' });
    expect(cloud.state.document(MEMBER, 'us-east-1')?.versions.map((v) => v.version)).toEqual([
      '1',
      '3',
      '4',
    ]);
  });
});
