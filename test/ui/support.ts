// Shared by the UI tests (test/ui/*.test.ts): starts a REAL editor for Playwright to drive, offline.
//
//   emulator        in-process (test/emulator), any free port
//   VS Code server  code-server's bundled server-main.js under Node 24 (from .tools/), with
//                   --enable-smoke-test-driver, temp data/user/extensions dirs, XDG_* in temp, and
//                   RUNFLOW_API_KEY = the emulator's key (the extension falls back to it when
//                   SecretStorage is empty, so no key prompt appears)
//   browser         Debian Chromium, headless, through playwright-core; the page URL's payload holds
//                   ONLY extensionDevelopmentPath (this checkout), so the extension loads in
//                   development mode and no test runner runs inside the editor.
//
// Plus the UI steps the tests share (explorer context menu, command palette, the edit panel's
// webview frame, painting a stroke) and bounded polls. No fixed sleeps: everything waits for a
// condition with a deadline.
import { ChildProcess, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type BrowserContext, type Frame, type Locator, type Page } from 'playwright-core';
import { startEmulator, type Emulator } from '../emulator';
import { copyDir, killGroupNow, projectRoot, quietSettings, tools, withTimeout, writeUserSettings } from '../vscode/common';
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
} from '../vscode/editorLaunch';

export const COMMAND_TITLE = 'Edit Image with GPT Image 2…';
export const BATCH_COMMAND_TITLE = 'Edit Each Image with GPT Image 2…';
export const root = projectRoot();
export const outputDir = path.join(root, '.test-output', 'ui');

export interface Editor {
  readonly page: Page;
  readonly emulator: Emulator;
  /** The temp workspace folder the editor has open (a copy of test/fixtures/workspace). */
  readonly workspace: string;
  /**
   * Stops the browser, the server's process group and the emulator; removes the temp folders.
   * Returns what was still running afterwards (and had to be killed): should be nothing.
   */
  close(): Promise<string[]>;
  /** Saves a screenshot and the logs to .test-output/ui/ (for a failed test). */
  saveFailureArtifacts(name: string): Promise<void>;
}

/** Thrown inside a poll's check to stop polling at once (the condition can no longer come true). */
export class FatalPollError extends Error {}

