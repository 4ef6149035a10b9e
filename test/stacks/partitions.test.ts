import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { STATE_MACHINE_DIR } from '#stacks/bootstrapper-stack.ts';
import { MANAGEMENT_ACCOUNT, synthApp, testConfig } from './stack-fixture.ts';

const LITERAL_COMMERCIAL_ARN = 'arn:aws:';

/** Every template the app synthesizes, as JSON text. */
function templatesOf(region: string): Record<string, string> {
  const built = synthApp(
    testConfig({ homeRegion: region, guardrail: { scp: { enabled: true, targetIds: ['r-ab12'] } } }),
    {
      defaultAccount: MANAGEMENT_ACCOUNT,
      nag: false,
    },
  );
  return Object.fromEntries(
    Object.entries(built.templates).map(([name, template]) => {
      if (!template) throw new Error(`the app synthesized no template for ${name}`);
      return [name, JSON.stringify(template.toJSON())];
    }),
  );
}

describe('partitions', () => {
  it('no ASL file names a literal commercial-partition ARN', () => {
    // Prepare
    const files = readdirSync(STATE_MACHINE_DIR).filter((file) => file.endsWith('.asl.json'));
    // Act
    const literal = files.filter((file) =>
      readFileSync(path.join(STATE_MACHINE_DIR, file), 'utf8').includes(LITERAL_COMMERCIAL_ARN),
    );
    // Assess
    expect(files.length).toBeGreaterThan(2);
    expect(literal).toEqual([]);
  });

  it.each([
    ['us-gov-west-1', 'aws-us-gov', ['bootstrapper', 'guardrail']],
    ['cn-north-1', 'aws-cn', ['bootstrapper', 'forwarder', 'guardrail']],
  ])('synth for %s (%s) puts no literal arn:aws: in any stack', (region, _partition, stacks) => {
    // Act
    const templates = templatesOf(region);
    // Assess: the home stack, the guardrail, and the forwarder where Organizations delivers elsewhere.
    expect(Object.keys(templates).sort()).toEqual(stacks);
    for (const [name, text] of Object.entries(templates)) {
      expect(text.length, name).toBeGreaterThan(500);
      expect(text.includes(LITERAL_COMMERCIAL_ARN), `${name} in ${region}`).toBe(false);
    }
  });

  it('the follow-up starts executions through the service integration of the stack partition', () => {
    // Prepare
    const built = synthApp(testConfig({ homeRegion: 'us-gov-west-1' }), {
      defaultAccount: MANAGEMENT_ACCOUNT,
      nag: false,
    });
    const followUp = built.bootstrapper.followUpStateMachine;
    const id = built.bootstrapper.getLogicalId(followUp.node.defaultChild as never);
    // Act
    const machine = built.templates.bootstrapper.findResources('AWS::StepFunctions::StateMachine')[id];
    // Assess
    expect(machine).toBeDefined();
    expect(machine!.Properties.DefinitionSubstitutions.Partition).toEqual({ Ref: 'AWS::Partition' });
  });
});
