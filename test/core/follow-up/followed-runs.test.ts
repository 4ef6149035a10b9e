import { describe, expect, it } from 'vitest';
import { followedKey, securityResourcesSince, sweepFor } from '#core/follow-up/followed-runs.ts';
import type { RunHistory } from '#core/follow-up/plan.ts';

const run = (executionId: string, actions: RunHistory['actions']): RunHistory => ({
  run: {
    executionId,
    status: 'Succeeded',
    startTime: '2026-12-01T00:00:00.000Z',
    lastUpdateTime: '2026-12-01T02:00:00.000Z',
  },
  actions,
});

describe('the Security_Resources completions a repair sweep follows', () => {
  it('finds each Deploy-stage Security_Resources that succeeded since the window began, once per run and stage', () => {
    // Prepare
    const history = [
      run('new', [
        {
          stageName: 'Bootstrap',
          actionName: 'Security_Resources',
          status: 'Succeeded',
          lastUpdateTime: '2026-12-01T01:00:00.000Z',
        },
        {
          stageName: 'Deploy-us-east-1',
          actionName: 'Security_Resources',
          status: 'Succeeded',
          lastUpdateTime: '2026-12-01T01:10:00.000Z',
        },
        {
          stageName: 'Deploy-eu-west-1',
          actionName: 'Security_Resources',
          status: 'Failed',
          lastUpdateTime: '2026-12-01T01:10:00.000Z',
        },
        {
          stageName: 'Deploy-us-east-1',
          actionName: 'Customizations',
          status: 'Succeeded',
          lastUpdateTime: '2026-12-01T01:20:00.000Z',
        },
      ]),
      run('old', [
        {
          stageName: 'Deploy',
          actionName: 'Security_Resources',
          status: 'Succeeded',
          lastUpdateTime: '2026-11-30T01:00:00.000Z',
        },
      ]),
    ];
    // Act
    const found = securityResourcesSince(history, '2026-12-01T00:00:00.000Z');
    // Assess
    expect(found).toEqual([{ pipelineExecutionId: 'new', stage: 'Deploy-us-east-1' }]);
  });

  it('sweeps the regions the stages cover, and nothing for a stage outside the governed regions', () => {
    // Act
    const both = sweepFor([{ pipelineExecutionId: 'r', stage: 'Deploy' }], ['us-east-1', 'eu-west-1']);
    const outside = sweepFor([{ pipelineExecutionId: 'r', stage: 'Deploy-ap-south-1' }], ['us-east-1']);
    // Assess
    expect(both).toEqual({
      sweep: { repair: true, regions: ['us-east-1', 'eu-west-1'] },
      followed: [{ pipelineExecutionId: 'r', stage: 'Deploy' }],
    });
    expect(outside).toEqual({ followed: [] });
  });

  it('keys a marker below any ISO time, so no vend read by join time meets it', () => {
    const key = followedKey({ pipelineExecutionId: 'r', stage: 'Deploy' });
    expect(key.accountId).toBe('lza-run/r');
    expect(key.joinedAt < '1970-01-01T00:00:00.000Z').toBe(true);
  });
});
