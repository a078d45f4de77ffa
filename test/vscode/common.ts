// Shared by the real-editor runner (run.ts), the demo launcher (start.ts), the Electron runner
// (electron.ts) and the UI tests: where things are, free ports, settings files, timeouts and
// stopping process groups. (Starting the server and the browser: editorLaunch.ts.)
// Plain Node; bundled into each entry by esbuild (this file is not an entry itself).
import { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

/** The project root (where package.json is). The bundles live in `dist-test/test/vscode/`. */
export function projectRoot(): string {
  let dir = __dirname;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && !dir.split(path.sep).includes('dist-test')) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the project root above ${__dirname}`);
    dir = parent;
  }
}

export interface Tools {
  /** The git-ignored tools folder (`.tools`, or $TOOLS_DIR). */
  dir: string;
  /** Node 24 binary (code-server and its VS Code server need it). */
  node24: string;
  node24Bin: string;
  /** VS Code server entry inside the code-server package (used by the test runner). */
  serverMain: string;
  /** The code-server wrapper (used by `npm start`). */
  codeServer: string;
}

/** The tools `scripts/install-editor.sh` installs; throws a helpful error when missing. */
export function tools(root: string): Tools {
  const dir = process.env.TOOLS_DIR || path.join(root, '.tools');
  const node24Bin = path.join(dir, 'node24/node_modules/node/bin');
  const t: Tools = {
    dir,
    node24: path.join(node24Bin, 'node'),
    node24Bin,
    serverMain: path.join(dir, 'editor/node_modules/code-server/lib/vscode/out/server-main.js'),
    codeServer: path.join(dir, 'editor/node_modules/.bin/code-server'),
  };
  for (const f of [t.node24, t.serverMain, t.codeServer]) {
    if (!fs.existsSync(f)) {
      throw new Error(`${f} is missing: run \`bash scripts/install-editor.sh\` first (installs Node 24, code-server and Chromium)`);
    }
  }
  return t;
}

/** This process's PATH with Node 24's bin folder first (code-server and its server run on it). */
export function pathWithNode24(t: Tools): string {
  return `${t.node24Bin}${path.delimiter}${process.env.PATH ?? ''}`;
}

export function readPackageJson(root: string): { name: string; publisher: string; version: string } {
  return JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
}

/** A port nobody listens on right now. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, host, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Whether something already listens on host:port. */
export function portInUse(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

/** Editor settings that keep a fresh profile quiet and offline-friendly. */
export const quietSettings: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'chat.disableAIFeatures': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
};

/** Merges `settings` into `<userDataDir>/User/settings.json` (creating it). */
export function writeUserSettings(userDataDir: string, settings: Record<string, unknown>): string {
  const file = path.join(userDataDir, 'User', 'settings.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let current: Record<string, unknown> = {};
  try {
    current = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    // missing or not plain JSON (comments): start over
  }
  fs.writeFileSync(file, JSON.stringify({ ...current, ...settings }, null, 2) + '\n');
  return file;
}

/** True while any process of the group `pgid` is alive. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Stops a child spawned with `detached: true` (so it leads its own process group) together with
 * everything it started: SIGTERM to the group, then SIGKILL to whatever is left after `graceMs`.
 */
export async function stopGroup(child: ChildProcess | undefined, graceMs = 5000): Promise<void> {
  const pid = child?.pid;
  if (!pid) return;
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    return; // already gone
  }
  const deadline = Date.now() + graceMs;
  while (groupAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (groupAlive(pid)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
    const hard = Date.now() + 2000;
    while (groupAlive(pid) && Date.now() < hard) await new Promise((r) => setTimeout(r, 50));
  }
}

/** Last-resort synchronous kill (for `process.on('exit')`). */
export function killGroupNow(child: ChildProcess | undefined): void {
  if (!child?.pid) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Polls `url` until it answers (any status below 500) or `deadlineMs` passes / `abort()` says stop. */
export async function waitForHttp(url: string, deadlineMs: number, abort: () => string | undefined): Promise<void> {
  const end = Date.now() + deadlineMs;
  let lastError = '';
  while (Date.now() < end) {
    const why = abort();
    if (why) throw new Error(why);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000), redirect: 'manual' });
      await res.arrayBuffer().catch(() => undefined);
      if (res.status < 500) return;
      lastError = `HTTP ${res.status}`;
    } catch (e) {
      lastError = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${url} did not answer within ${deadlineMs} ms (${lastError})`);
}

/** `p`'s value, or undefined when it takes longer than `ms` (the timer does not keep Node alive). */
export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  return Promise.race([p, new Promise<undefined>((r) => (setTimeout(r, ms) as unknown as NodeJS.Timeout).unref())]);
}

/** Copies a directory tree (no-op when `from` does not exist). */
export function copyDir(from: string, to: string): boolean {
  if (!fs.existsSync(from)) return false;
  fs.cpSync(from, to, { recursive: true });
  return true;
}