/** Polls `check` until it returns something other than undefined/false, or throws after `timeoutMs`. */
export async function poll<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 15_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (e) {
      if (e instanceof FatalPollError) throw e;
      lastError = e;
    }
    if (Date.now() > deadline) {
      const detail = lastError instanceof Error ? ` (last error: ${lastError.message.split('\n')[0]})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export interface StartOptions {
  /** The emulator's model time (created → succeeded); short keeps the tests quick. */
  modelTimeMs?: number;
  viewport?: { width: number; height: number };
  /** Install this .vsix (as a user would) instead of loading the checkout as the development extension. */
  vsix?: string;
  /** More files for the workspace, by name, there before the editor starts (no wait for its file watcher). */
  files?: Record<string, Uint8Array>;
}

/** Starts the emulator, the VS Code server and Chromium, and opens the workbench on a temp workspace. */
export async function startEditor(opts: StartOptions = {}): Promise<Editor> {
  const t = tools(root);
  const mainJs = path.join(root, 'dist/extension.js');
  if (!fs.existsSync(mainJs) || !fs.existsSync(path.join(root, 'dist/webview.js'))) {
    throw new Error('dist/ is missing: run `node esbuild.js` first');
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gie-ui-'));
  const dirs = makeEditorDirs(tmp);
  copyDir(path.join(root, 'test/fixtures/workspace'), dirs.workspace);
  for (const [name, bytes] of Object.entries(opts.files ?? {})) fs.writeFileSync(path.join(dirs.workspace, name), bytes);
  const serverLog = fs.createWriteStream(path.join(tmp, 'server.log'));
  const browserLog = fs.createWriteStream(path.join(tmp, 'browser.log'));

  let emulator: Emulator | undefined;
  let server: ChildProcess | undefined;
  let context: BrowserContext | undefined;
  let page: Page | undefined;
  const killOnExit = () => killGroupNow(server);
  process.on('exit', killOnExit);
  // Ctrl-C / a CI stop: the server leads its own process group and does not get the signal itself.
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`ui tests: ${signal}, stopping the editor\n`);
    void close().finally(() => process.exit(130));
  };
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const sig of signals) process.once(sig, onSignal);

  let closing: Promise<string[]> | undefined;
  const close = (): Promise<string[]> =>
    (closing ??= (async () => {
      await stopEditor({ browser: context, server, emulator });
      process.off('exit', killOnExit);
      for (const sig of signals) process.off(sig, onSignal);
      // Everything this editor started has the unique temp folder on its command line (the
      // server's and the browser's data dirs): anything still alive is a leak; kill it by pid.
      const leftovers = await poll("the editor's processes to end", () => (processesUsing(tmp).length === 0 ? true : undefined), 5000, 100)
        .then(() => [] as string[])
        .catch(() => processesUsing(tmp));
      for (const p of leftovers) {
        try {
          process.kill(Number(p.split(' ')[0]), 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
      await endLog(serverLog);
      await endLog(browserLog);
      fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
      return leftovers;
    })());

  const saveFailureArtifacts = async (name: string): Promise<void> => {
    fs.mkdirSync(outputDir, { recursive: true });
    const stamp = `${name}-failure-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    if (page)
      await withTimeout(
        page.screenshot({ path: path.join(outputDir, `${stamp}.png`), timeout: 10_000 }).catch(() => undefined),
        12_000,
      );
    for (const [label, stream] of [
      ['server', serverLog],
      ['browser', browserLog],
    ] as const) {
      await copyLog(stream, path.join(tmp, `${label}.log`), path.join(outputDir, `${stamp}-${label}.log`));
    }
  };

  try {
    emulator = await startEmulator({ port: 0, modelTimeMs: opts.modelTimeMs ?? 600 });
    writeUserSettings(dirs.userData, {
      ...quietSettings,
      'gptImageEdit.apiBaseUrl': emulator.baseUrl,
      // Nothing may cover the explorer or the panel in screenshots.
      'workbench.secondarySideBar.defaultVisibility': 'hidden',
      'window.commandCenter': false,
      'workbench.layoutControl.enabled': false,
    });
    const xdg = xdgEnv(dirs.xdg);
    const env: NodeJS.ProcessEnv = { ...serverBaseEnv(t, xdg), RUNFLOW_API_KEY: emulator.apiKey };
    delete env.NODE_TEST_CONTEXT; // node:test's marker must not leak into the server's Node
    delete env.NODE_OPTIONS;
    if (opts.vsix) installVsix(t, dirs, opts.vsix, env, serverLog);
    const vscode = await startVsCodeServer({ tools: t, dirs, cwd: tmp, env, onOutput: (b) => serverLog.write(b) });
    server = vscode.process;
    await waitForVsCodeServer(vscode);

    context = await launchChromium({ profile: dirs.profile, xdg, viewport: opts.viewport ?? { width: 1440, height: 1200 } });
    page = await firstPage(context);
    logPageTo(page, browserLog);
    // The smoke-test driver sends the workbench's log here; keep it out of the test output.
    await page.exposeFunction('codeAutomationLog', (level: string, message: unknown) => {
      browserLog.write(`[${level}] ${Array.isArray(message) ? message.join(' ') : String(message)}\n`);
    });

    const payload = opts.vsix ? [] : [['extensionDevelopmentPath', vscode.remote(root)]];
    await page.goto(workbenchUrl(vscode, dirs.workspace, payload), { waitUntil: 'domcontentloaded', timeout: 60_000 });
    // The workbench is up when the explorer lists the workspace's files.
    await explorerItem(page, 'photo.png').waitFor({ state: 'visible', timeout: 60_000 });
  } catch (e) {
    await saveFailureArtifacts('startup').catch(() => undefined);
    await close();
    throw e;
  }
  return { page: page!, emulator: emulator!, workspace: dirs.workspace, close, saveFailureArtifacts };
}

