import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The folders that ship, or that an operator runs: the graph that must point one way. */
const PRODUCTION = ['core', 'adapters', 'handlers', 'stacks', 'cli'];

function sourceFiles(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((f) => (f.endsWith('.ts') && !f.endsWith('.d.ts')) || f.endsWith('.mjs'))
    .map((f) => normalize(join(folder, f)));
}

/** Every module specifier a file imports or re-exports, type-only ones included. */
function specifiers(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
}

/** A specifier as a repository path (`#core/x.ts` → `core/x.ts`), or undefined for a package. */
function resolve(from: string, specifier: string): string | undefined {
  if (specifier.startsWith('#')) return normalize(specifier.slice(1));
  if (specifier.startsWith('.')) return normalize(relative(ROOT, join(ROOT, dirname(from), specifier)));
  return undefined;
}

function importGraph(): Map<string, string[]> {
  const files = PRODUCTION.flatMap(sourceFiles);
  const known = new Set(files);
  return new Map(
    files.map((file) => [
      file,
      specifiers(file)
        .map((s) => resolve(file, s))
        .filter((target): target is string => target !== undefined && known.has(target)),
    ]),
  );
}

/** The cycles found by a depth-first search, each as the path that closes it. */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') found.push([...path.slice(path.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(node, 'done');
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return found;
}

describe('the import graph of the production folders', () => {
  it('finds a cycle when there is one (the check itself works)', () => {
    // Prepare
    const graph = new Map([
      ['cli/program.ts', ['cli/commands/replay.ts']],
      ['cli/commands/replay.ts', ['cli/program.ts']],
    ]);

    // Act / Assess
    expect(cycles(graph)).toEqual([['cli/commands/replay.ts', 'cli/program.ts', 'cli/commands/replay.ts']]);
  });

  it('resolves the package aliases and relative paths of real files', () => {
    // Prepare
    const graph = importGraph();

    // Act / Assess
    expect(graph.get('cli/program.ts')).toContain('cli/commands/replay.ts');
    expect(graph.get('cli/commands/replay.ts')).toContain('cli/context-loader.ts');
    expect(graph.get('cli/operator-context.ts')).toContain('adapters/management-account.ts');
  });

  it('has no cycle in core, adapters, handlers, stacks and cli', () => {
    // Prepare
    const graph = importGraph();

    // Act
    const found = cycles(graph).map((c) => c.join(' → '));

    // Assess
    expect(found).toEqual([]);
  });

  it('lets no command import the program that registers it', () => {
    // Prepare
    const commands = sourceFiles('cli/commands');

    // Act
    const offenders = commands.filter((f) => specifiers(f).some((s) => s.endsWith('program.ts')));

    // Assess
    expect(commands.length).toBeGreaterThan(5);
    expect(offenders).toEqual([]);
  });

  it('keeps the CLI off the AWS SDK: every AWS call goes through adapters/', () => {
    // Prepare
    const cli = sourceFiles('cli');

    // Act
    const offenders = cli.filter((f) => specifiers(f).some((s) => s.startsWith('@aws-sdk/')));

    // Assess
    expect(offenders).toEqual([]);
  });

  it('lets only the local-only commands reach the local runtime or the local cloud', () => {
    // Prepare: `demo` and `local-cloud` run the product locally; the scenario file serves both, and
    // the demo's terminal output reads the demo report.
    const localOnly = [
      'cli/commands/demo.ts',
      'cli/commands/local-cloud.ts',
      'cli/demo-output.ts',
      'cli/scenario-file.ts',
    ];
    const files = PRODUCTION.flatMap(sourceFiles);

    // Act
    const reaching = files.filter((f) =>
      specifiers(f).some((s) => s.startsWith('@runas-bootstrapper/') || resolve(f, s)?.startsWith('local/')),
    );

    // Assess
    expect(reaching.sort()).toEqual(localOnly.sort());
  });
});

