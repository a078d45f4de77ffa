// `npm start`: try the extension by hand in a real VS Code in your browser, offline, against the
// Runflow emulator. (The npm script installs the editor and builds first; this file builds nothing.)
//
//   emulator     http://127.0.0.1:8787 (key rf_live_emulator, each edit takes ~3 s of "model time")
//   code-server  http://127.0.0.1:8080 (no password), Node 24, folder .tools/demo-workspace
//                (a copy of samples/ made on first start; your edits there are kept)
//   extension    this checkout, symlinked into the demo's extensions dir, so `node esbuild.js`
//                (or `node esbuild.js --watch`) + reloading the browser tab picks up changes.
//
// Ctrl-C stops everything. Env overrides: DEMO_EDITOR_PORT, DEMO_EMULATOR_PORT.
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startEmulator, type Emulator } from '../emulator';
import {
  copyDir,
  killGroupNow,
  pathWithNode24,
  portInUse,
  projectRoot,
  quietSettings,
  readPackageJson,
  stopGroup,
  tools,
  waitForHttp,
  writeUserSettings,
} from './common';

const HOST = '127.0.0.1';
const EDITOR_PORT = Number(process.env.DEMO_EDITOR_PORT) || 8080;
const EMULATOR_PORT = Number(process.env.DEMO_EMULATOR_PORT) || 8787;
const MODEL_TIME_MS = 3000;

const root = projectRoot();
let emulator: Emulator | undefined;
let editor: ChildProcess | undefined;
let stopping = false;

async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping the editor and the emulator…');
  await stopGroup(editor, 5000);
  await emulator?.close().catch(() => undefined);
  process.exit(code);
}

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => void stop(0));
process.on('exit', () => killGroupNow(editor));

async function main(): Promise<void> {
  const t = tools(root);
  const pkg = readPackageJson(root);
  const extId = `${pkg.publisher}.${pkg.name}`;
  if (!fs.existsSync(path.join(root, 'dist/extension.js'))) {
    throw new Error('dist/extension.js is missing: run `node esbuild.js` first (npm start does)');
  }
  for (const [port, what] of [
    [EMULATOR_PORT, 'the emulator'],
    [EDITOR_PORT, 'the editor'],
  ] as const) {
    if (await portInUse(port, HOST)) {
      throw new Error(
        `port ${port} (for ${what}) is already in use: is another \`npm start\` running? Stop it, or set ${port === EDITOR_PORT ? 'DEMO_EDITOR_PORT' : 'DEMO_EMULATOR_PORT'}.`,
      );
    }
  }

  const demo = path.join(t.dir, 'demo'); // the editor's profile, kept between starts
  const workspace = path.join(t.dir, 'demo-workspace');
  const dirs = {
    userData: path.join(demo, 'user-data'),
    extensions: path.join(demo, 'extensions'),
    xdg: path.join(demo, 'xdg'),
  };
  for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
  if (!fs.existsSync(workspace)) {
    fs.mkdirSync(workspace, { recursive: true });
    copyDir(path.join(root, 'samples'), workspace);
  }

  // The extension: this checkout, linked in as <publisher>.<name>-<version>; stale links go.
  for (const entry of fs.readdirSync(dirs.extensions)) {
    if (entry.startsWith(`${extId}-`)) fs.rmSync(path.join(dirs.extensions, entry), { recursive: true, force: true });
  }
  fs.rmSync(path.join(dirs.extensions, 'extensions.json'), { force: true });
  fs.symlinkSync(root, path.join(dirs.extensions, `${extId}-${pkg.version}`), 'dir');

  emulator = await startEmulator({ host: HOST, port: EMULATOR_PORT, modelTimeMs: MODEL_TIME_MS });
  writeUserSettings(dirs.userData, {
    ...quietSettings,
    'gptImageEdit.apiBaseUrl': emulator.baseUrl,
  });

  const xdg = {
    XDG_CONFIG_HOME: path.join(dirs.xdg, 'config'),
    XDG_DATA_HOME: path.join(dirs.xdg, 'data'),
    XDG_CACHE_HOME: path.join(dirs.xdg, 'cache'),
  };
  editor = spawn(
    t.codeServer,
    [
      '--bind-addr',
      `${HOST}:${EDITOR_PORT}`,
      '--auth',
      'none',
      '--user-data-dir',
      dirs.userData,
      '--extensions-dir',
      dirs.extensions,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      workspace,
    ],
    {
      cwd: workspace,
      detached: true, // its own process group, so stop() takes its children too
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        ...xdg,
        PATH: pathWithNode24(t),
        RUNFLOW_API_KEY: emulator.apiKey,
        RUNFLOW_EMULATOR_URL: emulator.baseUrl,
      },
    },
  );
  const logFile = fs.createWriteStream(path.join(demo, 'code-server.log'));
  editor.stdout!.pipe(logFile);
  editor.stderr!.pipe(logFile);
  let exited: string | undefined;
  editor.on('exit', (code, signal) => {
    exited = `code-server exited (${signal ?? code}); see ${path.relative(root, path.join(demo, 'code-server.log'))}`;
    if (!stopping) {
      console.error(exited);
      void stop(1);
    }
  });
  const url = `http://${HOST}:${EDITOR_PORT}`;
  await waitForHttp(`${url}/healthz`, 60_000, () => exited);

  const line = '─'.repeat(66);
  console.log(`
${line}
  GPT Image 2 Editor — demo (offline, against the Runflow emulator)

  Open  ${url}  in your browser.

  Folder        ${workspace}
  Emulator      ${emulator.baseUrl}   API key: ${emulator.apiKey}
                (already set for you through RUNFLOW_API_KEY; edits take ~${MODEL_TIME_MS / 1000} s)
  Try it        right-click an image in the explorer → "Edit Image with GPT Image 2…"
  After a code change: \`node esbuild.js\`, then reload the browser tab.
  Editor log    ${path.join(demo, 'code-server.log')}

  Press Ctrl-C to stop everything.
${line}
`);
}

main().catch(async (e) => {
  console.error(`npm start: ${(e as Error).message}`);
  await stop(1);
});
