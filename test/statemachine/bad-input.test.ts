import { readFileSync } from 'node:fs';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { type LocalCloud, parseScenario, startLocalCloud } from '@runas-bootstrapper/local-cloud';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  type BootstrapperConfig,
  configFromEnvironment,
  parseConfig,
  parseConfigText,
} from '#core/config/config.ts';
import { MAX_DOCUMENT_BYTES } from '#core/document/preferences.ts';
import { ConfigurationError, InvalidRequestError } from '#core/shared/errors.ts';
import { BOOTSTRAP_STATE_MACHINE } from '#core/shared/names.ts';
import { normalize } from '#core/vend/normalize.ts';
import { handlerEnvironment } from '#handlers/shared/wiring/environment.ts';
import { type DemoRun, runScenario } from '#local/demo.ts';
import { pipelineDefaultsFor } from '#local/runtime/deployment.ts';
import type { ExecutionRecord } from '#local/runtime/execution-record.ts';
import { MAX_STATE_PAYLOAD_BYTES, payloadBytes } from '#local/runtime/limits.ts';
import { LocalRuntime } from '#local/runtime/runtime.ts';
import { onVirtualTime } from '#test/virtual-clock.ts';

const MANAGEMENT = '999999999999';
const REGIONS = ['us-east-1', 'eu-west-1'];
const SSM_WRITES = [
  'ssm:CreateDocument',
  'ssm:UpdateDocument',
  'ssm:UpdateDocumentDefaultVersion',
  'ssm:DeleteDocument',
];

type Json = Record<string, unknown>;
const fixture = <T>(name: string): T =>
  JSON.parse(readFileSync(`test/fixtures/bad-input/${name}.json`, 'utf8')) as T;

interface EventCase {
  name: string;
  base?: string;
  text?: string;
  event?: unknown;
  set?: Record<string, unknown>;
  pad?: { path: string; bytes: number };
  expect: { ignore?: string; invalidRequest?: string };
}
interface DocumentCase {
  name: string;
  content: string | Json;
  expect: { refused?: string; merged?: boolean; compact?: boolean; yaml?: boolean };
}
interface ConfigCase {
  name: string;
  patch?: Json;
  unset?: string[];
  replace?: unknown;
  field: string;
}

const eventCases = fixture<{ cases: EventCase[] }>('events').cases;
// aws-local-stepfunctions cannot resolve `$` on a falsy input (AWS can), and no JSON text is empty:
// the empty text is covered at the Step Functions API, which refuses it before an execution starts.
const machineCases = eventCases.filter((c) => c.text !== '');
const documentCases = fixture<{ cases: DocumentCase[] }>('documents').cases;
const configFixture = fixture<{ base: Json; cases: ConfigCase[] }>('config');

function setPath(target: Json, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  let current = target;
  for (const key of keys.slice(0, -1)) {
    if (typeof current[key] !== 'object' || current[key] === null) current[key] = {};
    current = current[key] as Json;
  }
  current[keys.at(-1) as string] = value;
}

/** The event a case describes: parsed JSON when it has any, else its raw text. */
function eventOf(c: EventCase): unknown {
  if (c.text !== undefined) return c.text;
  if (c.base === undefined) return c.event;
  const event = JSON.parse(readFileSync(`test/fixtures/events/${c.base}.json`, 'utf8')) as Json;
  for (const [path, value] of Object.entries(c.set ?? {})) setPath(event, path, value);
  if (c.pad) setPath(event, c.pad.path, 'x'.repeat(c.pad.bytes));
  return event;
}

const config = parseConfig({
  runAsDefaultUser: 'ec2-user',
  governedRegions: REGIONS,
  managementAccountId: MANAGEMENT,
  lza: { measureGap: false },
});
const normalizeOptions = { governedRegions: REGIONS, managementAccountId: MANAGEMENT };

