// Security in the real editor: the key never leaves secret storage and the API origin, settings
// cannot redirect it, the webview's messages are validated, markup stays data, and the CSP is
// strict. Prints `security(integration): …` with the key count (must be 0).
import * as vscode from 'vscode';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import {
  DEFAULT_OPTIONS,
  EMULATOR_KEY,
  EXTENSION_ID,
  emulator,
  extensionApi,
  freshFolder,
  openPanel,
  waitFor,
  type PanelSession,
  CREATE_PATH,
} from './support';
import type { GptImageEditApi } from '../../src/extension';
import type { ToWebview } from '../../src/shared/protocol';

describe('Security: the key, settings, the webview and its CSP', function () {
  this.timeout(90000);
  let api: GptImageEditApi;
  const sessions: PanelSession[] = [];
  const posted: ToWebview[] = [];
  const shown: string[] = [];
  const htmls: string[] = [];
  let listener: vscode.Disposable | undefined;
  let keysFound = 0;
  let badMessages = 0;

  before(async () => {
    api = await extensionApi();
    listener = api.onDidShowMessage((m) => shown.push(`${m.severity}: ${m.message}`));
    api.testing!.replaceModalAnswer('keyFromArgument', async () => true);
    assert.equal(await vscode.commands.executeCommand('gptImageEdit.setApiKey', EMULATOR_KEY), true);
  });
  after(async () => {
    listener?.dispose();
    for (const s of sessions) s.dispose();
    await vscode.commands.executeCommand('notifications.clearAll');
    console.log(`security(integration): bad_webview_messages=${badMessages} keys_found=${keysFound}`);
  });
  beforeEach(() => emulator.reset());

  async function open(image: vscode.Uri): Promise<PanelSession> {
    const s = await openPanel(api, image);
    sessions.push(s);
    s.probe.onDidPost((m) => posted.push(m));
    await s.next('init');
    htmls.push(s.probe.panel.webview.html);
    return s;
  }

  async function runTo(s: PanelSession, prompt: string, fault?: Parameters<typeof emulator.inject>[0]): Promise<ToWebview> {
    if (fault) await emulator.inject(fault);
    const from = s.posted.length;
    await s.probe.receive({ type: 'run', requestId: 1, prompt, options: DEFAULT_OPTIONS });
    return waitFor('the run to end', () => s.posted.slice(from).find((m) => m.type === 'results' || m.type === 'error'), 45000);
  }

  it('key hygiene: after the main flows, the key is in nothing the extension produced or sent', async () => {
    const folder = await freshFolder('key-hygiene', 'photo.png');
    // Flows: an inline edit, an uploaded (>1 MiB) edit with a 403 on the presigned PUT, a failed
    // run, an HTML error page that echoes the key, and a rate limit.
    const big = vscode.Uri.joinPath(folder, 'big.png');
    await vscode.workspace.fs.writeFile(big, await noisePng(640));
    const a = await open(vscode.Uri.joinPath(folder, 'photo.png'));
    assert.equal((await runTo(a, 'Make it snow')).type, 'results');
    assert.equal((await runTo(a, 'Fail please', { kind: 'run_outcome', outcome: 'failed', failureMessage: `Rejected for ${EMULATOR_KEY}` })).type, 'error');
    assert.equal(
      (
        await runTo(a, 'Echo', {
          kind: 'non_json_error',
          match: { method: 'POST', path: CREATE_PATH },
          status: 400,
          body: `<p>bad key Bearer ${EMULATOR_KEY}</p>`,
        })
      ).type,
      'error',
    );
    const b = await open(big);
    await emulator.inject({ kind: 'upload_put_status', status: 403 });
    assert.equal((await runTo(b, 'Sharpen', { kind: 'status', match: { method: 'GET', path: '/v1/runs/*' }, status: 429 })).type, 'results');

    const storageRequests = (await emulator.requests()).filter((r) => r.origin === 'storage');
    const allRequests = await emulator.requests();
    assert.ok(storageRequests.length >= 3, 'uploads and downloads went to the storage origin');

    const texts: [string, string][] = [];
    for (const m of posted) texts.push(['posted message', JSON.stringify(m)]);
    for (const h of htmls) texts.push(['webview html', h]);
    for (const m of shown) texts.push(['shown message', m]);
    for (const r of storageRequests) {
      assert.equal(r.headers.authorization, undefined, `no authorization header to storage: ${r.method} ${r.path}`);
      texts.push(['storage request', JSON.stringify(r)]);
    }
    for (const r of allRequests) texts.push(['request URL', `${r.path}?${new URLSearchParams(r.query)}`]);
    for (const file of filesUnder(folder.fsPath)) texts.push([`workspace file ${path.basename(file)}`, fs.readFileSync(file, 'latin1')]);
    const scanned = settingsAndStorageFiles();
    for (const file of scanned) texts.push([file, fs.readFileSync(file, 'latin1')]);
    const hits = texts.filter(([, t]) => t.includes(EMULATOR_KEY)).map(([where]) => where);
    keysFound += hits.length;
    console.log(
      `security: scanned ${texts.length} texts (${posted.length} posted messages, ${shown.length} shown messages, ${storageRequests.length} storage requests, ${scanned.length} settings/storage files); key found in ${hits.length}`,
    );
    assert.deepEqual(hits, [], 'the key appears nowhere');
    assert.ok(
      posted.some((m) => m.type === 'error' && /\[redacted\]/.test(m.message)),
      'an echoed key was redacted, not just absent',
    );
  });

  it('settings: gptImageEdit.apiBaseUrl in workspace settings is ignored (application scope)', async () => {
    const root = vscode.workspace.workspaceFolders![0].uri;
    const settingsFile = path.join(root.fsPath, '.vscode', 'settings.json');
    const before = fs.existsSync(settingsFile) ? fs.readFileSync(settingsFile, 'utf8') : undefined;
    fs.mkdirSync(path.dirname(settingsFile), { recursive: true });
    fs.writeFileSync(settingsFile, JSON.stringify({ ...(before ? JSON.parse(before) : {}), 'gptImageEdit.apiBaseUrl': 'http://example.com' }, null, 2));
    try {
      await waitFor(
        'the workspace setting to load',
        () => (vscode.workspace.getConfiguration('gptImageEdit').inspect<string>('apiBaseUrl')?.workspaceValue === 'http://example.com' ? true : undefined),
        3000,
      ).catch(() => undefined); // VS Code may not even surface an application setting from a workspace
      const folder = await freshFolder('ws-base-url', 'photo.png');
      const s = await open(vscode.Uri.joinPath(folder, 'photo.png'));
      const end = await runTo(s, 'Make it blue');
      assert.equal(end.type, 'results', JSON.stringify(end));
      assert.equal((await emulator.runs()).length, 1, 'the run went to the user-configured API (the emulator)');
    } finally {
      if (before === undefined) fs.rmSync(settingsFile);
      else fs.writeFileSync(settingsFile, before);
    }
  });

  it('settings: a plain-http, non-loopback apiBaseUrl in user settings is refused with a message, no key sent', async () => {
    const config = vscode.workspace.getConfiguration('gptImageEdit');
    const original = config.inspect<string>('apiBaseUrl')?.globalValue;
    await config.update('apiBaseUrl', 'http://example.com', vscode.ConfigurationTarget.Global);
    try {
      const folder = await freshFolder('insecure-url', 'photo.png');
      const s = await open(vscode.Uri.joinPath(folder, 'photo.png'));
      const end = await runTo(s, 'Anything');
      assert.equal(end.type, 'error', JSON.stringify(end));
      assert.match((end as { message: string }).message, /must use https/);
      assert.match((end as { message: string }).message, /http:\/\/example\.com/);
      assert.equal((await emulator.requests()).length, 0);
    } finally {
      await config.update('apiBaseUrl', original, vscode.ConfigurationTarget.Global);
    }
    assert.equal(vscode.workspace.getConfiguration('gptImageEdit').inspect<string>('apiBaseUrl')?.globalValue, original, 'setting restored');
  });

  it('webview: messages that fail their schema are dropped: nothing posted back, nothing run', async () => {
    const folder = await freshFolder('bad-messages', 'photo.png');
    const s = await open(vscode.Uri.joinPath(folder, 'photo.png'));
    const from = s.posted.length;
    const bad: unknown[] = [
      null,
      'run',
      42,
      { type: 'bogus' },
      { type: 'run', prompt: 5, options: DEFAULT_OPTIONS },
      { type: 'run', prompt: 'x', options: { ...DEFAULT_OPTIONS, numImages: 99 } },
      { type: 'run', prompt: 'x', options: { ...DEFAULT_OPTIONS, outputFormat: 'gif' } },
      { type: 'run', prompt: 'x', options: DEFAULT_OPTIONS, mask: 'data:text/html;base64,PHNjcmlwdD4=' },
      { type: 'run', prompt: 'x'.repeat(32001), options: DEFAULT_OPTIONS },
      { type: 'openResult', uri: 7 },
      { type: 'action', action: 'rm -rf' },
    ];
    for (const message of bad) await s.probe.receive(message);
    badMessages += bad.length;
    // A well-formed message naming a file the panel never showed is refused, not opened. Its
    // answer is the first thing posted since: the dropped messages before it posted nothing.
    await s.probe.receive({ type: 'openResult', requestId: 1, uri: 'file:///etc/passwd' });
    badMessages++;
    const refusal = await s.next('error', from);
    assert.match(refusal.message, /never shown/);
    assert.deepEqual(s.posted.slice(from), [refusal], 'nothing posted back for the dropped messages');
    assert.equal((await emulator.requests()).length, 0, 'nothing run');
    assert.ok(!vscode.window.tabGroups.all.flatMap((g) => g.tabs).some((t) => /passwd/.test(t.label)), 'not opened');
  });

  it('webview: markup in a file name and a prompt stays data; the HTML shell escapes it; the webview never parses HTML', async () => {
    const folder = await freshFolder('markup');
    const name = '<img src=x onerror=alert(1)>.png';
    const image = vscode.Uri.joinPath(folder, name);
    await vscode.workspace.fs.copy(vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, 'photo.png'), image);
    const s = await open(image);
    const html = s.probe.panel.webview.html;
    assert.ok(!html.includes('<img'), 'the title is escaped in the HTML shell');
    assert.ok(html.includes('&#60;img src=x onerror=alert(1)&#62;'), 'and still readable');
    const init = await s.next('init');
    assert.equal(init.image.name, name, 'the name is posted as plain data');
    const end = await runTo(s, '<script>alert(document.cookie)</script><b onmouseover=alert(1)>bold</b>');
    assert.equal(end.type, 'results', JSON.stringify(end));
    const sidecar = JSON.parse(
      new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder, '<img src=x onerror=alert(1)>.edited-1.png.json'))),
    );
    assert.equal(sidecar.prompt, '<script>alert(document.cookie)</script><b onmouseover=alert(1)>bold</b>', 'stored verbatim as JSON data');
    // The webview renders every host string with textContent / attributes: no HTML sink exists.
    const sources = filesUnder(path.join(extensionRoot(), 'src', 'webview')).filter((f) => f.endsWith('.ts'));
    assert.ok(sources.length > 3);
    for (const file of sources) {
      const text = fs.readFileSync(file, 'utf8');
      assert.ok(
        !/\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write|createContextualFragment|\beval\(|new Function\(/.test(text),
        `HTML sink in ${path.basename(file)}`,
      );
    }
  });

  it('webview: the CSP has no unsafe-inline, no unsafe-eval and no remote origin', async () => {
    const folder = await freshFolder('csp', 'photo.png');
    const s = await open(vscode.Uri.joinPath(folder, 'photo.png'));
    const html = s.probe.panel.webview.html;
    const metas = [...html.matchAll(/<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/gi)];
    assert.equal(metas.length, 1, 'exactly one CSP meta tag');
    const directives = new Map(
      metas[0][1]
        .split(';')
        .map((d) => d.trim())
        .filter(Boolean)
        .map((d) => {
          const [name, ...values] = d.split(/\s+/);
          return [name, values] as const;
        }),
    );
    assert.deepEqual(directives.get('default-src'), ["'none'"]);
    const script = directives.get('script-src') ?? [];
    assert.equal(script.length, 1);
    assert.match(script[0], /^'nonce-[A-Za-z0-9+/=]{16,}'$/);
    const own = new Set(s.probe.panel.webview.cspSource.split(/\s+/));
    for (const [name, values] of directives) {
      for (const v of values) {
        assert.ok(!/unsafe-inline|unsafe-eval|unsafe-hashes|strict-dynamic/i.test(v), `${name} ${v}`);
        assert.notEqual(v, '*', `${name} allows everything`);
        if (/^(https?:|wss?:|\*\.)/i.test(v) || /^[a-z0-9.-]+\.[a-z]{2,}/i.test(v)) assert.ok(own.has(v), `${name} allows a remote origin ${v}`);
        if (name === 'script-src' || name === 'default-src') assert.ok(!/^(data:|blob:|https?:)$/i.test(v), `${name} ${v}`);
      }
    }
    const nonce = script[0].slice("'nonce-".length, -1);
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    for (const [, attrs, body] of scripts) {
      assert.ok(attrs.includes(`nonce="${nonce}"`), 'every script carries the nonce');
      assert.equal(body.trim(), '', 'no inline script code');
    }
    assert.ok(!/\son[a-z]+=/i.test(html), 'no inline event handlers');
  });
});

