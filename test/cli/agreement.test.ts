import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { judgeReadout, readout, type StoredVersion } from '#adapters/preferences-readout.ts';
import { classify } from '#cli/commands/check.ts';
import { planCell } from '#cli/commands/plan.ts';
import type { SurveyCell } from '#cli/preferences-survey.ts';
import { planChange } from '#core/document/preferences.ts';

/**
 * One definition of compliant: check (classify), plan (planCell), verify and the sweep
 * (judgeReadout) and apply (planChange, then the store's promotion rule) agree for every
 * combination of RunAs on/off, user present/absent/odd, statuses and $LATEST ≠ $DEFAULT.
 */

const runAsValue = fc.constantFrom<unknown>(true, false, 'true', 'false', 1, null, undefined);
const userValue = fc.constantFrom<unknown>(undefined, '', 'ec2-user', 'admin', 5, null, false);
const status = fc.constantFrom('Active', 'Active', 'Active', 'Failed', 'Updating');
const setting = fc.record({
  enabled: fc.boolean(),
  defaultUser: fc.constantFrom('ec2-user', 'admin'),
});

function documentText(
  runAsEnabled: unknown,
  runAsDefaultUser: unknown,
  yaml: boolean,
  spaced: boolean,
): string {
  const inputs: Record<string, unknown> = { s3BucketName: '', idleSessionTimeout: '20' };
  if (runAsEnabled !== undefined) inputs.runAsEnabled = runAsEnabled;
  if (runAsDefaultUser !== undefined) inputs.runAsDefaultUser = runAsDefaultUser;
  const document = { schemaVersion: '1.0', sessionType: 'Standard_Stream', inputs };
  if (!yaml) return JSON.stringify(document, null, spaced ? 2 : 0);
  const scalar = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v) : String(v));
  return [
    'schemaVersion: "1.0"',
    'sessionType: Standard_Stream',
    'inputs:',
    ...Object.entries(inputs).map(([k, v]) => `  ${k}: ${scalar(v)}`),
    '',
  ].join('\n');
}

const version = (n: number) =>
  fc
    .record({
      runAsEnabled: runAsValue,
      runAsDefaultUser: userValue,
      yaml: fc.boolean(),
      spaced: fc.boolean(),
      status,
    })
    .map(
      (v): StoredVersion => ({
        version: String(n),
        content: documentText(v.runAsEnabled, v.runAsDefaultUser, v.yaml, v.spaced),
        status: v.status,
        format: v.yaml ? 'YAML' : 'JSON',
      }),
    );

describe('one definition of compliant', () => {
  it('property: check, plan, verify/sweep and apply agree on every document, status and setting', () => {
    fc.assert(
      fc.property(version(2), version(1), fc.boolean(), setting, (latest, older, sameVersion, runAs) => {
        // Prepare
        const byDefault = sameVersion ? latest : older;
        const read = {
          region: 'us-east-1',
          exists: true,
          latest: readout(latest, runAs),
          default: readout(byDefault, runAs),
        };
        const cell: SurveyCell = {
          accountId: '222222222222',
          region: 'us-east-1',
          kind: 'read',
          readout: read,
        };
        // Act
        const verdict = judgeReadout(read, runAs).status;
        const checked = classify(cell, runAs).status;
        const planned = planCell(cell, runAs).action;
        const applied = latest.status === 'Active' ? planChange(latest.content, runAs).kind : undefined;
        // Assess
        expect(checked).toBe(verdict);
        if (verdict === 'compliant') {
          // No version is written; at most an Active, compliant $LATEST is made the default.
          expect(['none', 'promote']).toContain(planned);
          expect(applied).toBe('none');
        }
        if (planned === 'none') expect(verdict).toBe('compliant');
        if (planned === 'update' || planned === 'create' || planned === 'repair')
          expect(verdict).not.toBe('compliant');
        // A Failed version is never compliant, whatever its content.
        if (latest.status === 'Failed' || (!sameVersion && byDefault.status === 'Failed')) {
          expect(verdict).not.toBe('compliant');
        }
        if (latest.status === 'Updating') expect(planned).toBe('busy');
      }),
      { numRuns: 500 },
    );
  });

  it('property: what apply writes is compliant, and applying it again writes nothing', () => {
    fc.assert(
      fc.property(version(1), setting, (stored, runAs) => {
        // Act
        const plan = planChange(stored.content, runAs);
        fc.pre(plan.kind === 'update');
        if (plan.kind !== 'update') return;
        const written: StoredVersion = {
          version: '2',
          content: plan.text,
          status: 'Active',
          format: plan.format,
        };
        const read = {
          region: 'us-east-1',
          exists: true,
          latest: readout(written, runAs),
          default: readout(written, runAs),
        };
        // Assess
        expect(plan.format).toBe(stored.format);
        expect(judgeReadout(read, runAs).status).toBe('compliant');
        expect(planChange(plan.text, runAs).kind).toBe('none');
      }),
      { numRuns: 300 },
    );
  });

  it('RunAs off with no runAsDefaultUser: check says compliant and plan writes nothing', () => {
    // Prepare
    const stored: StoredVersion = {
      version: '1',
      content: documentText(false, undefined, false, true),
      status: 'Active',
      format: 'JSON',
    };
    const runAs = { enabled: false, defaultUser: '' };
    const read = {
      region: 'us-east-1',
      exists: true,
      latest: readout(stored, runAs),
      default: readout(stored, runAs),
    };
    const cell: SurveyCell = { accountId: '222222222222', region: 'us-east-1', kind: 'read', readout: read };
    // Act / Assess
    expect(classify(cell, runAs).status).toBe('compliant');
    expect(planCell(cell, runAs).action).toBe('none');
    expect(planChange(stored.content, runAs).kind).toBe('none');
  });
});
