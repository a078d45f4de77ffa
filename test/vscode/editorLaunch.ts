// Starting a real editor for tests: the VS Code server (code-server's bundled server-main.js under
// Node 24, with the smoke-test driver) and headless Chromium through playwright-core, in temp
// folders. Shared by the integration runner (run.ts) and the UI tests (test/ui/support.ts); each
// caller decides the server's environment, the browser's viewport and what happens to the logs.
// Plain Node; bundled into its users by esbuild (this file is not an entry itself).
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { freePort, pathWithNode24, stopGroup, waitForHttp, withTimeout, type Tools } from './common';

const HOST = '127.0.0.1';

export interface EditorDirs {
  serverData: string;
  userData: string;
  extensions: string;
  /** Parent of the XDG_* folders (see xdgEnv). */
  xdg: string;
  profile: string;
  workspace: string;
}

/** Creates the server's, the browser's and the workspace's folders inside `tmp`. */
export function makeEditorDirs(tmp: string): EditorDirs {
  const dirs: EditorDirs = {
    serverData: path.join(tmp, 'server-data'),
    userData: path.join(tmp, 'user-data'),
    extensions: path.join(tmp, 'extensions'),
    xdg: path.join(tmp, 'xdg'),
    profile: path.join(tmp, 'browser-profile'),
    workspace: path.join(tmp, 'workspace'),
  };
  for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
  return dirs;
}

/** XDG_* variables pointing into `dir` (created, mode 0700), so nothing touches the real home. */
export function xdgEnv(dir: string): Record<string, string> {
  const xdg = {
    XDG_CONFIG_HOME: path.join(dir, 'config'),
    XDG_DATA_HOME: path.join(dir, 'data'),
    XDG_CACHE_HOME: path.join(dir, 'cache'),
    XDG_RUNTIME_DIR: path.join(dir, 'runtime'),
  };
  for (const d of Object.values(xdg)) fs.mkdirSync(d, { recursive: true, mode: 0o700 });
  return xdg;
}

/**
 * The environment every VS Code server needs: this process's, plus `xdg`, Node 24 first on PATH,
 * and no ELECTRON_RUN_AS_NODE. Callers add (or delete) their own variables on the result.
 */
export function serverBaseEnv(t: Tools, xdg: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...xdg, PATH: pathWithNode24(t) };
  delete env.ELECTRON_RUN_AS_NODE;
  return env;
}

export interface VsCodeServer {
  process: ChildProcess;
  port: number;
  /** http://127.0.0.1:<port> */
  origin: string;
  /** Resolves with why the server exited, once it does. */
  exited: Promise<string>;
  /** Why the server exited, or undefined while it runs. */
  exitReason(): string | undefined;
  /** A path on this machine as the workbench sees it (a vscode-remote URI). */
  remote(p: string): string;
}

export interface ServerOptions {
  tools: Tools;
  dirs: Pick<EditorDirs, 'serverData' | 'userData' | 'extensions'>;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Gets everything the server prints (stdout and stderr). */
  onOutput(chunk: Buffer): void;
}

/**
 * Spawns the VS Code server on a free port, in its own process group (stop it with stopGroup).
 * Does not wait for it: see waitForVsCodeServer.
 */
export async function startVsCodeServer(opts: ServerOptions): Promise<VsCodeServer> {
  const { tools: t, dirs } = opts;
  const port = await freePort();
  const child = spawn(
    t.node24,
    [
      t.serverMain,
      '--host',
      HOST,
      '--port',
      String(port),
      '--without-connection-token',
      '--accept-server-license-terms',
      '--enable-smoke-test-driver',
      '--disable-telemetry',
      '--disable-workspace-trust',
      '--server-data-dir',
      dirs.serverData,
      '--user-data-dir',
      dirs.userData,
      '--extensions-dir',
      dirs.extensions,
    ],
    { cwd: opts.cwd, env: opts.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let reason: string | undefined;
  const exited = new Promise<string>((resolve) =>
    child.on('exit', (code, signal) => {
      reason = `the VS Code server exited (${signal ?? code})`;
      resolve(reason);
    }),
  );
  for (const s of [child.stdout!, child.stderr!]) s.on('data', (b: Buffer) => opts.onOutput(b));
  return {
    process: child,
    port,
    origin: `http://${HOST}:${port}`,
    exited,
    exitReason: () => reason,
    remote: (p) => `vscode-remote://${HOST}:${port}${p}`,
  };
}

/** Waits until the server answers `/version` (throws when it exits first or after 60 s). */
export function waitForVsCodeServer(server: VsCodeServer): Promise<void> {
  return waitForHttp(`${server.origin}/version`, 60_000, server.exitReason);
}

/** The workbench page for `folder`, with the smoke-test driver's `payload` entries. */
export function workbenchUrl(server: VsCodeServer, folder: string, payload: string[][]): string {
  return `${server.origin}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

export interface ChromiumOptions {
  /** The browser's profile folder. */
  profile: string;
  xdg: Record<string, string>;
  viewport: { width: number; height: number };
}

/** Debian Chromium (or $CHROMIUM_PATH), headless, leaving signals to the caller. */
export function launchChromium(opts: ChromiumOptions): Promise<BrowserContext> {
  return chromium.launchPersistentContext(opts.profile, {
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    env: { ...process.env, ...opts.xdg } as Record<string, string>,
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    viewport: opts.viewport,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--no-default-browser-check',
    ],
  });
}

/** The context's first page (a persistent context usually opens one), or a new one. */
export async function firstPage(context: BrowserContext): Promise<Page> {
  return context.pages()[0] ?? (await context.newPage());
}

/** Writes the page's console messages and uncaught errors to `log`. */
export function logPageTo(page: Page, log: fs.WriteStream): void {
  page.on('console', (msg) => log.write(`[${msg.type()}] ${msg.text()}\n`));
  page.on('pageerror', (err) => log.write(`[pageerror] ${err.stack ?? err.message}\n`));
}

/** Stops the browser (10 s at most), the server's process group and the emulator (5 s at most), together. */
export async function stopEditor(parts: { browser?: BrowserContext; server?: ChildProcess; emulator?: { close(): Promise<void> } }): Promise<void> {
  const { browser, server, emulator } = parts;
  await Promise.all([
    browser
      ? withTimeout(
          browser.close().catch(() => undefined),
          10_000,
        )
      : undefined,
    stopGroup(server),
    emulator
      ? withTimeout(
          emulator.close().catch(() => undefined),
          5000,
        )
      : undefined,
  ]);
}

/** Flushes `stream` and copies its file `from` to `to`; false when there is no log. */
export async function copyLog(stream: fs.WriteStream, from: string, to: string): Promise<boolean> {
  await new Promise<void>((r) => stream.write('', () => r()));
  try {
    fs.copyFileSync(from, to);
    return true;
  } catch {
    return false; // no log
  }
}

/** Ends a log stream (no-op when there is none). */
export function endLog(stream: fs.WriteStream | undefined): Promise<void> {
  return new Promise<void>((r) => (stream ? stream.end(r) : r()));
}
