// Runs the integration suites (test/integration, bundled to dist-test/test/integration/index.js)
// inside a REAL VS Code on this machine, offline:
//
//   emulator (in-process, any free port)
//   VS Code server  = code-server's bundled `server-main.js` under Node 24, with
//                     --enable-smoke-test-driver, temp data/user/extensions dirs, XDG_* in temp,
//                     env RUNFLOW_EMULATOR_URL (reaches the extension host)
//   browser         = Debian Chromium, headless, through playwright-core; the page URL's `payload`
//                     carries extensionDevelopmentPath (the project root) + extensionTestsPath;
//                     the workbench reports the tests' console through window.codeAutomationLog
//                     and the exit code through window.codeAutomationExit.
//
// Usage: node dist-test/test/vscode/run.js [--grep <regexp>] [--verbose]
//   env VSCODE_TEST_TIMEOUT_MS (default 900000): overall limit for the suite once the page opened
//   (the whole suite takes about 5 minutes on the 2-core machine; a loaded one needs more).
// Prints the mocha output and a closing `N passed, N failed` line; exits with the tests' code.
// On failure a screenshot and the server/browser logs go to `.test-output/`.
// Nothing is left running: every exit path (failure, timeout, Ctrl-C) stops the server's process
// group, the browser and the emulator and removes the temp folders.
import { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as util from 'node:util';
import { BrowserContext, Page } from 'playwright-core';
import { startEmulator, type Emulator } from '../emulator';
import { copyDir, killGroupNow, projectRoot, quietSettings, tools, withTimeout, writeUserSettings } from './common';
import {
  copyLog,
  endLog,
  firstPage,
  launchChromium,
  logPageTo,
  makeEditorDirs,
  serverBaseEnv,
  startVsCodeServer,
  stopEditor,
  waitForVsCodeServer,
  workbenchUrl,
  xdgEnv,
} from './editorLaunch';
import { MANUAL_CLOCK_ENV } from '../../src/platform/clock';

const SUMMARY = /^\s*(\d+) passed, (\d+) failed\s*$/;
/** Printed by test/integration/index.ts when mocha starts. */
const START_MARKER = '--- integration tests start ---';
/** Prefix index.ts puts on everything the extension host prints (env GIE_TEST_LOG_TAG). */
const LOG_TAG = '\u2063[ext] ';

interface Args {
  grep?: string;
  verbose: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--grep' || a === '-g') args.grep = argv[++i];
    else if (a.startsWith('--grep=')) args.grep = a.slice('--grep='.length);
    else if (a === '--verbose' || a === '-v') args.verbose = true;
    else {
      console.error(`unknown argument ${a}\nusage: run.js [--grep <regexp>] [--verbose]`);
      process.exit(2);
    }
  }
  return args;
}

const root = projectRoot();
const outputDir = path.join(root, '.test-output');
const args = parseArgs(process.argv.slice(2));
const overallTimeoutMs = Number(process.env.VSCODE_TEST_TIMEOUT_MS) || 900_000;

let tmp: string | undefined;
let emulator: Emulator | undefined;
let server: ChildProcess | undefined;
let context: BrowserContext | undefined;
let launching: Promise<BrowserContext> | undefined;
let page: Page | undefined;
let serverLog: fs.WriteStream | undefined;
let browserLog: fs.WriteStream | undefined;
let cleaning: Promise<void> | undefined;

function log(msg: string): void {
  process.stdout.write(`[vscode-runner] ${msg}\n`);
}

/** Stops everything we started; safe to call more than once. */
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    const browser = context ?? (await launching?.catch(() => undefined));
    await stopEditor({ browser, server, emulator });
    await endLog(serverLog);
    await endLog(browserLog);
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  })();
  return cleaning;
}

