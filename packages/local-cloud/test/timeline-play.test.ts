import { afterEach, describe, expect, it } from 'vitest';
import { type LocalCloud, startLocalCloud, VirtualTime } from '../src/index.ts';

/** A scenario's `playUntilSeconds` and tasks added to its timeline (deployed schedules). */
describe('playing a timeline until a given second', () => {
  let time: VirtualTime | undefined;
  let cloud: LocalCloud | undefined;
  afterEach(async () => {
    await cloud?.close();
    cloud = undefined;
    await time?.uninstall();
    time = undefined;
  });

  it('keeps the timeline busy until playUntilSeconds and runs added tasks only before it', async () => {
    // Prepare
    time = VirtualTime.install({ startMs: Date.parse('2026-01-01T00:00:00Z') });
    cloud = await startLocalCloud({
      scenario: {
        managementAccountId: '999999999999',
        homeRegion: 'us-east-1',
        timeScale: 1,
        playUntilSeconds: 7_200,
      },
    });
    const ran: string[] = [];
    const before = cloud.atTimelineSeconds(0, () => ran.push('early'));
    // Act
    cloud.startTimeline();
    const added = [0, 3_600, 7_200].map((s) =>
      cloud!.atTimelineSeconds(s, () => ran.push(new Date().toISOString())),
    );
    const played = cloud;
    await time.until(() => played.state.pendingTimelineTasks() === 0);
    // Assess
    expect(before).toBe(false);
    expect(added).toEqual([true, true, false]);
    expect(ran).toEqual(['2026-01-01T00:00:00.000Z', '2026-01-01T01:00:00.000Z']);
    expect(new Date().toISOString()).toBe('2026-01-01T02:00:00.000Z');
  });
});
