#!/usr/bin/env node
// The compiled CLI (dist/cli, built from the TypeScript by `npm ci` or `npm install` through the
// package's prepare script, or by `npm run build`) starts without a compiler. Without it, or
// with RUNAS_BOOTSTRAPPER_FROM_SOURCE=1, tsx compiles the TypeScript on the fly (slower start).
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/cli/main.mjs', import.meta.url);
let main;
if (existsSync(compiled) && !process.env.RUNAS_BOOTSTRAPPER_FROM_SOURCE) {
  ({ main } = await import(compiled.href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../cli/main.ts'));
}
await main(process.argv);
