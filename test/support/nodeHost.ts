// The extension's long-lived objects (src/platform/host.ts) in plain Node, over the `vscode` stub: the real
// log, key store and history, with the window's state in memory and the history's files in a temp
// folder. The soak and the benches run edits through the product's runner on it
// (`EditRunner.of(host).session(...)`), as the panels do. Import test/support/vscodeStub first.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as vscode from 'vscode';
import { ApiKeyStore } from '../../src/platform/apiKeyStore';
import type { Host } from '../../src/platform/host';
import { Log } from '../../src/platform/log';
import { Notifier } from '../../src/platform/notify';
import { systemClock } from '../../src/platform/clock';
import { RunHistory } from '../../src/history/runHistory';
import { DurationModel } from '../../src/runflow';
import { setSettings } from './vscodeStub';

/** Where the duration model is kept (src/edit/durationStore.ts). */
const DURATIONS_KEY = 'gptImageEdit.runDurations';

class MemoryMemento implements vscode.Memento {
  private readonly values = new Map<string, unknown>();
  keys(): readonly string[] {
    return [...this.values.keys()];
  }
  get<T>(key: string, fallback?: T): T | undefined {
    return this.values.has(key) ? (this.values.get(key) as T) : fallback;
  }
  async update(key: string, value: unknown): Promise<void> {
    this.values.set(key, value);
  }
  setKeysForSync(): void {}
}

export interface NodeHost extends Host {
  /** Disposes what the host holds (the history's watcher) and removes its storage folder. */
  close(): void;
}

export interface NodeHostOptions {
  baseUrl: string;
  apiKey: string;
  /**
   * Run durations already learned, by key (e.g. `gpt-image-2|high|auto`), as the extension keeps
   * them across sessions: polls are then planned from them from the first edit.
   */
  learned?: Record<string, number>;
}

export async function nodeHost(opts: NodeHostOptions): Promise<NodeHost> {
  setSettings({ 'gptImageEdit.apiBaseUrl': opts.baseUrl });
  const storage = mkdtempSync(join(tmpdir(), 'gpt-image-edit-host-'));
  const globalState = new MemoryMemento();
  const durations = new DurationModel();
  for (const [key, ms] of Object.entries(opts.learned ?? {})) for (let i = 0; i < 8; i++) durations.record(key, ms * (0.9 + i * 0.03));
  await globalState.update(DURATIONS_KEY, durations.toJSON());
  const secrets = new Map<string, string>();
  const secretStorage = {
    get: async (id: string) => secrets.get(id),
    store: async (id: string, value: string) => void secrets.set(id, value),
    delete: async (id: string) => void secrets.delete(id),
  } as unknown as vscode.SecretStorage;
  const subscriptions: vscode.Disposable[] = [];
  const context = {
    subscriptions,
    globalState,
    workspaceState: new MemoryMemento(),
    secrets: secretStorage,
    globalStorageUri: { fsPath: storage },
  } as unknown as vscode.ExtensionContext;
  const keys = new ApiKeyStore(secretStorage, () => undefined);
  await keys.store(opts.apiKey);
  const history = new RunHistory(storage);
  await history.ready;
  const log = new Log();
  const notifier = new Notifier();
  return {
    context,
    log,
    notifier,
    keys,
    clock: systemClock,
    history,
    close() {
      for (const d of [...subscriptions, history, log, notifier]) d.dispose();
      rmSync(storage, { recursive: true, force: true });
    },
  };
}
