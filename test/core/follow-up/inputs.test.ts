import { describe, expect, it } from 'vitest';
import { followUpPlanOptions, withEventActions } from '#core/follow-up/follow-up.ts';
import type { RunHistory } from '#core/follow-up/plan.ts';
import type { PipelineActionEvent } from '#core/vend/ledger.ts';

const event: PipelineActionEvent = {
  pipeline: 'AWSAccelerator-Pipeline',
  executionId: 'run-2',
  stage: 'Deploy',
  action: 'Customizations',
  state: 'SUCCEEDED',
  time: '2026-11-30T12:00:00.000Z',
};
const run = (executionId: string) => ({
  executionId,
  status: 'InProgress',
  startTime: '2026-11-30T10:00:00.000Z',
  lastUpdateTime: '2026-11-30T11:00:00.000Z',
});

describe('withEventActions', () => {
  it('adds the event’s action to its own run only, keeping every run and its order', () => {
    // Prepare
    const history: RunHistory[] = [
      { run: run('run-1'), actions: [] },
      {
        run: run('run-2'),
        actions: [{ stageName: 'Deploy', actionName: 'Security_Resources', status: 'Succeeded' }],
      },
    ];
    // Act
    const merged = withEventActions(history, event);
    // Assess
    expect(merged?.map((h) => h.run.executionId)).toEqual(['run-1', 'run-2']);
    expect(merged?.[0]?.actions).toEqual([]);
    expect(merged?.[1]?.actions.map((a) => a.actionName)).toEqual(['Security_Resources', 'Customizations']);
    expect(history[1]?.actions).toHaveLength(1);
  });

  it('keeps a missing pipeline missing and a reconcile (no event) as read', () => {
    // Prepare
    const history: RunHistory[] = [{ run: run('run-2'), actions: [] }];
    // Act / Assess
    expect(withEventActions(undefined, event)).toBeUndefined();
    expect(withEventActions(history, undefined)).toEqual(history);
  });
});

describe('followUpPlanOptions', () => {
  it('takes the await timeout, LZA version and governed regions from the config', () => {
    // Prepare
    const config = {
      lza: { awaitTimeoutHours: 6, version: '1.13.1', measureGap: 'auto' as const, pipelineName: 'P' },
      governedRegions: ['us-east-1', 'eu-west-1'],
    };
    // Act
    const options = followUpPlanOptions(config, 1_000);
    // Assess
    expect(options).toEqual({
      awaitTimeoutHours: 6,
      nowMs: 1_000,
      measureGap: 'auto',
      pipelineName: 'P',
      lzaVersion: '1.13.1',
      governedRegions: ['us-east-1', 'eu-west-1'],
    });
  });
});
