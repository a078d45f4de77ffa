// Helpers for suites that run inside the real extension host against the emulator.
import * as vscode from 'vscode';
import * as assert from 'node:assert/strict';
import type { GptImageEditApi, EditPanelProbe } from '../../src/extension';
import type { ToWebview } from '../../src/shared/protocol';
import type { Fault } from '../emulator/faults';
import type { EmulatorRunView, LoggedRequest } from '../emulator/types';

export const EXTENSION_ID = 'runflow-tools.gpt-image-edit';
export const EMULATOR_KEY = 'rf_live_emulator';
export const CREATE_PATH = '/v1/models/openai/gpt-image-2/edit/runs';

function emulatorUrl(): string {
  const url = process.env.RUNFLOW_EMULATOR_URL;
  assert.ok(url, 'RUNFLOW_EMULATOR_URL must be set by the test runner');
  return url;
}

/** The emulator's admin routes: faults, reset, what it received. */
export const emulator = {
  async inject(fault: Fault | Fault[]): Promise<void> {
    const r = await fetch(`${emulatorUrl()}/__emulator/faults`, {
      method: 'POST',
      body: JSON.stringify(fault),
      headers: { 'content-type': 'application/json' },
    });
    assert.ok(r.ok, `injecting a fault failed: ${r.status}`);
  },
  async reset(): Promise<void> {
    const r = await fetch(`${emulatorUrl()}/__emulator/reset`, { method: 'POST' });
    assert.ok(r.ok, `reset failed: ${r.status}`);
  },
  async runs(): Promise<EmulatorRunView[]> {
    return (await fetch(`${emulatorUrl()}/__emulator/runs`)).json() as Promise<EmulatorRunView[]>;
  },
  async requests(): Promise<LoggedRequest[]> {
    return (await fetch(`${emulatorUrl()}/__emulator/requests`)).json() as Promise<LoggedRequest[]>;
  },
};

export async function extensionApi(): Promise<GptImageEditApi> {
  const extension = vscode.extensions.getExtension<GptImageEditApi>(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is not installed`);
  return extension.activate();
}

/** The extension's exports, with the emulator's key set through the command a user runs. */
export async function signedInApi(): Promise<GptImageEditApi> {
  const api = await extensionApi();
  // A key given as the command's argument is asked about in a modal, which tests cannot click.
  api.testing!.replaceModalAnswer('keyFromArgument', async () => true);
  assert.equal(await vscode.commands.executeCommand('gptImageEdit.setApiKey', EMULATOR_KEY), true);
  return api;
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = 15000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A fresh folder in the workspace holding copies of the named fixture images. */
export async function freshFolder(name: string, ...files: string[]): Promise<vscode.Uri> {
  const root = vscode.workspace.workspaceFolders?.[0]?.uri;
  assert.ok(root, 'the tests need a workspace folder');
  const folder = vscode.Uri.joinPath(root, 'runs', `${name}-${Date.now().toString(36)}`);
  await vscode.workspace.fs.createDirectory(folder);
  for (const file of files) await vscode.workspace.fs.copy(vscode.Uri.joinPath(root, file), vscode.Uri.joinPath(folder, file));
  return folder;
}

export async function listNames(folder: vscode.Uri): Promise<string[]> {
  return (await vscode.workspace.fs.readDirectory(folder)).map(([name]) => name).sort();
}

/** Records what the panel posts to its webview, and waits for a message of a given type. */
export class PanelSession {
  readonly posted: ToWebview[] = [];
  private readonly subscription: vscode.Disposable;

  constructor(readonly probe: EditPanelProbe) {
    this.subscription = probe.onDidPost((m) => this.posted.push(m));
  }

  next<T extends ToWebview['type']>(type: T, after = 0): Promise<Extract<ToWebview, { type: T }>> {
    return waitFor(
      `a "${type}" message to the webview`,
      () => this.posted.slice(after).find((m): m is Extract<ToWebview, { type: T }> => m.type === type),
      30000,
    );
  }

  dispose(): void {
    this.subscription.dispose();
    this.probe.panel.dispose();
  }
}

/** Opens the edit panel on `image` through the command a user runs and waits for the webview to be ready. */
export async function openPanel(api: GptImageEditApi, image: vscode.Uri, selection?: vscode.Uri[]): Promise<PanelSession> {
  await vscode.commands.executeCommand('gptImageEdit.editImage', image, selection);
  const probe = await waitFor('the edit panel', () => api.testing?.editPanel(image));
  const session = new PanelSession(probe);
  // The real webview posts `ready` once loaded; the host answers with `init`.
  await waitFor('the panel to send init', () => (probe.panel.visible ? true : undefined));
  return session;
}

/**
 * The usual hooks of a suite that drives panels: a signed-in API before all, a fresh emulator
 * before each test, and every panel the test opened with `open` closed after it.
 */
export function panelSuite(): { api: () => GptImageEditApi; open: (image: vscode.Uri) => Promise<PanelSession> } {
  let api: GptImageEditApi | undefined;
  const opened: PanelSession[] = [];
  before(async () => {
    api = await signedInApi();
  });
  beforeEach(() => emulator.reset());
  afterEach(() => {
    for (const session of opened.splice(0)) session.dispose();
  });
  return {
    api: () => api!,
    open: async (image) => {
      const session = await openPanel(api!, image);
      opened.push(session);
      return session;
    },
  };
}

export { DEFAULT_OPTIONS } from '../../src/shared/options';