/**
 * The layers and what each may import (CONTRIBUTING.md holds the same table): other layers, and
 * the npm packages (`node:` modules by name) a layer may use. A layer is a top-level folder, or a
 * folder of core/. Anything else is an offence, so core importing an adapter fails here.
 */
const CORE_FLOW_BASE = ['core/shared', 'core/config', 'core/document'];
const CORE_PACKAGES = ['zod', 'jsonc-parser', 'yaml', '@aws-sdk/util-endpoints', 'node:crypto'];
const LAYERS: Record<string, { layers: string[]; packages: string[] }> = {
  'core/shared': { layers: ['core/shared'], packages: CORE_PACKAGES },
  'core/config': { layers: ['core/shared', 'core/config'], packages: CORE_PACKAGES },
  'core/document': { layers: CORE_FLOW_BASE, packages: CORE_PACKAGES },
  'core/vend': {
    layers: [...CORE_FLOW_BASE, 'core/vend', 'core/follow-up', 'core/deploy'],
    packages: CORE_PACKAGES,
  },
  'core/follow-up': { layers: [...CORE_FLOW_BASE, 'core/follow-up', 'core/vend'], packages: CORE_PACKAGES },
  'core/sweep': { layers: [...CORE_FLOW_BASE, 'core/sweep'], packages: CORE_PACKAGES },
  'core/deploy': { layers: [...CORE_FLOW_BASE, 'core/deploy'], packages: CORE_PACKAGES },
  adapters: { layers: ['core/*', 'adapters'], packages: ['@aws-sdk/*', '@smithy/*', 'node:*'] },
  handlers: {
    layers: ['core/*', 'adapters', 'handlers'],
    packages: ['@aws-lambda-powertools/*', '@aws-sdk/*', '@middy/core', '@smithy/types', 'aws-lambda', 'zod'],
  },
  stacks: { layers: ['core/*', 'stacks'], packages: ['aws-cdk-lib', 'cdk-nag', 'constructs', 'node:*'] },
  cli: {
    layers: ['core/*', 'adapters', 'cli', 'local', '@runas-bootstrapper/local-cloud'],
    packages: ['commander', 'diff', '@smithy/types', 'node:*'],
  },
  local: {
    layers: ['core/*', 'adapters', 'handlers', 'local', '@runas-bootstrapper/local-cloud'],
    packages: ['@aws-sdk/*', 'aws-lambda', 'aws-local-stepfunctions', 'zod', 'node:*'],
  },
};

/** A file's layer: `core/<folder>` in core, else its top-level folder. */
function layerOf(file: string): string {
  const parts = file.split('/');
  return parts[0] === 'core' ? `${parts[0]}/${parts[1]}` : (parts[0] as string);
}

/** An npm specifier's package (`@scope/name` or `name`), or a `node:` module as it is. */
function packageOf(specifier: string): string {
  if (specifier.startsWith('node:')) return specifier;
  const parts = specifier.split('/');
  return (specifier.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1)).join('/');
}

function allows(patterns: string[], name: string): boolean {
  return patterns.some((p) => (p.endsWith('*') ? name.startsWith(p.slice(0, -1)) : p === name));
}

/** Each import of `files` that the layer table does not allow, as `file: specifier`. */
function layerOffences(files: { file: string; specifiers: string[] }[]): string[] {
  return files.flatMap(({ file, specifiers: imported }) => {
    const rule = LAYERS[layerOf(file)];
    if (!rule) return [`${file}: in no layer`];
    return imported
      .filter((s) => {
        const target = resolve(file, s);
        if (target !== undefined) return !allows(rule.layers, layerOf(target));
        if (s.startsWith('@runas-bootstrapper/')) return !allows(rule.layers, packageOf(s));
        return !allows(rule.packages, packageOf(s));
      })
      .map((s) => `${file}: ${s}`);
  });
}