/** Installs a .vsix into the editor's extensions folder with the server's own CLI, as `code --install-extension` does. */
function installVsix(t: ReturnType<typeof tools>, dirs: ReturnType<typeof makeEditorDirs>, vsix: string, env: NodeJS.ProcessEnv, log: fs.WriteStream): void {
  if (!fs.existsSync(vsix)) throw new Error(`${vsix} is missing: run \`npm run package\` first`);
  const out = execFileSync(
    t.node24,
    [
      t.serverMain,
      '--install-extension',
      vsix,
      '--accept-server-license-terms',
      '--extensions-dir',
      dirs.extensions,
      '--server-data-dir',
      dirs.serverData,
      '--user-data-dir',
      dirs.userData,
    ],
    { env, timeout: 120_000, encoding: 'utf8' },
  );
  log.write(out);
  if (!/successfully installed/.test(out)) throw new Error(`installing ${vsix} failed: ${out}`);
}

/** Distance from (x, y) to the segment a–b, in the same units (a stroke's natural pixels). */
export function distanceToSegment(x: number, y: number, a: { x: number; y: number }, b: { x: number; y: number }): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((x - a.x) * dx + (y - a.y) * dy) / len2));
  return Math.hypot(x - (a.x + t * dx), y - (a.y + t * dy));
}

/** Live processes whose command line mentions `marker`, as "pid command…" (Linux /proc). */
export function processesUsing(marker: string): string[] {
  const found: string[] = [];
  let pids: string[];
  try {
    pids = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return found; // no /proc: nothing to check
  }
  for (const pid of pids) {
    if (Number(pid) === process.pid) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
      if (!cmd.includes(marker)) continue;
      // A zombie has exited already (its parent has yet to reap it): not running.
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (/\) Z /.test(stat)) continue;
      found.push(`${pid} ${cmd.slice(0, 120)}`);
    } catch {
      // ended while we looked
    }
  }
  return found;
}

/** A file's row in the explorer (top level of the workspace). */
export function explorerItem(page: Page, name: string): Locator {
  return page.locator('.explorer-folders-view').getByRole('treeitem', { name, exact: true });
}

/**
 * Right-clicks `name` in the explorer and returns the context menu's item `label`. The extension's
 * contributions arrive a few seconds after the workbench: while the menu lacks the item, close it
 * and right-click again (bounded).
 */
export async function explorerContextMenuItem(page: Page, name: string, label: string, timeoutMs = 30_000): Promise<{ menuItem: Locator; tries: number }> {
  const item = explorerItem(page, name);
  let tries = 0;
  const menuItem = page.locator('.context-view .monaco-menu').getByRole('menuitem', { name: label });
  return poll(
    `"${label}" in the context menu of ${name}`,
    async () => {
      tries++;
      await item.click({ button: 'right', timeout: 5000 });
      const menu = page.locator('.context-view .monaco-menu').first();
      await menu.waitFor({ state: 'visible', timeout: 5000 });
      if (await menuItem.first().isVisible()) return { menuItem: menuItem.first(), tries };
      await page.keyboard.press('Escape');
      await menu.waitFor({ state: 'hidden', timeout: 5000 }).catch(() => undefined);
      // Let the extension host get further before the next try, without a fixed wait of our own.
      return undefined;
    },
    timeoutMs,
    250,
  );
}

/** Opens the command palette (F1) with focus in the workbench. */
export async function openCommandPalette(page: Page): Promise<Locator> {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await poll(
    'the command palette',
    async () => {
      await page.keyboard.press('F1');
      await input.waitFor({ state: 'visible', timeout: 3000 });
      return true;
    },
    15_000,
    100,
  );
  return input;
}

