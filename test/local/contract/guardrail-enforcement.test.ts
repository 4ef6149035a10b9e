import { CreateDocumentCommand, SSMClient, UpdateDocumentCommand } from '@aws-sdk/client-ssm';
import { type LocalCloud, startLocalCloud } from '@runas-bootstrapper/local-cloud';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '#core/config/config.ts';
import { BOOTSTRAP_STATE_MACHINE } from '#core/shared/names.ts';
import { REPLAY_DETAIL_TYPE, REPLAY_SOURCE } from '#core/vend/rules.ts';
import { pipelineDefaultsFor } from '#local/runtime/deployment.ts';
import { LocalRuntime } from '#local/runtime/runtime.ts';
import { onVirtualTime } from '#test/virtual-clock.ts';

const MANAGEMENT = '999999999999';
const MEMBER = '444444444444';
let cloud: LocalCloud | undefined;
let runtime: LocalRuntime | undefined;

onVirtualTime();

afterEach(async () => {
  runtime?.stop();
  await runtime?.whenIdle();
  await cloud?.close();
  cloud = undefined;
  runtime = undefined;
});

async function guarded(enabled: boolean) {
  const config = parseConfig({
    runAsDefaultUser: 'ec2-user',
    governedRegions: ['eu-west-1'],
    managementAccountId: MANAGEMENT,
    homeRegion: 'us-east-1',
    guardrail: { scp: { enabled, targetIds: ['r-ab12'] } },
  });
  cloud = await startLocalCloud({
    port: 0,
    pipelineDefaults: pipelineDefaultsFor(config),
    scenario: {
      managementAccountId: MANAGEMENT,
      homeRegion: 'us-east-1',
      accounts: [{ accountId: MEMBER, name: 'member', vend: { atSeconds: 0, via: 'none' } }],
      // An administrator of the member account, acting as itself (not through a member role).
      accessKeys: [
        {
          accessKeyId: 'AKIAMEMBERADMIN00001',
          secretAccessKey: 'secret',
          accountId: MEMBER,
          userName: 'admin',
        },
      ],
    },
  });
  runtime = await LocalRuntime.start({
    host: cloud,
    config,
    managementAccountId: MANAGEMENT,
    homeRegion: 'us-east-1',
  });
  cloud.startTimeline();
  const admin = new SSMClient({
    endpoint: cloud.url,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIAMEMBERADMIN00001', secretAccessKey: 'secret' },
  });
  return { cloud, runtime, admin };
}

const content = JSON.stringify({
  schemaVersion: '1.0',
  description: 'hand edit',
  sessionType: 'Standard_Stream',
  inputs: { runAsEnabled: false, runAsDefaultUser: '' },
});

describe('the SCP guardrail, enforced by the local cloud on member accounts', () => {
  it('lets the bootstrapper write through its member role, and denies the account administrator', async () => {
    // Prepare
    const { runtime, admin, cloud } = await guarded(true);
    // Act
    const record = runtime.startExecution(BOOTSTRAP_STATE_MACHINE, {
      source: REPLAY_SOURCE,
      'detail-type': REPLAY_DETAIL_TYPE,
      account: MANAGEMENT,
      region: 'us-east-1',
      time: new Date().toISOString(),
      detail: { accountId: MEMBER, regions: ['eu-west-1'], reason: 'guardrail test' },
    });
    await record.done;
    const denied = await admin
      .send(
        new UpdateDocumentCommand({
          Name: 'SSM-SessionManagerRunShell',
          Content: content,
          DocumentVersion: '$LATEST',
        }),
      )
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    const other = await admin.send(
      new CreateDocumentCommand({
        Name: 'Other-Session',
        Content: content,
        DocumentType: 'Session',
        DocumentFormat: 'JSON',
      }),
    );
    // Assess
    expect(record.status).toBe('SUCCEEDED');
    expect(cloud.state.document(MEMBER, 'eu-west-1')).toBeDefined();
    expect(denied).toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining('with an explicit deny in a service control policy'),
    });
    expect(other.DocumentDescription?.Name).toBe('Other-Session');
  });

  it('denies nothing when the guardrail is off', async () => {
    // Prepare
    const { admin } = await guarded(false);
    // Act
    const created = await admin.send(
      new CreateDocumentCommand({
        Name: 'SSM-SessionManagerRunShell',
        Content: content,
        DocumentType: 'Session',
        DocumentFormat: 'JSON',
      }),
    );
    // Assess
    expect(created.DocumentDescription?.Name).toBe('SSM-SessionManagerRunShell');
  });
});