describe('the layer table', () => {
  it('finds core importing an adapter, and an adapter importing a handler (the check itself works)', () => {
    // Prepare
    const files = [
      { file: 'core/vend/ledger.ts', specifiers: ['#adapters/vend-ledger.ts', '../shared/errors.ts'] },
      { file: 'adapters/vend-ledger.ts', specifiers: ['#handlers/shared/schemas.ts', '@aws-sdk/client-ssm'] },
      { file: 'core/shared/arn.ts', specifiers: ['../config/config.ts', 'node:fs'] },
    ];

    // Act / Assess
    expect(layerOffences(files)).toEqual([
      'core/vend/ledger.ts: #adapters/vend-ledger.ts',
      'adapters/vend-ledger.ts: #handlers/shared/schemas.ts',
      'core/shared/arn.ts: ../config/config.ts',
      'core/shared/arn.ts: node:fs',
    ]);
  });

  it('holds for every file of core, adapters, handlers, stacks, cli and local', () => {
    // Prepare
    const files = [...PRODUCTION, 'local']
      .flatMap(sourceFiles)
      .map((file) => ({ file, specifiers: specifiers(file) }));

    // Act
    const offences = layerOffences(files);

    // Assess: every layer of the table has files, and no import breaks it.
    expect(new Set(files.map((f) => layerOf(f.file)))).toEqual(new Set(Object.keys(LAYERS)));
    expect(offences).toEqual([]);
  });
});

describe('the local cloud package and the dev tools', () => {
  const PACKAGE = 'packages/local-cloud';
  const PUBLIC_ENTRIES = ['@runas-bootstrapper/local-cloud', '@runas-bootstrapper/local-cloud/testing'];
  /** Every folder of the root package that holds TypeScript. */
  const ROOT_FOLDERS = [...PRODUCTION, 'local', 'tools', 'test', 'bin'];

  it('keeps the package self-contained: its sources import only themselves, node: and its own dependencies', () => {
    // Prepare
    const manifest = JSON.parse(readFileSync(join(ROOT, PACKAGE, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      peerDependencies: Record<string, string>;
    };
    const allowed = new Set([
      ...Object.keys(manifest.dependencies),
      ...Object.keys(manifest.peerDependencies),
    ]);
    const files = sourceFiles(join(PACKAGE, 'src'));

    // Act
    const offenders = files.flatMap((file) =>
      specifiers(file)
        .filter((s) => {
          if (s.startsWith('node:')) return false;
          if (s.startsWith('.')) return !resolve(file, s)?.startsWith(`${PACKAGE}/src/`);
          const name = s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0];
          return !allowed.has(name as string);
        })
        .map((s) => `${file}: ${s}`),
    );

    // Assess
    expect(files.length).toBeGreaterThan(20);
    expect(offenders).toEqual([]);
  });

  it('is imported only through its public entries', () => {
    // Prepare
    const files = ROOT_FOLDERS.flatMap(sourceFiles);

    // Act
    const offenders = files.flatMap((file) =>
      specifiers(file)
        .filter(
          (s) =>
            s.includes('local-cloud/src') ||
            s.includes('local/cloud/') ||
            (s.startsWith('@runas-bootstrapper/local-cloud') && !PUBLIC_ENTRIES.includes(s)),
        )
        .map((s) => `${file}: ${s}`),
    );

    // Assess
    expect(offenders).toEqual([]);
  });

  it('keeps the shipped code off the local cloud, and everything but tests off the bench', () => {
    // Prepare
    const shipped = ['core', 'adapters', 'handlers', 'stacks'].flatMap(sourceFiles);
    const notTests = [...PRODUCTION, 'local', 'bin'].flatMap(sourceFiles);

    // Act
    const reaches = (file: string, test: (target: string) => boolean) =>
      specifiers(file).some((s) => {
        const target = resolve(file, s);
        return target === undefined ? test(s) : test(target);
      });
    const onCloud = shipped.filter((f) =>
      reaches(f, (t) => t.startsWith('@runas-bootstrapper/') || /^(local|packages)\//.test(t)),
    );
    const onBench = notTests.filter((f) => reaches(f, (t) => t.startsWith('tools/')));

    // Assess
    expect(onCloud).toEqual([]);
    expect(onBench).toEqual([]);
  });
});
