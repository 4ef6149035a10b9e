#!/usr/bin/env node
// `npm test`: lint, then the typecheck and the tests side by side.
//
// The typecheck is one single-threaded process of about 40 CPU seconds; the tests keep every core
// busy except at their tail, while the last long files finish. Run one after the other, the two
// cost their sum in wall time; side by side, the typecheck fills the cycles the tests leave.
// It runs at the tests' priority: niced, it starved beside two CPU-bound processes (41 CPU s in
// 11 minutes) and held `npm test` open long after the tests had passed. Its output is held and
// printed after the tests', so the two never interleave. The exit code is the first failure's.
import { spawn, spawnSync } from 'node:child_process';

const bin = (name) => new URL(`../node_modules/.bin/${name}`, import.meta.url).pathname;

const lint = spawnSync(bin('biome'), ['check', '.'], { stdio: 'inherit' });
if (lint.status !== 0) process.exit(lint.status ?? 1);

const typecheck = spawn(bin('tsc'), ['--noEmit'], { stdio: ['ignore', 'pipe', 'pipe'] });
let typecheckOutput = '';
typecheck.stdout.on('data', (chunk) => {
  typecheckOutput += chunk;
});
typecheck.stderr.on('data', (chunk) => {
  typecheckOutput += chunk;
});
const typechecked = new Promise((resolve) => typecheck.on('close', (code) => resolve(code ?? 1)));

const tests = spawn(bin('vitest'), ['run', ...process.argv.slice(2)], { stdio: 'inherit' });
const tested = new Promise((resolve) => tests.on('close', (code) => resolve(code ?? 1)));

const [testsCode, typecheckCode] = await Promise.all([tested, typechecked]);
if (typecheckCode !== 0) {
  process.stderr.write(`\ntypecheck (tsc --noEmit) failed:\n${typecheckOutput}`);
} else {
  process.stdout.write('typecheck (tsc --noEmit): no errors\n');
}
process.exit(testsCode !== 0 ? testsCode : typecheckCode);