/** The quick input's visible row whose label matches. */
export function quickPickRow(page: Page, name: string | RegExp): Locator {
  return page.locator('.quick-input-widget .quick-input-list').getByRole('option', { name });
}

/** Runs a command from the palette by its full title ("Category: Title"). */
export async function runFromPalette(page: Page, title: string): Promise<void> {
  // A webview that takes the focus just after it is shown closes a palette opened meanwhile: open it again.
  const input = await poll(
    `the command palette to take "${title}"`,
    async () => {
      const palette = await openCommandPalette(page);
      await palette.fill(`>${title}`, { timeout: 3000 });
      return palette;
    },
    30_000,
    100,
  );
  const row = quickPickRow(page, new RegExp(escapeRegExp(title))).first();
  await row.waitFor({ state: 'visible', timeout: 15_000 });
  await input.press('Enter');
}

/** Runs "GPT Image: Edit Image with GPT Image 2…" from the palette (no image preview active) and clicks the quick pick's row for `file`. */
export async function editFromPalette(page: Page, file: RegExp): Promise<Locator> {
  // The palette lists the commands known when it opens: an installed extension's contributions may
  // arrive after the workbench is up, so look again in a freshly opened palette.
  const command = quickPickRow(page, /GPT Image: Edit Image with GPT Image 2/).first();
  for (let attempt = 1; ; attempt++) {
    const input = await openCommandPalette(page);
    await input.fill('>GPT Image: Edit Image with GPT Image 2');
    const shown = await command.waitFor({ state: 'visible', timeout: 5_000 }).then(
      () => true,
      () => false,
    );
    if (shown) break;
    if (attempt === 6) throw new Error('"GPT Image: Edit Image with GPT Image 2" never appeared in the command palette (30 s)');
    await page.keyboard.press('Escape');
  }
  // Click this row: Enter would run the top row, which may be "Edit Each Image with GPT Image 2…"
  // (the filter matches both titles).
  await command.click();
  const row = quickPickRow(page, file).first();
  await row.waitFor({ state: 'visible', timeout: 15_000 });
  return row;
}

/**
 * Opens `name`'s panel from the explorer's context menu, as a user does. After the explorer
 * refreshed (a file changed, editors were closed) the menu's click is sometimes swallowed by the
 * workbench and the menu stays open with no command run; then the user's other way in is taken:
 * the command palette and its quick pick of the workspace's images.
 */
export async function openImagePanel(page: Page, name: string): Promise<Frame> {
  const { menuItem } = await explorerContextMenuItem(page, name, COMMAND_TITLE);
  const clickedAt = performance.now();
  await clickMenuItem(page, menuItem);
  return (await waitForPanel(page, name, clickedAt)).frame;
}

/**
 * Clicks a context menu item until the menu closes (bounded), and says how many clicks it took.
 * VS Code's menu items take a mouse-up only 100 ms after the menu is drawn (its menu.ts schedules
 * that listener with a RunOnceScheduler of 100 ms, so the mouse-up of the right-click that opened
 * the menu cannot choose an item); a click sooner than that leaves the menu open and runs nothing.
 * A person never clicks that fast; a test can, so it clicks again.
 */
export async function clickMenuItem(page: Page, menuItem: Locator): Promise<number> {
  const menu = page.locator('.context-view .monaco-menu').first();
  let clicks = 0;
  await poll(
    'the context menu to close after choosing its item',
    async () => {
      if (await menuItem.isVisible()) {
        clicks++;
        await menuItem.click({ timeout: 5000 });
      }
      // A click that counts closes the menu at once.
      await menu.waitFor({ state: 'hidden', timeout: 1000 });
      return true;
    },
    15_000,
    100,
  );
  return clicks;
}

/** Closes every editor (the preview, the panels) so the next test starts with an empty editor area. */
export async function closeAllEditors(page: Page): Promise<void> {
  await page.keyboard.press('Escape');
  await runFromPalette(page, 'View: Close All Editor Groups');
  await poll('no open editors', async () => (await page.locator('.tabs-container .tab').count()) === 0, 15_000);
  await poll('no edit panel frames', async () => (await panelFrames(page)).length === 0, 15_000);
}

