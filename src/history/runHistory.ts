import * as vscode from 'vscode';
import { watch, type FSWatcher } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import { SECTION } from '../settings/config';
import { readRecord, isUnsettled, type RunRecord } from './runRecord';
import { RunStore } from './runStore';

const DEFAULT_MAX_RUNS = 200;
/** Where version 1 kept each record, in globalState: moved to files on first start. */
const V1_KEY_PREFIX = 'gptImageEdit.run/';
/** Other windows write in bursts; one refresh per burst. */
const WATCH_DEBOUNCE_MS = 100;

/**
 * The recorded edits: one file per edit under the extension's global storage (RunStore), which
 * every window shares safely; globalState is not used for them, since VS Code writes it whole and
 * two windows would overwrite each other's records. Changes made by this window fire
 * `onDidChange` at once, those of other windows when the folder's watcher sees them.
 */
export class RunHistory implements vscode.Disposable {
  readonly store: RunStore;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private watcher: FSWatcher | undefined;
  private debounce: NodeJS.Timeout | undefined;
  /** Resolves once records left in globalState by version 1 are in the store. */
  readonly ready: Promise<void>;
  /** Each record's creation time, read at most once per window: pruning finds the oldest without reading every record. */
  private readonly createdAt = new Map<string, number>();

  constructor(storageFolder: string, legacyState?: vscode.Memento) {
    this.store = new RunStore(path.join(storageFolder, 'history'));
    // A failed migration leaves the old records where they were; the history works on without them.
    this.ready = this.migrate(legacyState)
      .catch(() => undefined)
      .then(() => this.startWatching());
  }

  /** Newest first. */
  async list(): Promise<RunRecord[]> {
    await this.ready;
    return this.store.list();
  }

  async get(id: string): Promise<RunRecord | undefined> {
    await this.ready;
    return this.store.get(id);
  }

  /** The record with this id, or of Runflow's run with this id (commands and tests may name either). */
  async find(ref: string): Promise<RunRecord | undefined> {
    if (/^[A-Za-z0-9_-]{1,100}$/.test(ref)) {
      const byId = await this.get(ref);
      if (byId) return byId;
    }
    return (await this.list()).find((r) => r.runId === ref);
  }

  async hasUnsettled(): Promise<boolean> {
    return (await this.list()).some(isUnsettled);
  }

  /** Adds or replaces a record; adding one drops the oldest settled records beyond the bound. */
  async put(record: RunRecord): Promise<void> {
    await this.ready;
    const isNew = (await this.store.get(record.id)) === undefined;
    await this.store.put(record);
    this.createdAt.set(record.id, record.createdAt);
    if (isNew) await this.drop((await this.overflow()).map((r) => r.id));
    this.changed.fire();
  }

  /** Changes a record from its current stored value; resolves with the new one. */
  async update(id: string, change: (record: RunRecord) => RunRecord): Promise<RunRecord | undefined> {
    await this.ready;
    const next = await this.store.update(id, change);
    if (next) this.changed.fire();
    return next;
  }

  async remove(ids: readonly string[]): Promise<void> {
    await this.ready;
    await this.drop(ids);
    this.changed.fire();
  }

  private async drop(ids: readonly string[]): Promise<void> {
    await this.store.remove(ids);
    for (const id of ids) this.createdAt.delete(id);
  }

  /**
   * Records beyond the bound, oldest first; unsettled ones are never dropped (they are being
   * settled). Reading every record on each new edit made a large batch's adds quadratic: only the
   * oldest are read, for their status (which another window may have changed).
   */
  private async overflow(): Promise<RunRecord[]> {
    const max = vscode.workspace.getConfiguration(SECTION).get<number>('history.maxRuns', DEFAULT_MAX_RUNS);
    const ids = await this.store.ids();
    if (ids.length <= max) return [];
    for (const id of ids) {
      if (this.createdAt.has(id)) continue;
      const record = await this.store.get(id);
      if (record) this.createdAt.set(id, record.createdAt);
    }
    const readable = ids.filter((id) => this.createdAt.has(id)).sort((a, b) => this.createdAt.get(a)! - this.createdAt.get(b)!);
    const dropped: RunRecord[] = [];
    for (const id of readable) {
      if (dropped.length >= readable.length - max) break;
      const record = await this.store.get(id);
      if (record && !isUnsettled(record)) dropped.push(record);
    }
    return dropped;
  }

  private async migrate(state: vscode.Memento | undefined): Promise<void> {
    const keys = state?.keys().filter((k) => k.startsWith(V1_KEY_PREFIX)) ?? [];
    for (const key of keys) {
      const record = readRecord(state!.get<unknown>(key));
      if (record && !(await this.store.get(record.id))) await this.store.put(record);
      await state!.update(key, undefined);
    }
  }

  private async startWatching(): Promise<void> {
    try {
      await mkdir(this.store.recordsFolder, { recursive: true });
      this.watcher = watch(this.store.recordsFolder, () => {
        clearTimeout(this.debounce);
        this.debounce = setTimeout(() => this.changed.fire(), WATCH_DEBOUNCE_MS);
      });
      this.watcher.on('error', () => this.watcher?.close());
    } catch {
      // Without a watcher, other windows' changes show on this window's next own change.
    }
  }

  dispose(): void {
    clearTimeout(this.debounce);
    this.watcher?.close();
    this.changed.dispose();
  }
}
