import { readFileSync } from 'node:fs';
import path from 'node:path';
import { App, type CfnElement, CfnResource, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { logicalIdOutsideSections, StackSection } from '#stacks/stack-section.ts';
import { PROJECT_ROOT } from '#stacks/task-function.ts';
import { MANAGEMENT_ACCOUNT, synthApp, testConfig } from './stack-fixture.ts';

class SectionedStack extends Stack {
  protected override allocateLogicalId(element: CfnElement): string {
    return logicalIdOutsideSections(element);
  }
}

function resource(scope: Construct, id: string): CfnResource {
  return new CfnResource(scope, id, { type: 'Custom::Thing' });
}

describe('StackSection', () => {
  it('leaves a resource the logical ID it has without the section', () => {
    // Prepare
    const app = new App();
    const plain = new Stack(app, 'Plain');
    const sectioned = new SectionedStack(app, 'Sectioned');
    const section = new StackSection(sectioned, 'Workflow');
    // Act
    const ids = [
      [
        plain.getLogicalId(resource(new Construct(plain, 'Table'), 'Resource')),
        plain.getLogicalId(resource(plain, 'Output')),
      ],
      [
        sectioned.getLogicalId(resource(new Construct(section, 'Table'), 'Resource')),
        sectioned.getLogicalId(resource(new StackSection(section, 'Inner'), 'Output')),
      ],
    ];
    // Assess
    expect(ids[0]).toEqual(['TableCD117FA1', 'Output']);
    expect(ids[1]).toEqual(ids[0]);
  });

  it('fails the synth when two sections hold a child of the same id', () => {
    // Prepare
    const app = new App();
    const stack = new SectionedStack(app, 'Clash');
    resource(new StackSection(stack, 'One'), 'Thing');
    resource(new StackSection(stack, 'Two'), 'Thing');
    // Act + Assess
    expect(() => app.synth()).toThrow(/already contains 'Thing'/);
  });

  it('keeps every logical ID the home stack had before its workflows became sections', () => {
    // Prepare
    const pinned: { resources: string[]; outputs: string[] } = JSON.parse(
      readFileSync(path.join(PROJECT_ROOT, 'test/fixtures/stacks/home-stack-logical-ids.json'), 'utf8'),
    );
    // Act
    const template = synthApp(testConfig({ homeRegion: 'us-east-1' }), {
      defaultAccount: MANAGEMENT_ACCOUNT,
      nag: false,
    }).templates.bootstrapper.toJSON();
    // Assess
    expect(pinned.resources.length).toBeGreaterThan(90);
    expect(Object.keys(template.Resources).sort()).toEqual(expect.arrayContaining(pinned.resources));
    expect(Object.keys(template.Outputs).sort()).toEqual(expect.arrayContaining(pinned.outputs));
  });
});
