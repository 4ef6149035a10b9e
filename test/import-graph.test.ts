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