function extensionRoot(): string {
  return vscode.extensions.getExtension('runflow-tools.gpt-image-edit')!.extensionPath;
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/**
 * The user settings and the server's storage (global/workspace state, extension storage, logs)
 * of this test editor: the runner puts them beside the workspace (user-data, server-data). A scan
 * that finds no settings file or none of the extension's own storage fails: it would prove nothing.
 */
function settingsAndStorageFiles(): string[] {
  const root = vscode.workspace.workspaceFolders![0].uri.fsPath;
  const tmp = path.dirname(root);
  const dirs = ['user-data', 'server-data'].map((d) => path.join(tmp, d)).filter((d) => fs.existsSync(d));
  const files = dirs.flatMap(filesUnder).filter((f) => fs.statSync(f).size < 50 * 1024 * 1024);
  const wsSettings = path.join(root, '.vscode', 'settings.json');
  if (fs.existsSync(wsSettings)) files.push(wsSettings);
  assert.ok(
    files.some((f) => path.basename(f) === 'settings.json' && f.includes(`${path.sep}User${path.sep}`)),
    `the user settings are among the ${files.length} files scanned`,
  );
  assert.ok(
    files.some((f) => f.includes(EXTENSION_ID)),
    "the extension's own storage is among the files scanned",
  );
  return files;
}

async function noisePng(side: number): Promise<Buffer> {
  const raw = Buffer.alloc(side * side * 4);
  let x = 11;
  for (let i = 0; i < raw.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    raw[i] = i % 4 === 3 ? 255 : x >>> 24;
  }
  return sharp(raw, { raw: { width: side, height: side, channels: 4 } })
    .png({ compressionLevel: 0 })
    .toBuffer();
}