function writeCalls(cloud: LocalCloud, accountId?: string): number {
  return SSM_WRITES.reduce(
    (sum, operation) => sum + cloud.state.callCount({ operation, ...(accountId ? { accountId } : {}) }),
    0,
  );
}

onVirtualTime();

describe('bad events', () => {
  it('covers every kind the issue names', () => {
    const names = eventCases.map((c) => c.name).join(' ');
    for (const kind of [
      'truncated',
      'malformed',
      'wildcard',
      'path-traversal',
      '11-digits',
      '13-digits',
      'unicode',
      'oversized',
      'is-a-number',
    ])
      expect(names).toContain(kind);
  });

  describe('normalize', () => {
    it.each(eventCases.filter((c) => c.expect.ignore))('$name is ignored with a reason', (c) => {
      // Prepare
      const event = eventOf(c);
      if (c.text !== undefined) expect(() => JSON.parse(c.text as string)).toThrow(SyntaxError);
      // Act
      const result = normalize(event, normalizeOptions);
      // Assess
      expect(result).toMatchObject({ kind: 'ignore', code: c.expect.ignore, reason: expect.any(String) });
      expect((result as { reason: string }).reason.length).toBeLessThan(400);
    });

    it.each(eventCases.filter((c) => c.expect.invalidRequest))('$name is an InvalidRequestError', (c) => {
      // Act + Assess
      expect(() => normalize(eventOf(c), normalizeOptions)).toThrow(InvalidRequestError);
      expect(() => normalize(eventOf(c), normalizeOptions)).toThrow(c.expect.invalidRequest as string);
    });
  });

  describe('through the state machine', () => {
    let cloud: LocalCloud;
    let runtime: LocalRuntime;
    const records = new Map<string, ExecutionRecord>();

    beforeAll(async () => {
      // Prepare: a cloud where every account the fixtures name exists with an assumable role.
      cloud = await startLocalCloud({
        scenario: {
          managementAccountId: MANAGEMENT,
          homeRegion: 'us-east-1',
          accounts: ['111111111111', '222222222222', '444444444444', '123456789012'].map((accountId) => ({
            accountId,
            name: `member-${accountId}`,
          })),
        },
        pipelineDefaults: pipelineDefaultsFor(config),
      });
      runtime = await LocalRuntime.start({
        host: cloud,
        config,
        managementAccountId: MANAGEMENT,
        homeRegion: 'us-east-1',
      });
      // Act: every case at once.
      for (const c of machineCases)
        records.set(c.name, runtime.startExecution(BOOTSTRAP_STATE_MACHINE, eventOf(c)));
      await runtime.whenIdle();
    });

    afterAll(async () => {
      runtime?.stop();
      await cloud?.close();
    });

    it.each(machineCases)(
      '$name ends ignored, InvalidRequestError or over the state payload limit, never reaching a member account',
      (c) => {
        // Assess
        const record = records.get(c.name) as ExecutionRecord;
        const entered = record.events.filter((e) => e.type === 'StateEntered').map((e) => e.state?.name);
        expect(entered).not.toContain('AwaitRole');
        if (payloadBytes(eventOf(c)) > MAX_STATE_PAYLOAD_BYTES) {
          // Step Functions fails a state whose input is over 256 KiB before its Task runs (and
          // EventBridge would not have delivered an event that large in the first place).
          expect(record.status).toBe('FAILED');
          expect(record.error).toBe('States.DataLimitExceeded');
        } else if (c.expect.ignore) {
          expect(record.status).toBe('SUCCEEDED');
          expect(record.output).toMatchObject({ action: 'ignore', code: c.expect.ignore });
        } else {
          expect(record.status).toBe('FAILED');
          expect(record.error).toBe('InvalidRequestError');
          expect(record.cause).toContain(c.expect.invalidRequest);
        }
      },
    );

    it('made no SSM write and assumed no member role', () => {
      expect(writeCalls(cloud)).toBe(0);
      expect(cloud.state.callCount({ operation: 'sts:AssumeRole' })).toBe(0);
    });

    it('rejects malformed JSON at the Step Functions API without starting an execution', async () => {
      // Prepare
      const sfn = new SFNClient(cloud.clientConfig('us-east-1'));
      const before = runtime.executions().length;
      for (const c of eventCases.filter((e) => e.text !== undefined)) {
        // Act + Assess
        await expect(
          sfn.send(
            new StartExecutionCommand({
              stateMachineArn: runtime.stateMachineArn(BOOTSTRAP_STATE_MACHINE),
              input: c.text,
            }),
          ),
        ).rejects.toMatchObject({ name: 'InvalidExecutionInput' });
      }
      expect(runtime.executions()).toHaveLength(before);
    });
  });
});

