// Compile the CLI to JavaScript once (npm's prepare step), so that a start loads no compiler:
// `runas-bootstrapper --help` then starts in a few times a bare `node -e 0` instead of ~20×.
// Dependencies stay in node_modules (external); the product's own TypeScript, and the local
// cloud workspace package (shipped as TypeScript), are bundled. Commands import their heavy
// modules lazily, so esbuild splits them into chunks that load only when a command runs.
import { rmSync } from 'node:fs';

let build;
try {
  ({ build } = await import('esbuild'));
} catch {
  // Installed without dev dependencies: bin/runas-bootstrapper.mjs then runs the TypeScript with tsx.
  console.log('esbuild is not installed: the CLI will run from its TypeScript sources (slower start)');
  process.exit(0);
}

const OUT = 'dist/cli';

/** Bare package imports stay external, except our workspace package, which is TypeScript. */
const externalPackages = {
  name: 'external-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./#]/ }, (args) =>
      args.path.startsWith('@runas-bootstrapper/') ? undefined : { path: args.path, external: true },
    );
  },
};

rmSync(OUT, { recursive: true, force: true });
const result = await build({
  entryPoints: ['cli/main.ts'],
  outdir: OUT,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outExtension: { '.js': '.mjs' },
  // local/runtime finds statemachine/ relative to its module: chunks stay two levels deep.
  chunkNames: 'chunk-[hash]',
  plugins: [externalPackages],
  metafile: true,
  logLevel: 'warning',
});
const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
console.log(
  `built ${OUT}: ${Object.keys(result.metafile.outputs).length} files, ${Math.round(bytes / 1024)} KB`,
);
