// The backbone in a real editor: activation, contributed commands, setting / rejecting / clearing
// the API key against the Runflow emulator (its URL arrives as env RUNFLOW_EMULATOR_URL; the
// runner also points `gptImageEdit.apiBaseUrl` at it in the user settings).
// Loaded by test/integration/index.ts (mocha BDD globals).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

const EXTENSION_ID = 'runflow-tools.gpt-image-edit';
const COMMANDS = ['gptImageEdit.setApiKey', 'gptImageEdit.clearApiKey', 'gptImageEdit.editImage'];
const GOOD_KEY = 'rf_live_emulator';
const BAD_KEY = 'rf_live_wrong';

interface ShownMessage {
  severity: 'info' | 'warning' | 'error';
  message: string;
}
interface KeyQuestion {
  message: string;
  detail: string;
}
interface GptImageEditApi {
  hasApiKey(): Promise<boolean>;
  onDidShowMessage: vscode.Event<ShownMessage>;
  testing?: { replaceModalAnswer(kind: 'keyFromArgument', answer: ((q: KeyQuestion) => Promise<boolean>) | undefined): void };
}
interface LoggedRequest {
  origin: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  status: number;
}

function emulatorUrl(): string {
  const url = process.env.RUNFLOW_EMULATOR_URL;
  assert.ok(url, 'RUNFLOW_EMULATOR_URL is not set: run these tests through test/vscode/run.ts');
  return url.replace(/\/$/, '');
}

async function emulatorRequests(): Promise<LoggedRequest[]> {
  const res = await fetch(`${emulatorUrl()}/__emulator/requests`);
  assert.equal(res.status, 200, 'GET /__emulator/requests');
  const body = (await res.json()) as LoggedRequest[] | { requests: LoggedRequest[] };
  return Array.isArray(body) ? body : body.requests;
}

async function resetEmulator(): Promise<void> {
  const res = await fetch(`${emulatorUrl()}/__emulator/reset`, { method: 'POST' });
  await res.arrayBuffer();
  assert.ok(res.ok, `POST /__emulator/reset answered ${res.status}`);
}

/** Polls `probe` until it returns a value (not undefined) or `ms` passes. */
async function eventually<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Records every message the extension shows while `fn` runs (and a little after, via the returned list). */
function recordMessages(api: GptImageEditApi): { messages: ShownMessage[]; dispose(): void } {
  const messages: ShownMessage[] = [];
  const sub = api.onDidShowMessage((m) => messages.push(m));
  return { messages, dispose: () => sub.dispose() };
}