describe('bad preferences documents', () => {
  const accountOf = new Map(documentCases.map((c, i) => [c.name, String(300_000_000_000 + i * 13)]));
  const seedText = (c: DocumentCase) =>
    typeof c.content === 'string' ? c.content : JSON.stringify(c.content, null, 2);
  let run: DemoRun;
  const replays = new Map<string, ExecutionRecord>();

  beforeAll(async () => {
    // Prepare: one vended account per case, its document seeded in us-east-1.
    const scenario = parseScenario({
      managementAccountId: MANAGEMENT,
      homeRegion: 'us-east-1',
      accounts: documentCases.map((c) => ({
        accountId: accountOf.get(c.name),
        name: c.name.slice(0, 50),
        roles: { OrganizationAccountAccessRole: 2 },
        documents: { 'us-east-1': seedText(c) },
        vend: { atSeconds: 1, via: 'organizations', createSeconds: 5 },
      })),
    });
    const oneRegion: BootstrapperConfig = { ...config, governedRegions: ['us-east-1'] };
    // Act: the vends, then a replay of every refused account.
    run = await runScenario({ scenario, config: oneRegion, timeoutSeconds: 120 });
    const replay = JSON.parse(readFileSync('test/fixtures/events/replay-request-valid.json', 'utf8')) as Json;
    for (const c of documentCases.filter((d) => d.expect.refused)) {
      const event = { ...replay, detail: { accountId: accountOf.get(c.name), regions: ['us-east-1'] } };
      replays.set(c.name, run.runtime.startExecution(BOOTSTRAP_STATE_MACHINE, event));
    }
    await run.runtime.whenIdle();
  });

  afterAll(async () => {
    run?.runtime.stop();
    await run?.cloud.close();
  });

  it.each(documentCases.filter((c) => c.expect.refused))('$name is refused and left byte-identical', (c) => {
    // Assess
    const accountId = accountOf.get(c.name) as string;
    const row = run.report.accounts.find((a) => a.accountId === accountId);
    expect(row?.regions['us-east-1']).toMatchObject({ status: 'refused', action: 'refused' });
    expect(row?.regions['us-east-1']?.error).toContain(c.expect.refused);
    const refusals = run.runtime
      .executions()
      .filter((e) => (e.input as Json).detail && JSON.stringify(e.input).includes(accountId))
      .flatMap((e) =>
        e.events.filter((ev) => ev.type === 'StateExited' && ev.state?.name === 'RegionRefused'),
      )
      .map((ev) => (ev.state?.output as { error?: string } | undefined)?.error);
    expect(refusals.length).toBeGreaterThanOrEqual(2);
    expect(new Set(refusals)).toEqual(new Set(['PreferencesDocumentInvalidError']));
    expect(replays.get(c.name)?.error).toBe('RegionsFailedError');
    const doc = run.cloud.state.document(accountId, 'us-east-1');
    expect(doc?.versions).toHaveLength(1);
    expect(doc?.versions[0]?.content).toBe(seedText(c));
    expect(writeCalls(run.cloud, accountId)).toBe(0);
  });

  it.each(documentCases.filter((c) => c.expect.merged))(
    '$name is merged with only the RunAs keys changed',
    (c) => {
      // Assess
      const accountId = accountOf.get(c.name) as string;
      const row = run.report.accounts.find((a) => a.accountId === accountId);
      expect(row?.regions['us-east-1']).toMatchObject({ status: 'compliant', action: 'updated' });
      const doc = run.cloud.state.document(accountId, 'us-east-1');
      expect(doc).toMatchObject({ latestVersion: '2', defaultVersion: '2' });
      const version = doc?.versions.find((v) => v.version === '2');
      const written = version?.content as string;
      const parse = (text: string) => (c.expect.yaml ? parseYaml(text) : JSON.parse(text)) as Json;
      expect(version?.documentFormat).toBe(c.expect.yaml ? 'YAML' : 'JSON');
      // Byte for byte: every line without a RunAs key is exactly as seeded (numbers, escapes, layout).
      const others = (text: string) =>
        text.split('\n').filter((line) => !/runAs(Enabled|DefaultUser)/.test(line));
      if (!c.expect.compact) expect(others(written)).toEqual(others(seedText(c)));
      const seed = parse(seedText(c));
      const expected = {
        ...seed,
        inputs: { ...(seed.inputs as Json), runAsEnabled: true, runAsDefaultUser: 'ec2-user' },
      };
      // Order-sensitive: every other key keeps its value (string booleans stay strings) and its position.
      expect(JSON.stringify(parse(written))).toBe(JSON.stringify(expected));
      expect(typeof (parse(written) as { inputs: Json }).inputs.runAsEnabled).toBe('boolean');
      expect(Buffer.byteLength(written, 'utf8')).toBeLessThanOrEqual(MAX_DOCUMENT_BYTES);
      if (c.expect.compact) {
        expect(Buffer.byteLength(JSON.stringify(expected, null, 2), 'utf8')).toBeGreaterThan(
          MAX_DOCUMENT_BYTES,
        );
        expect(written).not.toContain('\n');
      }
    },
  );
});

