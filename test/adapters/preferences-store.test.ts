import {
  CreateDocumentCommand,
  DeleteDocumentCommand,
  DescribeDocumentCommand,
  GetDocumentCommand,
  ListDocumentVersionsCommand,
  SSMClient,
  UpdateDocumentCommand,
  UpdateDocumentDefaultVersionCommand,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { PreferencesStore } from '#adapters/preferences-store.ts';
import { sessionDocument } from '#core/document/preferences.ts';

const ssm = mockClient(SSMClient);
const runAs = { enabled: true, defaultUser: 'ec2-user' };
const REGION = 'us-east-1';

// LZA's shape (docs/aws-behaviour.md#what-lza-writes-into-the-document): only the keys LZA writes, and one it may add in a later release.
const lza = sessionDocument({
  s3BucketName: 'central-logs',
  cloudWatchLogGroupName: 'sessions',
  s3EncryptionEnabled: true,
  cloudWatchEncryptionEnabled: true,
  cloudWatchStreamingEnabled: true,
  runAsEnabled: false,
  runAsDefaultUser: '',
  futureKey: { anything: ['kept'] },
});
const compliant = { ...lza, inputs: { ...lza.inputs, runAsEnabled: true, runAsDefaultUser: 'ec2-user' } };

function sdkError(name: string, status = 400) {
  return Object.assign(new Error(`${name} happened`), {
    name,
    $metadata: { httpStatusCode: status },
    $fault: status >= 500 ? 'server' : 'client',
  });
}

function store(pruning?: { enabled: boolean; keepNewest: number; deleteCount: number }) {
  return new PreferencesStore(new SSMClient({ region: REGION, maxAttempts: 1 }), REGION, {
    sleep: async () => {},
    activeWait: { attempts: 3, delayMs: 1 },
    ...(pruning ? { pruning } : {}),
  });
}

/** $LATEST and $DEFAULT as separate versions, each with its own content and status. */
function versions(
  latest: { content: unknown; version: string; status?: string },
  byDefault: { content: unknown; version: string; status?: string },
) {
  const text = (c: unknown) => (typeof c === 'string' ? c : JSON.stringify(c));
  ssm
    .on(GetDocumentCommand, { DocumentVersion: '$LATEST' })
    .resolves({
      Content: text(latest.content),
      DocumentVersion: latest.version,
      Status: (latest.status ?? 'Active') as never,
    })
    .on(GetDocumentCommand, { DocumentVersion: '$DEFAULT' })
    .resolves({
      Content: text(byDefault.content),
      DocumentVersion: byDefault.version,
      Status: (byDefault.status ?? 'Active') as never,
    });
  ssm.on(DescribeDocumentCommand).resolves({
    Document: { Status: 'Active', LatestVersion: latest.version, DefaultVersion: byDefault.version },
  });
}

function existing(content: unknown, version = '3', defaultVersion = version) {
  ssm.on(GetDocumentCommand).resolves({
    Content: typeof content === 'string' ? content : JSON.stringify(content),
    DocumentVersion: version,
    Status: 'Active',
  });
  ssm.on(DescribeDocumentCommand).resolves({
    Document: { Status: 'Active', LatestVersion: version, DefaultVersion: defaultVersion },
  });
}

function expectNoWrites() {
  expect(ssm).toHaveReceivedCommandTimes(CreateDocumentCommand, 0);
  expect(ssm).toHaveReceivedCommandTimes(UpdateDocumentCommand, 0);
  expect(ssm).toHaveReceivedCommandTimes(UpdateDocumentDefaultVersionCommand, 0);
  expect(ssm).toHaveReceivedCommandTimes(DeleteDocumentCommand, 0);
}

describe('PreferencesStore.apply', () => {
  beforeEach(() => {
    ssm.reset();
  });

  it('creates a complete document when none exists', async () => {
    // Prepare
    ssm.on(GetDocumentCommand).rejects(sdkError('InvalidDocument'));
    ssm
      .on(CreateDocumentCommand)
      .resolves({ DocumentDescription: { LatestVersion: '1', Status: 'Creating' } });
    ssm
      .on(DescribeDocumentCommand)
      .resolves({ Document: { Status: 'Active', LatestVersion: '1', DefaultVersion: '1' } });
    // Act
    const outcome = await store().apply(runAs);
    // Assess
    expect(outcome).toEqual({
      region: REGION,
      action: 'created',
      versionAfter: '1',
      promoted: false,
    });
    const input = ssm.commandCalls(CreateDocumentCommand)[0]!.args[0].input;
    expect(input).toMatchObject({
      Name: 'SSM-SessionManagerRunShell',
      DocumentType: 'Session',
      DocumentFormat: 'JSON',
    });
    expect(JSON.parse(input.Content!).inputs).toMatchObject({
      runAsEnabled: true,
      runAsDefaultUser: 'ec2-user',
      idleSessionTimeout: '20',
    });
  });

  it('re-reads and merges when it loses a creation race', async () => {
    // Prepare
    ssm
      .on(GetDocumentCommand)
      .rejectsOnce(sdkError('InvalidDocument'))
      .resolves({ Content: JSON.stringify(lza), DocumentVersion: '1', Status: 'Active' });
    ssm.on(CreateDocumentCommand).rejects(sdkError('DocumentAlreadyExists'));
    ssm
      .on(UpdateDocumentCommand)
      .resolves({ DocumentDescription: { DocumentVersion: '2', LatestVersion: '2' } });
    ssm
      .on(DescribeDocumentCommand)
      .resolves({ Document: { Status: 'Active', LatestVersion: '2', DefaultVersion: '2' } });
    // Act
    const outcome = await store().apply(runAs);
    // Assess
    expect(outcome).toMatchObject({ action: 'updated', versionBefore: '1', versionAfter: '2' });
    const written = JSON.parse(ssm.commandCalls(UpdateDocumentCommand)[0]!.args[0].input.Content!);
    expect(written.inputs.s3BucketName).toBe('central-logs');
  });

  it('merges into an existing document, writes by version number, promotes and waits for Active', async () => {
    // Prepare
    existing(lza, '3');
    ssm
      .on(UpdateDocumentCommand)
      .resolves({ DocumentDescription: { DocumentVersion: '4', LatestVersion: '4' } });
    ssm
      .on(DescribeDocumentCommand, { DocumentVersion: '4' })
      .resolvesOnce({ Document: { Status: 'Updating', LatestVersion: '4', DefaultVersion: '3' } })
      .resolves({ Document: { Status: 'Active', LatestVersion: '4', DefaultVersion: '3' } });
    // Act
    const outcome = await store().apply(runAs);
    // Assess
    expect(outcome).toEqual({
      region: REGION,
      action: 'updated',
      versionBefore: '3',
      versionAfter: '4',
      promoted: true,
    });
    const update = ssm.commandCalls(UpdateDocumentCommand)[0]!.args[0].input;
    expect(update.DocumentVersion).toBe('3');
    expect(JSON.parse(update.Content!)).toEqual(compliant);
    expect(ssm).toHaveReceivedCommandWith(UpdateDocumentDefaultVersionCommand, { DocumentVersion: '4' });
    // One for the stored format of version 3 before writing, two while version 4 settles.
    expect(ssm).toHaveReceivedCommandTimes(DescribeDocumentCommand, 3);
    // Promoted only after the version was seen Active.
    const order = ssm.calls().map((call) => (call.args[0] as object).constructor.name);
    expect(order.lastIndexOf('DescribeDocumentCommand')).toBeLessThan(
      order.indexOf('UpdateDocumentDefaultVersionCommand'),
    );
  });

  it('does not promote again a version that a duplicate execution already made the default', async () => {
    // Prepare
    existing(lza, '3');
    ssm.on(UpdateDocumentCommand).resolves({ DocumentDescription: { DocumentVersion: '4' } });
    ssm
      .on(DescribeDocumentCommand)
      .resolves({ Document: { Status: 'Active', LatestVersion: '4', DefaultVersion: '4' } });
    // Act
    const outcome = await store().apply(runAs);
    // Assess
    expect(outcome).toMatchObject({ action: 'updated', versionAfter: '4', promoted: true });
    expect(ssm).toHaveReceivedCommandTimes(UpdateDocumentDefaultVersionCommand, 0);
  });

  it('makes no write when the document is already compliant', async () => {
    // Prepare
    existing(compliant, '7');
    // Act
    const outcome = await store().apply(runAs);
    // Assess
    expect(outcome).toMatchObject({
      action: 'unchanged',
      versionBefore: '7',
      versionAfter: '7',
      promoted: false,
    });
    expectNoWrites();
  });

  it('promotes a compliant latest version when the default is not compliant', async () => {
    // Prepare
    versions({ content: compliant, version: '7' }, { content: lza, version: '6' });
    // Act
    const outcome = await store().apply(runAs);
    // Assess
    expect(outcome).toMatchObject({ action: 'unchanged', promoted: true });
    expect(ssm).toHaveReceivedCommandWith(UpdateDocumentDefaultVersionCommand, { DocumentVersion: '7' });
    expect(ssm).toHaveReceivedCommandTimes(UpdateDocumentCommand, 0);
  });

  it('promotes a compliant latest (e.g. LZA’s newest version) over an older compliant default, writing no version', async () => {
    // Prepare
    versions({ content: compliant, version: '7' }, { content: compliant, version: '6' });
    // Act
    const outcome = await store().apply(runAs);
    // Assess
    expect(outcome).toMatchObject({ action: 'unchanged', promoted: true });
    expect(ssm).toHaveReceivedCommandWith(UpdateDocumentDefaultVersionCommand, { DocumentVersion: '7' });
    expect(ssm).toHaveReceivedCommandTimes(UpdateDocumentCommand, 0);
  });

  it('repairs a Failed latest with a new version from the default, and never promotes the Failed one', async () => {
    // Prepare
    versions({ content: compliant, version: '5', status: 'Failed' }, { content: lza, version: '4' });
    ssm.on(UpdateDocumentCommand).resolves({ DocumentDescription: { DocumentVersion: '6' } });
    // Act
    const outcome = await store().apply(runAs);
    // Assess
    expect(outcome).toMatchObject({
      action: 'updated',
      versionBefore: '5',
      versionAfter: '6',
      repairedFrom: '4',
    });
    const written = JSON.parse(ssm.commandCalls(UpdateDocumentCommand)[0]?.args[0].input.Content as string);
    expect(written).toEqual(compliant);
    expect(ssm).toHaveReceivedCommandWith(UpdateDocumentCommand, { DocumentVersion: '5' });
    const promoted = ssm
      .commandCalls(UpdateDocumentDefaultVersionCommand)
      .map((c) => c.args[0].input.DocumentVersion);
    expect(promoted).toEqual(['6']);
  });

  it('rebuilds a document created Failed from its own content, re-spelled so SSM takes it as new', async () => {
    // Prepare: version 1 (the default, the only version) ended Failed; nothing was ever accepted.
    const pretty = JSON.stringify(compliant, null, 2);
    versions(
      { content: pretty, version: '1', status: 'Failed' },
      { content: pretty, version: '1', status: 'Failed' },
    );
    ssm.on(UpdateDocumentCommand).resolves({ DocumentDescription: { DocumentVersion: '2' } });
    // Act
    const outcome = await store().apply(runAs);
    // Assess
    expect(outcome).toMatchObject({
      action: 'updated',
      versionBefore: '1',
      versionAfter: '2',
      repairedFrom: '1',
    });
    const written = ssm.commandCalls(UpdateDocumentCommand)[0]?.args[0].input;
    expect(written?.Content).not.toBe(pretty);
    expect(JSON.parse(written?.Content as string)).toEqual(compliant);
    expect(written).toMatchObject({ DocumentVersion: '1', DocumentFormat: 'JSON' });
    const promoted = ssm
      .commandCalls(UpdateDocumentDefaultVersionCommand)
      .map((c) => c.args[0].input.DocumentVersion);
    expect(promoted).toEqual(['2']);
  });

  it('names a document created Failed whose content is not JSON (DocumentVersionFailedError)', async () => {
    // Prepare
    const yaml =
      'schemaVersion: "1.0"\nsessionType: Standard_Stream\ninputs:\n  runAsEnabled: true\n  runAsDefaultUser: ec2-user\n';
    versions(
      { content: yaml, version: '1', status: 'Failed' },
      { content: yaml, version: '1', status: 'Failed' },
    );
    // Act
    const attempt = store().apply(runAs);
    // Assess
    await expect(attempt).rejects.toMatchObject({ name: 'DocumentVersionFailedError', retryable: false });
    expectNoWrites();
  });

  it('treats DuplicateDocumentContent as unchanged', async () => {
    // Prepare
    existing(lza, '3');
    ssm.on(UpdateDocumentCommand).rejects(sdkError('DuplicateDocumentContent'));
    // Act
    const outcome = await store().apply(runAs);
    // Assess
    expect(outcome).toMatchObject({ action: 'unchanged', promoted: false });
  });

  it('refuses a foreign document and writes nothing', async () => {
    // Prepare
    existing({ schemaVersion: '1.0', sessionType: 'Port', inputs: {} }, '2');
    // Act
    const attempt = store().apply(runAs);
    // Assess: a refusal is thrown from the store outward, never returned as an outcome.
    await expect(attempt).rejects.toMatchObject({
      name: 'PreferencesDocumentInvalidError',
      retryable: false,
      message: expect.stringMatching(
        /^refused to change SSM-SessionManagerRunShell in us-east-1: .*sessionType/,
      ),
    });
    expectNoWrites();
  });

  it('refuses content that is neither JSON nor YAML and writes nothing', async () => {
    // Prepare
    existing('schemaVersion: "1.0"\n  - [', '1');
    // Act
    const attempt = store().apply(runAs);
    // Assess
    await expect(attempt).rejects.toMatchObject({
      name: 'PreferencesDocumentInvalidError',
      message: expect.stringMatching(/neither JSON .* nor YAML/),
    });
    expectNoWrites();
  });

  it('reads the version again as YAML when GetDocument gave JSON but the version is stored as YAML', async () => {
    // Prepare: as if GetDocument without DocumentFormat had converted a YAML document to JSON.
    const yaml = 'schemaVersion: "1.0"\nsessionType: Standard_Stream\ninputs:\n  runAsEnabled: false # off\n';
    ssm
      .on(GetDocumentCommand, { DocumentVersion: '$LATEST' })
      .resolves({
        Content: JSON.stringify({
          schemaVersion: '1.0',
          sessionType: 'Standard_Stream',
          inputs: { runAsEnabled: false },
        }),
        DocumentVersion: '2',
        Status: 'Active',
        DocumentFormat: 'JSON',
      })
      .on(GetDocumentCommand, { DocumentVersion: '2', DocumentFormat: 'YAML' })
      .resolves({ Content: yaml, DocumentVersion: '2', Status: 'Active', DocumentFormat: 'YAML' });
    ssm.on(DescribeDocumentCommand).resolves({
      Document: { Status: 'Active', LatestVersion: '2', DefaultVersion: '2', DocumentFormat: 'YAML' },
    });
    ssm.on(UpdateDocumentCommand).resolves({ DocumentDescription: { DocumentVersion: '3' } });
    // Act
    await store().apply(runAs);
    // Assess
    expect(ssm).toHaveReceivedCommandWith(UpdateDocumentCommand, {
      DocumentFormat: 'YAML',
      Content: yaml.replace(
        'runAsEnabled: false # off',
        'runAsEnabled: true # off\n  runAsDefaultUser: ec2-user',
      ),
    });
  });

  it('merges into a YAML document and writes it back as YAML', async () => {
    // Prepare
    const yaml =
      'schemaVersion: "1.0"\nsessionType: Standard_Stream\ninputs:\n  idleSessionTimeout: "20" # minutes\n  runAsEnabled: false\n';
    ssm
      .on(GetDocumentCommand)
      .resolves({ Content: yaml, DocumentVersion: '2', Status: 'Active', DocumentFormat: 'YAML' });
    ssm
      .on(DescribeDocumentCommand)
      .resolves({ Document: { Status: 'Active', LatestVersion: '2', DefaultVersion: '2' } });
    ssm.on(UpdateDocumentCommand).resolves({ DocumentDescription: { DocumentVersion: '3' } });
    // Act
    const outcome = await store().apply(runAs);
    // Assess
    expect(outcome).toMatchObject({ action: 'updated', versionAfter: '3' });
    expect(ssm).toHaveReceivedCommandWith(UpdateDocumentCommand, {
      DocumentFormat: 'YAML',
      Content:
        'schemaVersion: "1.0"\nsessionType: Standard_Stream\ninputs:\n  idleSessionTimeout: "20" # minutes\n  runAsEnabled: true\n  runAsDefaultUser: ec2-user\n',
    });
  });

  it.each(['Creating', 'Updating'])('calls a document in status %s busy', async (status) => {
    // Prepare
    ssm
      .on(GetDocumentCommand)
      .resolves({ Content: JSON.stringify(lza), DocumentVersion: '1', Status: status as never });
    // Act
    const attempt = store().apply(runAs);
    // Assess
    await expect(attempt).rejects.toMatchObject({ name: 'DocumentBusyError', retryable: true });
    expectNoWrites();
  });

  it('maps a concurrent newer version (InvalidDocumentVersion) to DocumentBusyError', async () => {
    // Prepare
    existing(lza, '3');
    ssm.on(UpdateDocumentCommand).rejects(sdkError('InvalidDocumentVersion'));
    // Act
    const attempt = store().apply(runAs);
    // Assess
    await expect(attempt).rejects.toMatchObject({ name: 'DocumentBusyError' });
    expect(ssm).toHaveReceivedCommandTimes(UpdateDocumentDefaultVersionCommand, 0);
  });

  it('maps TooManyUpdates to DocumentBusyError', async () => {
    // Prepare
    existing(lza, '3');
    ssm.on(UpdateDocumentCommand).rejects(sdkError('TooManyUpdates'));
    // Act
    const attempt = store().apply(runAs);
    // Assess
    await expect(attempt).rejects.toMatchObject({ name: 'DocumentBusyError' });
  });

  it('maps throttling to ThrottlingError and server faults to AwsTransientError', async () => {
    // Prepare
    ssm
      .on(GetDocumentCommand)
      .rejectsOnce(Object.assign(sdkError('ThrottlingException'), { $retryable: { throttling: true } }))
      .rejects(sdkError('InternalServerError', 500));
    // Act
    const first = store().apply(runAs);
    await expect(first).rejects.toMatchObject({ name: 'ThrottlingError' });
    const second = store().apply(runAs);
    // Assess
    await expect(second).rejects.toMatchObject({ name: 'AwsTransientError', retryable: true });
  });

  it('prunes the oldest versions that are neither the default nor among the newest N, then retries once', async () => {
    // Prepare
    existing(lza, '5', '2');
    ssm
      .on(UpdateDocumentCommand)
      .rejectsOnce(sdkError('DocumentVersionLimitExceeded'))
      .resolves({ DocumentDescription: { DocumentVersion: '6' } });
    ssm
      .on(ListDocumentVersionsCommand)
      .resolvesOnce({
        DocumentVersions: [
          { DocumentVersion: '1' },
          { DocumentVersion: '2', IsDefaultVersion: true },
          { DocumentVersion: '3' },
        ],
        NextToken: 'p2',
      })
      .resolves({ DocumentVersions: [{ DocumentVersion: '4' }, { DocumentVersion: '5' }] });
    ssm.on(DeleteDocumentCommand).resolves({});
    // Act
    const outcome = await store({ enabled: true, keepNewest: 2, deleteCount: 10 }).apply(runAs);
    // Assess
    expect(outcome).toMatchObject({ action: 'updated', versionAfter: '6', pruned: ['1', '3'] });
    const deleted = ssm.commandCalls(DeleteDocumentCommand).map((c) => c.args[0].input.DocumentVersion);
    expect(deleted).toEqual(['1', '3']);
    expect(ssm).toHaveReceivedCommandTimes(UpdateDocumentCommand, 2);
  });

  it('names the limit when nothing may be pruned: only the default and the newest N exist', async () => {
    // Prepare
    existing(lza, '2', '1');
    ssm.on(UpdateDocumentCommand).rejects(sdkError('DocumentVersionLimitExceeded'));
    ssm.on(ListDocumentVersionsCommand).resolves({
      DocumentVersions: [{ DocumentVersion: '1', IsDefaultVersion: true }, { DocumentVersion: '2' }],
    });
    // Act
    const attempt = store({ enabled: true, keepNewest: 1, deleteCount: 10 }).apply(runAs);
    // Assess
    await expect(attempt).rejects.toMatchObject({ name: 'DocumentVersionLimitError', retryable: false });
    expect(ssm).toHaveReceivedCommandTimes(UpdateDocumentCommand, 1);
    expect(ssm).toHaveReceivedCommandTimes(DeleteDocumentCommand, 0);
  });

  it('with pruning off, turns the limit into DocumentVersionLimitError and deletes nothing', async () => {
    // Prepare
    existing(lza, '1000', '1');
    ssm.on(UpdateDocumentCommand).rejects(sdkError('DocumentVersionLimitExceeded'));
    // Act
    const attempt = store({ enabled: false, keepNewest: 20, deleteCount: 10 }).apply(runAs);
    // Assess
    await expect(attempt).rejects.toMatchObject({
      name: 'DocumentVersionLimitError',
      message: expect.stringMatching(/documentVersionPruning is off/),
    });
    expect(ssm).toHaveReceivedCommandTimes(ListDocumentVersionsCommand, 0);
    expect(ssm).toHaveReceivedCommandTimes(DeleteDocumentCommand, 0);
  });

  it('calls the document busy when it does not become Active in time', async () => {
    // Prepare
    existing(lza, '3');
    ssm.on(UpdateDocumentCommand).resolves({ DocumentDescription: { DocumentVersion: '4' } });
    ssm.on(DescribeDocumentCommand, { DocumentVersion: '4' }).resolves({ Document: { Status: 'Updating' } });
    // Act
    const attempt = store().apply(runAs);
    // Assess
    await expect(attempt).rejects.toMatchObject({
      name: 'DocumentBusyError',
      message: expect.stringMatching(/Active in time/),
    });
    expect(ssm).toHaveReceivedCommandWith(DescribeDocumentCommand, { DocumentVersion: '3' });
    expect(ssm.commandCalls(DescribeDocumentCommand, { DocumentVersion: '4' })).toHaveLength(3);
  });

  it('waits for Active before promoting, and never promotes a version that ends Failed', async () => {
    // Prepare
    existing(lza, '3');
    ssm.on(UpdateDocumentCommand).resolves({ DocumentDescription: { DocumentVersion: '4' } });
    ssm.on(DescribeDocumentCommand).resolves({ Document: { Status: 'Failed' } });
    // Act
    const attempt = store().apply(runAs);
    // Assess
    await expect(attempt).rejects.toMatchObject({
      name: 'DocumentVersionFailedError',
      message: expect.stringMatching(/version 4 went to status Failed; it was not made the default/),
    });
    expect(ssm).toHaveReceivedCommandWith(DescribeDocumentCommand, { DocumentVersion: '4' });
    expect(ssm).toHaveReceivedCommandTimes(UpdateDocumentDefaultVersionCommand, 0);
  });
});

describe('PreferencesStore.readRunAs', () => {
  beforeEach(() => {
    ssm.reset();
  });

  it('reports a missing document', async () => {
    // Prepare
    ssm.on(GetDocumentCommand).rejects(sdkError('InvalidDocument'));
    // Act
    const readout = await store().readRunAs(runAs);
    // Assess
    expect(readout).toEqual({ region: REGION, exists: false });
  });

  it('reads latest and default separately', async () => {
    // Prepare
    ssm
      .on(GetDocumentCommand, { DocumentVersion: '$LATEST' })
      .resolves({ Content: JSON.stringify(compliant), DocumentVersion: '4', Status: 'Active' })
      .on(GetDocumentCommand, { DocumentVersion: '$DEFAULT' })
      .resolves({ Content: JSON.stringify(lza), DocumentVersion: '3', Status: 'Active' });
    // Act
    const readout = await store().readRunAs(runAs);
    // Assess
    expect(readout.latest).toMatchObject({
      version: '4',
      valid: true,
      runAsDefaultUser: 'ec2-user',
    });
    expect(readout.default).toMatchObject({
      version: '3',
      valid: true,
      compliant: false,
      runAsEnabled: false,
    });
    expectNoWrites();
  });

  it('reports invalid content with its reason instead of throwing', async () => {
    // Prepare
    ssm.on(GetDocumentCommand).resolves({ Content: 'not json', DocumentVersion: '1', Status: 'Active' });
    // Act
    const readout = await store().readRunAs(runAs);
    // Assess
    expect(readout.latest).toMatchObject({
      valid: false,
      compliant: false,
      content: 'not json',
      invalidReason: expect.stringMatching(/not JSON .*not a mapping/),
    });
  });
});

describe('PreferencesStore.verify', () => {
  const ACCOUNT = '111122223333';
  const accountStore = () =>
    new PreferencesStore(new SSMClient({ region: REGION, maxAttempts: 1 }), REGION, { accountId: ACCOUNT });

  beforeEach(() => {
    ssm.reset();
  });

  it('returns both versions when RunAs is in effect in each', async () => {
    // Prepare
    versions({ content: compliant, version: '4' }, { content: compliant, version: '3' });
    // Act
    const verified = await accountStore().verify(runAs);
    // Assess
    expect(verified).toEqual({ latestVersion: '4', defaultVersion: '3' });
    expectNoWrites();
  });

  it('refuses a foreign document by throwing, naming the account and region', async () => {
    // Prepare
    existing({ schemaVersion: '1.0', sessionType: 'Port', inputs: {} }, '2');
    // Act
    const attempt = accountStore().verify(runAs);
    // Assess
    await expect(attempt).rejects.toMatchObject({
      name: 'PreferencesDocumentInvalidError',
      message: expect.stringMatching(new RegExp(`^version 2 in ${ACCOUNT}/${REGION}: .*sessionType`)),
    });
  });

  it('calls a changing version busy and anything else not in effect', async () => {
    // Prepare + Act + Assess: busy, then drifted.
    versions({ content: compliant, version: '4', status: 'Updating' }, { content: compliant, version: '3' });
    await expect(accountStore().verify(runAs)).rejects.toMatchObject({ name: 'DocumentBusyError' });
    ssm.reset();
    existing(lza, '5');
    await expect(accountStore().verify(runAs)).rejects.toMatchObject({
      name: 'VerificationFailedError',
      message: expect.stringMatching(
        new RegExp(`^RunAs not in effect in ${ACCOUNT}/${REGION} \\(drifted\\)`),
      ),
    });
  });
});