async function saveFailureArtifacts(reason: string): Promise<void> {
  fs.mkdirSync(outputDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  if (page) {
    const shot = path.join(outputDir, `vscode-failure-${stamp}.png`);
    const ok = await withTimeout(
      page.screenshot({ path: shot, timeout: 10_000 }).then(
        () => true,
        () => false,
      ),
      12_000,
    );
    if (ok) log(`screenshot: ${path.relative(root, shot)}`);
  }
  for (const [name, stream] of [
    ['server', serverLog],
    ['browser', browserLog],
  ] as const) {
    if (!stream || !tmp) continue;
    const dst = path.join(outputDir, `vscode-${name}-${stamp}.log`);
    if (await copyLog(stream, path.join(tmp, `${name}.log`), dst)) log(`${name} log: ${path.relative(root, dst)}`);
  }
  log(`failure: ${reason}`);
}

let exiting = false;
async function finish(code: number, summary: { passed: number; failed: number } | undefined): Promise<void> {
  if (exiting) return;
  exiting = true;
  const t = Date.now();
  await cleanup();
  if (args.verbose) log(`stopped everything in ${Date.now() - t} ms`);
  const s = summary ?? { passed: 0, failed: code === 0 ? 0 : 1 };
  if (code !== 0 && s.failed === 0) s.failed = 1; // the run failed outside any test (crash, timeout)
  process.stdout.write(`${s.passed} passed, ${s.failed} failed\n`);
  process.exit(code);
}

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    if (exiting) return;
    log(`${sig}: stopping`);
    void finish(130, undefined);
  });
}
process.on('exit', () => killGroupNow(server));
for (const ev of ['uncaughtException', 'unhandledRejection'] as const) {
  process.on(ev, (e: unknown) => {
    console.error(`[vscode-runner] ${ev}: ${(e as Error)?.stack ?? e}`);
    void finish(1, undefined);
  });
}