describe('bad configuration', () => {
  function inputOf(c: ConfigCase): unknown {
    if ('replace' in c) return c.replace;
    const input: Json = structuredClone(configFixture.base);
    for (const key of c.unset ?? []) delete input[key];
    for (const [key, value] of Object.entries(c.patch ?? {})) {
      input[key] =
        typeof value === 'object' && value !== null && !Array.isArray(value)
          ? { ...(input[key] as Json), ...value }
          : value;
    }
    return input;
  }

  it.each(configFixture.cases)('$name is a ConfigurationError naming $field', (c) => {
    // Act
    const attempt = () => parseConfig(inputOf(c), 'bad-input.json');
    // Assess
    expect(attempt).toThrow(ConfigurationError);
    // One line: `Invalid configuration in f: a: …; b: …`.
    expect(attempt).toThrow(new RegExp(`(?:bad-input\\.json: |; )${c.field.replace(/[.()]/g, '\\$&')}: `));
    expect(attempt).not.toThrow(/\n/);
  });

  it.each(configFixture.cases)('$name fails a Lambda cold start with the same named field', (c) => {
    // Act + Assess: the environment carries the config; the handlers validate it at cold start.
    const env = { BOOTSTRAPPER_CONFIG: JSON.stringify(inputOf(c)), AWS_REGION: 'us-east-1' };
    expect(() => handlerEnvironment(env)).toThrow(ConfigurationError);
    expect(() => handlerEnvironment(env)).toThrow(`${c.field}: `);
  });

  it('names the variable when the environment holds no config or no JSON', () => {
    expect(() => configFromEnvironment({})).toThrow(/^BOOTSTRAPPER_CONFIG: environment variable is not set$/);
    expect(() => configFromEnvironment({ BOOTSTRAPPER_CONFIG: '{"governedRegions":' })).toThrow(
      ConfigurationError,
    );
    expect(() => parseConfigText('{"governedRegions":', 'bootstrapper.config.json')).toThrow(
      /bootstrapper\.config\.json: not valid JSON/,
    );
  });
});
