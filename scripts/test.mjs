#!/usr/bin/env node
// `npm test`: the one test command (CI runs `npm ci && npm test`).
//
//   1. install   bash scripts/install-editor.sh   (Chromium, Node 24, code-server; skipped when warm)
//   2. build     node esbuild.js
//   3. typecheck node scripts/typecheck.mjs   (the project, then each layer of src/ on its own)
//   3b. lint     npm run lint                   (ESLint with the house's floors, Prettier's check)
//   4. unit      node --test dist-test/test/unit/            (node:test)
//   5. vscode    node dist-test/test/vscode/run.js           (mocha inside a real VS Code)
//   6. package   npm run package && node esbuild.js          (the .vsix the packaged UI test installs)
//   7. ui        node --test dist-test/test/ui/*.test.js      (Playwright against the real editor), if any
//
// Each stage's output streams through; the counts each test stage reports are summed into one
// closing line `N passed, N failed`. A stage that fails without reporting a failed test (a build
// or type error, a crash) counts as one failure. If install or build fail, later stages are skipped.
// Exits non-zero when anything failed.
//
// Options: --only <stage[,stage]> (e.g. --only unit,vscode; install and build still run unless
// skipped), --skip-install, --no-build.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const only = (() => {
  const i = argv.findIndex((a) => a === '--only' || a.startsWith('--only='));
  if (i < 0) return undefined;
  const v = argv[i].includes('=') ? argv[i].split('=')[1] : argv[i + 1];
  return new Set((v ?? '').split(',').filter(Boolean));
})();
const skip = new Set();
if (argv.includes('--skip-install')) skip.add('install');
if (argv.includes('--no-build')) skip.add('build');

/** Files under `dir` (recursively) ending in `.test.js`. */
function testFiles(dir, recursive) {
  const abs = path.join(root, dir);
  if (!fs.existsSync(abs)) return [];
  return fs
    .readdirSync(abs, { recursive })
    .filter((f) => String(f).endsWith('.test.js'))
    .map((f) => path.join(dir, String(f)))
    .sort();
}

const node = process.execPath;
const stages = [
  { name: 'install', fatal: true, cmd: () => ['bash', ['scripts/install-editor.sh']] },
  { name: 'build', fatal: true, cmd: () => [node, ['esbuild.js']] },
  { name: 'typecheck', cmd: () => [node, ['scripts/typecheck.mjs']] },
  { name: 'lint', cmd: () => ['npm', ['run', '--silent', 'lint']] },
  {
    name: 'unit',
    counts: 'node-test',
    cmd: () => {
      const files = testFiles('dist-test/test/unit', true);
      return files.length ? [node, ['--test', '--test-reporter=spec', ...files]] : undefined;
    },
  },
  { name: 'vscode', counts: 'summary', cmd: () => [node, ['dist-test/test/vscode/run.js']] },
  // The .vsix the UI stage installs (packaged.ui.test), then the development build back for the rest.
  { name: 'package', cmd: () => ['bash', ['-c', 'npm run package --silent && node esbuild.js']] },
  {
    name: 'ui',
    counts: 'node-test',
    cmd: () => {
      const files = testFiles('dist-test/test/ui', false);
      // each UI test file drives its own editor + browser: one at a time on 2 cores
      return files.length ? [node, ['--test', '--test-concurrency=1', '--test-reporter=spec', ...files]] : undefined;
    },
  },
];

function run(cmd, args) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['inherit', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b) => {
      out += b;
      process.stdout.write(b);
    });
    child.stderr.on('data', (b) => {
      out += b;
      process.stderr.write(b);
    });
    child.on('error', (e) => resolve({ code: 127, out: `${out}\n${e.message}` }));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), out }));
  });
}

/** Pass/fail counts a stage printed, or undefined. */
function parseCounts(kind, out) {
  if (kind === 'summary') {
    const all = [...out.matchAll(/^\s*(\d+) passed, (\d+) failed\s*$/gm)];
    const m = all.at(-1);
    return m ? { passed: Number(m[1]), failed: Number(m[2]) } : undefined;
  }
  if (kind === 'node-test') {
    // node:test's closing lines: spec "ℹ pass 3" / TAP "# pass 3"
    const pass = [...out.matchAll(/^[#ℹ]\s*pass (\d+)\s*$/gm)].at(-1);
    const fail = [...out.matchAll(/^[#ℹ]\s*fail (\d+)\s*$/gm)].at(-1);
    return pass || fail ? { passed: Number(pass?.[1] ?? 0), failed: Number(fail?.[1] ?? 0) } : undefined;
  }
  return undefined;
}

let interrupted = false;
process.on('SIGINT', () => {
  // the running stage gets the same Ctrl-C from the terminal and cleans up; stop after it
  interrupted = true;
});

const totals = { passed: 0, failed: 0 };
const report = [];
let stop = false;
for (const stage of stages) {
  const wanted = !skip.has(stage.name) && (!only || only.has(stage.name) || stage.fatal);
  if (stop || interrupted || !wanted) {
    report.push(`${stage.name}: skipped`);
    continue;
  }
  const c = stage.cmd();
  if (!c) {
    report.push(`${stage.name}: no tests`);
    continue;
  }
  console.log(`\n=== ${stage.name}: ${[path.basename(c[0]), ...c[1]].join(' ')}`);
  const t0 = Date.now();
  const { code, out } = await run(c[0], c[1]);
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  const counts = stage.counts ? parseCounts(stage.counts, out) : undefined;
  let line = `${stage.name}: ${code === 0 ? 'ok' : `FAILED (exit ${code})`} in ${secs} s`;
  if (counts) {
    totals.passed += counts.passed;
    totals.failed += counts.failed;
    line += ` — ${counts.passed} passed, ${counts.failed} failed`;
  }
  if (code !== 0 && !(counts && counts.failed > 0)) {
    totals.failed += 1; // failed without a failing test to show for it: count the stage itself
    if (stage.counts && !counts) line += ' (no results reported)';
  }
  report.push(line);
  if (code !== 0 && stage.fatal) stop = true;
}

console.log('\n=== summary');
for (const l of report) console.log(`  ${l}`);
if (interrupted) console.log('  (interrupted)');
console.log(`${totals.passed} passed, ${totals.failed} failed`);
process.exit(totals.failed > 0 || interrupted ? 1 : 0);
