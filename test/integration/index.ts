// Entry of the integration tests that run INSIDE the real VS Code extension host.
// The runner (test/vscode/run.ts, or test/vscode/electron.ts) passes
// `dist-test/test/integration/index.js` as extensionTestsPath; the extension host requires it and
// awaits `run()`.
//
// HOW SUITES ARE ADDED (read this before adding a file):
// esbuild bundles only this file as an entry, so every suite must be reached from here. Suites
// use mocha's BDD globals (`describe`, `it`, `before`, ...), which exist only after
// `mocha.suite.emit('pre-require', ...)`. A static `import './x.test'` would run the suite's body
// when the bundle loads, BEFORE those globals exist, so suites are loaded with `require()` inside
// `loadSuites()` below, after pre-require. esbuild still bundles each `require('./x.test')`
// (a literal relative path) and evaluates it only when called.
// → To add a suite: create `test/integration/<name>.test.ts` and add one
//   `require('./<name>.test');` line to SUITES below.
import * as path from 'node:path';
import * as util from 'node:util';

function loadSuites(): void {
  // SUITES — one line per file, in the order they should run.
  require('./skeleton.test');
  require('./edit.test');
  require('./batch.test');
  require('./reliability.test');
  require('./security.test');
  require('./history.test');
  require('./oneEdit.test');
  require('./panelState.test');
  require('./exactEdit.test');
  require('./maskFiles.test');
  require('./agentTool.test');
  require('./assetRefs.test');
  require('./requests.test');
}

// mocha 12 is an ES module; `require()` of it returns the module namespace.

const mochaModule = require('mocha');
const Mocha: typeof import('mocha') = mochaModule.Mocha ?? mochaModule.default ?? mochaModule;

/**
 * test/vscode/run.ts receives the extension host's console mixed with the workbench's own log
 * (offline gallery errors, ...). It sets GIE_TEST_LOG_TAG; everything printed in the extension
 * host from now on (mocha's reporter, the tests, the extension) starts with that tag so the
 * runner can show exactly that. Without the variable (e.g. test-electron) nothing changes.
 */
function tagConsole(): void {
  const tag = process.env.GIE_TEST_LOG_TAG;
  if (!tag) return;
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    // The extension host forwards console calls through a getter whose setter ignores
    // assignment, so redefine the property; `forward` is the host's forwarding function.
    const forward = console[level];
    const tagged = (...args: unknown[]) => forward.call(console, tag + util.format(...args));
    Object.defineProperty(console, level, { configurable: true, get: () => tagged, set: () => undefined });
  }
  // mocha's reporters captured console.log when mocha was loaded
  Mocha.reporters.Base.consoleLog = console.log;
}

export function run(): Promise<void> {
  const mocha = new Mocha({
    ui: 'bdd',
    reporter: 'spec',
    color: false,
    timeout: Number(process.env.MOCHA_TIMEOUT_MS) || 60_000,
  });
  if (process.env.MOCHA_GREP) mocha.grep(process.env.MOCHA_GREP);
  // Installs describe/it/... on globalThis and binds them to this Mocha instance's root suite.
  mocha.suite.emit('pre-require', globalThis, path.join(__dirname, 'index.js'), mocha);
  tagConsole();
  try {
    loadSuites();
  } catch (e) {
    console.error(`integration: loading the suites failed: ${(e as Error)?.stack ?? e}`);
    console.log('0 passed, 1 failed');
    return Promise.reject(e);
  }

  console.log('--- integration tests start ---');
  return new Promise((resolve, reject) => {
    let passed = 0;
    let failed = 0;
    const runner = mocha.run(() => {
      // CI reads this plain closing line (mocha's "N passing" is not recognised).
      console.log(`${passed} passed, ${failed} failed`);
      if (failed > 0) reject(new Error(`${failed} integration test(s) failed`));
      else resolve();
    });
    runner.on('pass', () => passed++);
    runner.on('fail', () => failed++);
  });
}
