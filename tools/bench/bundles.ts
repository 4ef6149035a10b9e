import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { configToEnvironment } from '#core/config/config.ts';
import { median } from '#core/shared/statistics.ts';
import {
  BUNDLE_TARGET,
  ESM_REQUIRE_BANNER,
  PROJECT_ROOT,
  UNREACHABLE_IN_LAMBDA,
} from '#stacks/task-function.ts';
import { benchConfig } from './scenario-generator.ts';

const run = promisify(execFile);
const HANDLERS_DIR = join(PROJECT_ROOT, 'handlers');

export interface BundleFigures {
  handler: string;
  /** The .mjs Lambda runs, in KB. */
  sizeKb: number;
  /** The source map next to it (not loaded unless --enable-source-maps), in KB. */
  sourceMapKb: number;
  /** Median wall ms to import the bundle in a fresh `node` process (module evaluation only). */
  coldImportMs: number;
  /** Median wall ms of the whole fresh process (node start-up + import). */
  coldProcessMs: number;
  runs: number;
  /** The largest contributors to the bundle, in KB (esbuild metafile). */
  largest: Record<string, number>;
}

/** Bundle one handler entry as the CDK stack's NodejsFunction does. */
async function bundle(
  entry: string,
  outdir: string,
): Promise<{ file: string; largest: Record<string, number> }> {
  const outfile = join(outdir, basename(entry, '.ts'), 'index.mjs');
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: BUNDLE_TARGET,
    mainFields: ['module', 'main'],
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    banner: { js: ESM_REQUIRE_BANNER },
    external: [...UNREACHABLE_IN_LAMBDA],
    logLevel: 'silent',
    metafile: true,
  });
  const byPackage = new Map<string, number>();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      byPackage.set(packageOf(input), (byPackage.get(packageOf(input)) ?? 0) + bytesInOutput);
    }
  }
  const largest = Object.fromEntries(
    [...byPackage.entries()]
      .sort(([, a], [, b]) => b - a)
      .slice(0, 4)
      .map(([name, bytes]) => [name, Math.round(bytes / 1024)]),
  );
  return { file: outfile, largest };
}

/** `node_modules/@aws-sdk/client-ssm/dist-es/x.js` -> `@aws-sdk/client-ssm`; project files -> their folder. */
function packageOf(input: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  if (match) return match[1] as string;
  return `(project) ${input.split('/')[0]}`;
}

const IMPORT_SCRIPT =
  'const t = performance.now(); await import(process.env.BENCH_BUNDLE); process.stdout.write(String(performance.now() - t));';

/** Environment like the deployed function's, with a fake config so nothing fails at import. */
function lambdaEnvironment(file: string): NodeJS.ProcessEnv {
  const config = benchConfig(['us-east-1', 'eu-west-1']);
  return {
    PATH: process.env.PATH,
    ...configToEnvironment(config),
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    POWERTOOLS_SERVICE_NAME: 'runas-bootstrapper',
    POWERTOOLS_METRICS_NAMESPACE: 'RunAsBootstrapper',
    POWERTOOLS_LOG_LEVEL: 'INFO',
    POWERTOOLS_TRACE_ENABLED: 'false',
    BENCH_BUNDLE: pathToFileURL(file).href,
  };
}

async function coldImport(file: string, runs: number): Promise<{ importMs: number; processMs: number }> {
  const imports: number[] = [];
  const processes: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const started = performance.now();
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', IMPORT_SCRIPT], {
      env: lambdaEnvironment(file),
    });
    processes.push(performance.now() - started);
    imports.push(Number(stdout));
  }
  return { importMs: median(imports) ?? Number.NaN, processMs: median(processes) ?? Number.NaN };
}

/** Size and cold import time of every handlers/*.ts bundle. */
export async function measureBundles(runs: number): Promise<BundleFigures[]> {
  const outdir = await mkdtemp(join(tmpdir(), 'runas-bench-bundles-'));
  try {
    const entries = (await readdir(HANDLERS_DIR)).filter((f) => f.endsWith('.ts')).sort();
    const figures: BundleFigures[] = [];
    for (const entry of entries) {
      const { file, largest } = await bundle(join(HANDLERS_DIR, entry), outdir);
      const [code, map] = await Promise.all([stat(file), stat(`${file}.map`)]);
      const cold = await coldImport(file, runs);
      figures.push({
        handler: basename(entry, '.ts'),
        sizeKb: Math.round(code.size / 1024),
        sourceMapKb: Math.round(map.size / 1024),
        coldImportMs: Math.round(cold.importMs),
        coldProcessMs: Math.round(cold.processMs),
        runs,
        largest,
      });
    }
    return figures;
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}