/** Every frame that holds an edit panel's DOM (a webview's inner frame). */
async function panelFrames(page: Page): Promise<Frame[]> {
  const found: Frame[] = [];
  for (const frame of page.frames()) {
    if (frame === page.mainFrame() || frame.isDetached()) continue;
    const has = await frame.evaluate(() => document.querySelector('#mask-canvas') !== null).catch(() => false);
    if (has) found.push(frame);
  }
  return found;
}

/** What an edit panel's frame shows of its input image. */
export interface InputState {
  /** The panel's script is running (its root element exists). */
  booted: boolean;
  info: string;
  naturalWidth: number;
  naturalHeight: number;
}

async function inputState(frame: Frame): Promise<InputState | undefined> {
  return frame
    .evaluate(() => {
      const app = document.querySelector('#app');
      if (!app) return undefined;
      const img = document.querySelector<HTMLImageElement>('#input-image');
      return {
        booted: true,
        info: document.querySelector('#input-info')?.textContent ?? '',
        naturalWidth: img?.complete ? img.naturalWidth : 0,
        naturalHeight: img?.complete ? img.naturalHeight : 0,
      };
    })
    .catch(() => undefined);
}

export interface PanelShown {
  frame: Frame;
  input: InputState;
  /** ms from `since` (default: the call) until the panel's webview document was up, until it had its image's info, until the image was decoded. */
  timings: { webview: number; info: number; image: number };
}

/**
 * Waits for the edit panel of `imageName` to show its image (decoded, naturalWidth > 0) and
 * returns its frame. Polls quickly: the time it returns at is the "image shown" moment.
 */
export async function waitForPanel(page: Page, imageName: string, since = performance.now(), timeoutMs = 30_000): Promise<PanelShown> {
  const start = since;
  let webview = -1;
  let info = -1;
  return poll(
    `the edit panel showing ${imageName}`,
    async () => {
      for (const frame of page.frames()) {
        if (frame === page.mainFrame() || frame.isDetached()) continue;
        const state = await inputState(frame);
        if (!state) continue;
        const now = Math.round(performance.now() - start);
        if (webview < 0) webview = now;
        if (!state.info.includes(imageName)) continue;
        if (info < 0) info = now;
        if (state.naturalWidth > 0) return { frame, input: state, timings: { webview, info, image: now } };
      }
      return undefined;
    },
    timeoutMs,
    20,
  );
}

/** Types a prompt into the panel's prompt box. */
export async function typePrompt(frame: Frame, prompt: string): Promise<void> {
  const textarea = frame.locator('#prompt textarea');
  await textarea.click();
  await textarea.pressSequentially(prompt);
  await poll(
    'the prompt to reach the panel',
    async () => (await frame.evaluate(() => (document.querySelector('#prompt') as HTMLTextAreaElement | null)?.value)) === prompt,
    5000,
  );
}

export interface Stroke {
  /** The stroke's points in the image's natural pixels. */
  points: { x: number; y: number }[];
  /** The brush's radius in natural pixels. */
  radius: number;
}

/**
 * Paints a stroke with the mouse on the panel's mask canvas: down at the first point, several
 * moves, up at the last. `points` are fractions of the displayed image (0..1). Returns the stroke
 * in the image's natural pixels.
 */