async function main(): Promise<void> {
  const started = Date.now();
  const t = tools(root);
  const testsPath = path.join(root, 'dist-test/test/integration/index.js');
  if (!fs.existsSync(testsPath)) throw new Error(`${testsPath} is missing: run \`node esbuild.js\` first`);
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const mainJs = path.join(root, pkg.main ?? 'dist/extension.js');
  if (!fs.existsSync(mainJs)) throw new Error(`${mainJs} is missing: run \`node esbuild.js\` first`);

  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gie-vscode-'));
  const dirs = makeEditorDirs(tmp);
  const fixture = path.join(root, 'test/fixtures/workspace');
  const copied = copyDir(fixture, dirs.workspace);
  serverLog = fs.createWriteStream(path.join(tmp, 'server.log'));
  browserLog = fs.createWriteStream(path.join(tmp, 'browser.log'));

  emulator = await startEmulator({ port: 0 });
  log(`emulator ${emulator.baseUrl}; workspace ${copied ? 'from test/fixtures/workspace' : '(empty)'}`);

  writeUserSettings(dirs.userData, { ...quietSettings, 'gptImageEdit.apiBaseUrl': emulator.baseUrl });

  const xdg = xdgEnv(dirs.xdg);
  const serverEnv: NodeJS.ProcessEnv = { ...serverBaseEnv(t, xdg), RUNFLOW_EMULATOR_URL: emulator.baseUrl };
  // The tests decide what key the extension has; never inherit a developer's real key.
  delete serverEnv.RUNFLOW_API_KEY;
  if (args.grep) serverEnv.MOCHA_GREP = args.grep;
  serverEnv.GIE_TEST_LOG_TAG = LOG_TAG;
  // Later look-ups wait on a clock the tests move on (testing.advanceClock), never on real time.
  serverEnv[MANUAL_CLOCK_ENV] = '1';

  const vscode = await startVsCodeServer({
    tools: t,
    dirs,
    cwd: tmp,
    env: serverEnv,
    onOutput: (b) => {
      serverLog?.write(b);
      if (args.verbose) process.stdout.write(`[server] ${b}`);
    },
  });
  server = vscode.process;
  const SERVER_GONE = 97;
  const serverGone = vscode.exited.then(() => SERVER_GONE);
  // The browser starts while the server does (about 2 s each on this machine).
  launching = launchChromium({ profile: dirs.profile, xdg, viewport: { width: 1280, height: 800 } });
  launching.catch(() => undefined); // a launch failure surfaces where it is awaited below
  await waitForVsCodeServer(vscode);
  log(`VS Code server ready on ${vscode.origin} after ${Date.now() - started} ms`);

  context = await launching;
  page = await firstPage(context);

  let passed = 0;
  let failed = 0;
  let sawSummary = false;
  let resolveExit!: (code: number) => void;
  const exitCode = new Promise<number>((r) => (resolveExit = r));

  await page.exposeFunction('codeAutomationExit', (code: number) => {
    resolveExit(Number(code));
  });
  // The workbench sends its whole log here (connection chatter, offline gallery/auth errors) and
  // the extension host's console. index.ts prefixes everything the extension host prints with
  // LOG_TAG: only those messages go to stdout; the rest goes to browser.log (and stdout with
  // --verbose; its errors are printed if the tests never report).
  const outsideErrors: string[] = [];
  await page.exposeFunction('codeAutomationLog', (level: string, message: unknown) => {
    const text = Array.isArray(message) ? util.format(...message) : String(message);
    if (!text.startsWith(LOG_TAG)) {
      if (args.verbose) process.stdout.write(`${text}\n`);
      else browserLog?.write(`[${level}] ${text}\n`);
      if (level === 'error' && outsideErrors.length < 50) outsideErrors.push(text.split('\n')[0]);
      return;
    }
    const body = text.slice(LOG_TAG.length);
    if (body.startsWith(START_MARKER)) {
      log(`tests started after ${Date.now() - started} ms`);
      return;
    }
    const m = SUMMARY.exec(body);
    if (m) {
      // the runner prints the closing summary itself, after cleanup
      passed = Number(m[1]);
      failed = Number(m[2]);
      sawSummary = true;
      return;
    }
    process.stdout.write(`${body}\n`);
  });
  logPageTo(page, browserLog);
  page.on('crash', () => resolveExit(98));

  const payload = [
    ['extensionDevelopmentPath', vscode.remote(root)],
    ['extensionTestsPath', vscode.remote(testsPath)],
    ['skipWelcome', 'true'],
    ['skipReleaseNotes', 'true'],
  ];
  await page.goto(workbenchUrl(vscode, dirs.workspace, payload), { waitUntil: 'domcontentloaded', timeout: 60_000 });
  log(`workbench opened after ${Date.now() - started} ms; running the tests`);

  const timedOut = Symbol('timeout');
  let timer: NodeJS.Timeout | undefined;
  const result = await Promise.race([exitCode, new Promise<typeof timedOut>((r) => (timer = setTimeout(() => r(timedOut), overallTimeoutMs))), serverGone]);
  clearTimeout(timer);
  if (exiting) return; // Ctrl-C / SIGTERM: finish() is already stopping everything

  let code = result === timedOut ? 1 : result;
  if (code === 0 && !sawSummary) {
    code = 1;
    log('the tests exited with code 0 but never printed their `N passed, N failed` line');
  }
  if (result === timedOut) await saveFailureArtifacts(`no exit code from the tests within ${overallTimeoutMs} ms`);
  else if (result === SERVER_GONE) await saveFailureArtifacts(vscode.exitReason() ?? 'the VS Code server exited');
  if (code !== 0 && !sawSummary && outsideErrors.length) {
    log('errors the workbench logged (full log in .test-output/):');
    for (const l of outsideErrors) process.stdout.write(`  ${l}\n`);
  }
  if (result !== timedOut && result !== SERVER_GONE && code !== 0) {
    await saveFailureArtifacts(sawSummary ? `${failed} test(s) failed (exit code ${code})` : `the tests exited with code ${code} before reporting results`);
  }
  log(`finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  await finish(code, sawSummary ? { passed, failed } : undefined);
}

main().catch(async (e) => {
  if (exiting) return;
  console.error(`[vscode-runner] ${(e as Error).stack ?? e}`);
  await saveFailureArtifacts((e as Error).message).catch(() => undefined);
  await finish(1, undefined);
});