describe('extension skeleton (real editor)', () => {
  let api: GptImageEditApi;

  before(async () => {
    const ext = vscode.extensions.getExtension<GptImageEditApi>(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is not installed in the editor`);
    api = await ext.activate();
    // The tests set keys through the command's argument, which asks the person first (a modal tests cannot click).
    api.testing!.replaceModalAnswer('keyFromArgument', async () => true);
  });

  it('activates; its exports report every message shown and whether a key is set', async () => {
    const ext = vscode.extensions.getExtension<GptImageEditApi>(EXTENSION_ID)!;
    assert.equal(ext.isActive, true);
    const shown: string[] = [];
    const listening = api.onDidShowMessage((m) => shown.push(m.message));
    try {
      await vscode.commands.executeCommand('gptImageEdit.clearApiKey');
      assert.deepEqual(shown, ['Runflow API key cleared.']);
      assert.equal(await api.hasApiKey(), false);
    } finally {
      listening.dispose();
    }
  });

  it('contributes its commands', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const contributed: string[] = (ext.packageJSON.contributes?.commands ?? []).map((c: { command: string }) => c.command);
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const id of COMMANDS) {
      assert.ok(contributed.includes(id), `${id} is not in package.json contributes.commands`);
      assert.ok(registered.has(id), `${id} is not registered in the editor`);
    }
  });

  it('its walkthrough pages, named through package.nls, are files of the extension', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const steps: { media: { markdown?: string } }[] = ext.packageJSON.contributes.walkthroughs.flatMap((w: { steps: unknown[] }) => w.steps);
    assert.equal(steps.length, 4);
    for (const { media } of steps) {
      // The editor reads the manifest with its %placeholders% replaced (English here): a page is a real file, not a placeholder.
      assert.match(media.markdown ?? '', /^media\/walkthrough\/[a-z-]+\.md$/);
      const page = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(ext.extensionUri, media.markdown!)));
      assert.match(page, /^# /);
    }
  });

  it('sets a valid API key after checking it with Runflow', async () => {
    await vscode.commands.executeCommand('gptImageEdit.clearApiKey');
    await resetEmulator();
    const rec = recordMessages(api);
    try {
      const ok = await vscode.commands.executeCommand<boolean>('gptImageEdit.setApiKey', GOOD_KEY);
      assert.equal(ok, true, 'setApiKey should resolve true for the emulator key');
      assert.equal(await api.hasApiKey(), true);
      const check = await eventually('GET /v1/auth/me with the key in the emulator log', async () =>
        (await emulatorRequests()).find((r) => r.path === '/v1/auth/me'),
      );
      assert.equal(check.method, 'GET');
      assert.equal(check.headers.authorization, `Bearer ${GOOD_KEY}`);
      assert.equal(check.status, 200);
      assert.ok(!rec.messages.some((m) => m.severity === 'error'), `unexpected error: ${JSON.stringify(rec.messages)}`);
    } finally {
      rec.dispose();
    }
  });

  it('a key given as a command argument is stored only once the person agrees to the account it names', async () => {
    await vscode.commands.executeCommand('gptImageEdit.clearApiKey');
    const asked: KeyQuestion[] = [];
    try {
      api.testing!.replaceModalAnswer('keyFromArgument', async (q) => (asked.push(q), false));
      assert.equal(await vscode.commands.executeCommand<boolean>('gptImageEdit.setApiKey', GOOD_KEY), false);
      assert.equal(asked.length, 1, 'asked before storing');
      assert.match(asked[0].message, /emulator@runflow\.local/, 'the question names the account the key belongs to');
      assert.equal(await api.hasApiKey(), false, 'nothing stored on No');
      api.testing!.replaceModalAnswer('keyFromArgument', async (q) => (asked.push(q), true));
      assert.equal(await vscode.commands.executeCommand<boolean>('gptImageEdit.setApiKey', GOOD_KEY), true);
      assert.equal(await api.hasApiKey(), true);
    } finally {
      api.testing!.replaceModalAnswer('keyFromArgument', async () => true);
    }
  });

  it('a key from RUNFLOW_API_KEY is announced once in the window', async () => {
    await vscode.commands.executeCommand('gptImageEdit.clearApiKey');
    const before = process.env.RUNFLOW_API_KEY;
    process.env.RUNFLOW_API_KEY = GOOD_KEY;
    const rec = recordMessages(api);
    try {
      assert.equal(await api.hasApiKey(), true);
      assert.equal(await api.hasApiKey(), true);
      const announced = rec.messages.filter((m) => /Using RUNFLOW_API_KEY from the environment/.test(m.message));
      assert.equal(announced.length, 1, JSON.stringify(rec.messages));
    } finally {
      rec.dispose();
      if (before === undefined) delete process.env.RUNFLOW_API_KEY;
      else process.env.RUNFLOW_API_KEY = before;
      assert.equal(await vscode.commands.executeCommand<boolean>('gptImageEdit.setApiKey', GOOD_KEY), true);
    }
  });

  it('refuses a key Runflow rejects, says so, and keeps the stored key', async () => {
    assert.equal(await api.hasApiKey(), true, 'precondition: a key is stored by the previous test');
    await resetEmulator();
    const rec = recordMessages(api);
    try {
      const ok = await vscode.commands.executeCommand<boolean>('gptImageEdit.setApiKey', BAD_KEY);
      assert.equal(ok, false, 'setApiKey should resolve false for a rejected key');
      const shown = await eventually('an error message about the rejected key', () => rec.messages.find((m) => m.severity === 'error'));
      assert.match(shown.message, /reject/i);
      assert.ok(!shown.message.includes(BAD_KEY), 'the message must not echo the key');
      const check = (await emulatorRequests()).find((r) => r.path === '/v1/auth/me');
      assert.ok(check, 'the rejected key was checked with Runflow');
      assert.equal(check.headers.authorization, `Bearer ${BAD_KEY}`);
      assert.equal(check.status, 401);
      assert.equal(await api.hasApiKey(), true, 'the previously stored key is still there');
    } finally {
      rec.dispose();
    }
  });

  it('a key Runflow answers 403 for on /v1/auth/me is saved with a warning that names the scopes', async () => {
    await resetEmulator();
    const r = await fetch(`${emulatorUrl()}/__emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'status', match: { path: '/v1/auth/me' }, status: 403, code: 'PERMISSION_DENIED' }),
    });
    assert.ok(r.ok);
    const rec = recordMessages(api);
    try {
      assert.equal(await vscode.commands.executeCommand<boolean>('gptImageEdit.setApiKey', GOOD_KEY), true, 'saved: a 403 proves the key exists');
      const warning = await eventually('the warning', () => rec.messages.find((m) => m.severity === 'warning'));
      assert.match(warning.message, /runs:create, runs:read, assets:create/);
      assert.match(warning.message, /app\.runflow\.io/);
      assert.equal(await api.hasApiKey(), true);
    } finally {
      rec.dispose();
    }
  });

  it('clears the API key', async () => {
    await vscode.commands.executeCommand('gptImageEdit.clearApiKey');
    assert.equal(await api.hasApiKey(), false);
  });
});
