import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { describe, it } from 'vitest';
import { synthApp, testConfig } from './stack-fixture.ts';

describe('root as the default RunAs user', () => {
  it('warns at synth when allowRootDefaultUser lets root through', () => {
    // Act
    const app = synthApp(testConfig({ runAsDefaultUser: 'root', allowRootDefaultUser: true }), {
      nag: false,
      defaultRegion: 'eu-west-1',
    });
    // Assess
    Annotations.fromStack(app.bootstrapper).hasWarning(
      '*',
      Match.stringLikeRegexp(
        'runAsDefaultUser is "root": every Session Manager shell .* will be a root shell',
      ),
    );
  });

  it('gives no such warning for an ordinary user', () => {
    // Act
    const app = synthApp(testConfig({ runAsDefaultUser: 'ec2-user' }), {
      nag: false,
      defaultRegion: 'eu-west-1',
    });
    // Assess
    Annotations.fromStack(app.bootstrapper).hasNoWarning('*', Match.stringLikeRegexp('will be a root shell'));
  });
});
