import { AsyncLocalStorage } from 'node:async_hooks';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterEach, describe, expect, it } from 'vitest';
import { AWS_LATENCY, LatencyModel, startLocalCloud, VirtualTime } from '../src/index.ts';

describe('virtual time', () => {
  let time: VirtualTime | undefined;
  afterEach(async () => {
    await time?.uninstall();
    time = undefined;
  });

  it('jumps to the next timer when the process is quiet, whatever the wall clock does', async () => {
    // Prepare
    time = VirtualTime.install({ startMs: Date.parse('2026-01-01T00:00:00Z') });
    // Act: an hour of simulated waiting.
    await new Promise((resolve) => setTimeout(resolve, 3_600_000));
    // Assess: the clock moved by the hour in one jump, not by waiting it out (no wall-time bound,
    // which a busy machine could break).
    expect(new Date().toISOString()).toBe('2026-01-01T01:00:00.000Z');
    expect(time.timersFired).toBe(1);
  });

  it('stands still while a request is served, and moves by the modelled latency only', async () => {
    // Prepare: the local cloud with the AWS latency model.
    time = VirtualTime.install({ seed: 1 });
    const cloud = await startLocalCloud({
      scenario: { managementAccountId: '999999999999', homeRegion: 'eu-west-1', latency: { model: 'aws' } },
    });
    const sts = new STSClient(cloud.clientConfig());
    try {
      // Act
      const before = Date.now();
      await sts.send(new GetCallerIdentityCommand({}));
      const took = Date.now() - before;
      // Assess: exactly the model's draw for this call (seed 1, caller, region, resource `*`),
      // not this machine's time to serve it.
      const draw = new LatencyModel(AWS_LATENCY, 1).api('sts:GetCallerIdentity', '999999999999|eu-west-1|*');
      expect(draw).toBeGreaterThan(0);
      expect(took).toBe(draw);
    } finally {
      sts.destroy();
      await cloud.close();
    }
  });

  it('fires every timer due at one instant in one jump, in the order they were set', async () => {
    // Prepare
    time = VirtualTime.install({ startMs: Date.parse('2026-01-01T00:00:00Z') });
    const fired: string[] = [];
    const at = (label: string) => () => fired.push(`${label}@${new Date().toISOString().slice(17)}`);
    setTimeout(at('c'), 2000);
    setTimeout(at('a'), 1000);
    setTimeout(at('b'), 1000);
    // Act: the last one sets a zero-delay timer, which falls on the next millisecond (as in a tick).
    setTimeout(() => {
      at('b2')();
      setTimeout(at('zero'), 0);
    }, 1000);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    // Assess: one jump to 1 s fired a, b and b2; then 1.001 s, 2 s and 3 s.
    expect(fired).toEqual(['a@01.000Z', 'b@01.000Z', 'b2@01.000Z', 'zero@01.001Z', 'c@02.000Z']);
    expect(time.timersFired).toBe(4);
  });

  it("runs a timer's callback in the async context that set it", async () => {
    // Prepare
    time = VirtualTime.install();
    const storage = new AsyncLocalStorage<string>();
    const seen: (string | undefined)[] = [];
    // Act
    await Promise.all(
      ['one', 'two'].map((name) =>
        storage.run(
          name,
          () => new Promise((resolve) => setTimeout(() => resolve(seen.push(storage.getStore())), 500)),
        ),
      ),
    );
    // Assess
    expect(seen).toEqual(['one', 'two']);
  });

  it('refuses a second install in one process', () => {
    // Prepare
    time = VirtualTime.install();
    // Act / Assess
    expect(() => VirtualTime.install()).toThrow(/already installed/);
  });
});