export async function paintStroke(page: Page, frame: Frame, points: { fx: number; fy: number }[], natural: { width: number; height: number }): Promise<Stroke> {
  const canvas = frame.locator('#mask-canvas');
  await canvas.scrollIntoViewIfNeeded();
  const box = await canvas.boundingBox();
  if (!box || box.width < 10 || box.height < 10) throw new Error(`the mask canvas has no usable size: ${JSON.stringify(box)}`);
  const brushPx = await frame.evaluate(() => Number((document.querySelector('#brush-size') as HTMLInputElement | null)?.value ?? 32));
  const at = (p: { fx: number; fy: number }) => ({ x: box.x + p.fx * box.width, y: box.y + p.fy * box.height });
  const first = at(points[0]);
  await page.mouse.move(first.x, first.y);
  await page.mouse.down();
  for (const p of points.slice(1)) {
    const q = at(p);
    await page.mouse.move(q.x, q.y, { steps: 4 });
  }
  await page.mouse.up();
  return {
    points: points.map((p) => ({ x: p.fx * natural.width, y: p.fy * natural.height })),
    // The brush is sized in the image's natural pixels, whatever the zoom.
    radius: brushPx / 2,
  };
}

/** Waits until the panel lists `count` results (and shows no error); returns their data-uri values. */
export async function waitForResults(frame: Frame, count: number, timeoutMs = 60_000): Promise<string[]> {
  return poll(
    `${count} result(s) in the panel`,
    async () => {
      const state = await frame.evaluate(() => ({
        uris: [...document.querySelectorAll<HTMLElement>('#results .result')].map((b) => b.dataset.uri ?? ''),
        error: (() => {
          const box = document.querySelector<HTMLElement>('#error');
          return box && !box.hidden ? (box.textContent ?? 'error') : '';
        })(),
      }));
      if (state.error) throw new FatalPollError(`the panel shows an error: ${state.error}`);
      return state.uris.length === count ? state.uris : undefined;
    },
    timeoutMs,
    100,
  );
}

/** Waits until every image in the panel that has a source is decoded (for a complete screenshot). */
export async function imagesDecoded(frame: Frame, timeoutMs = 10_000): Promise<void> {
  await poll(
    "the panel's images to load",
    () => frame.evaluate(() => [...document.images].every((img) => !img.getAttribute('src') || (img.complete && img.naturalWidth > 0))),
    timeoutMs,
  );
}

/** Waits for a file to exist (and be non-empty) on disk. */
export async function waitForFile(file: string, timeoutMs = 10_000): Promise<void> {
  await poll(`${path.basename(file)} on disk`, () => fs.existsSync(file) && fs.statSync(file).size > 0, timeoutMs, 50);
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(outputDir, { recursive: true });
  const file = path.join(outputDir, name);
  await page.screenshot({ path: file });
  return file;
}

/** Switches the workbench's colour theme from the command palette, e.g. "Dark Modern". */
export async function setColorTheme(page: Page, theme: string): Promise<void> {
  const input = await openCommandPalette(page);
  await input.fill('>Preferences: Color Theme');
  await quickPickRow(page, /^Preferences: Color Theme/)
    .first()
    .click();
  // The themes are listed a moment after the picker opens: filter once they are there.
  await quickPickRow(page, /Modern/)
    .first()
    .waitFor({ timeout: 10_000 });
  await input.fill(theme);
  await quickPickRow(page, new RegExp(escapeRegExp(theme)))
    .first()
    .waitFor({ timeout: 10_000 });
  await input.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
}

/** Picks `label` in the panel's dropdown `id`, with the mouse. */
export async function chooseOption(frame: Frame, id: string, label: string): Promise<void> {
  const select = frame.locator(`#${id}`);
  await select.click();
  await select.getByRole('option', { name: label, exact: true }).click();
  await poll(`${id} to show ${label}`, async () => (await select.evaluate((el) => (el as unknown as { value: string }).value)) !== '' || undefined);
}

/** Removes the edited outputs (and sidecars) in the workspace so the next test starts from the fixture files. */
export function removeOutputs(workspace: string): void {
  for (const name of fs.readdirSync(workspace)) {
    if (/\.edited-\d+\./.test(name)) fs.rmSync(path.join(workspace, name), { force: true });
  }
}

/** Runs `fn`; on failure saves a screenshot and the logs before rethrowing. */
export async function withArtifacts<T>(editor: Editor, name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    await editor.saveFailureArtifacts(name).catch(() => undefined);
    throw e;
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
