import * as vscode from 'vscode';
import { SECTION } from '../config';
import { isRunRecord, type RunRecord } from './runRecord';

/**
 * Each run under its own key, so two windows recording different runs never overwrite each other.
 * globalState rather than a file in globalStorageUri: it is already in memory at activation, so
 * finding runs to resume costs no file read; VS Code shares it between windows.
 */
const KEY_PREFIX = 'gptImageEdit.run/';
const DEFAULT_MAX_RUNS = 200;

/** The recorded runs, in the extension's global state. Light: used at activation. */
export class RunHistory implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when this window changes a record. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly state: vscode.Memento) {}

  /** Newest first. */
  list(): RunRecord[] {
    return this.keys()
      .map((key) => this.state.get<unknown>(key))
      .filter(isRunRecord)
      .sort((a, b) => b.createdAt - a.createdAt);
  }

  get(runId: string): RunRecord | undefined {
    const value = this.state.get<unknown>(KEY_PREFIX + runId);
    return isRunRecord(value) ? value : undefined;
  }

  hasInFlight(): boolean {
    return this.list().some((r) => r.status === 'inFlight');
  }

  /** Adds or replaces a record; adding one drops the oldest settled runs beyond the bound. */
  async put(record: RunRecord): Promise<void> {
    const isNew = this.get(record.runId) === undefined;
    const writes = [this.state.update(KEY_PREFIX + record.runId, record)];
    if (isNew) writes.push(...this.overflow().map((r) => this.state.update(KEY_PREFIX + r.runId, undefined)));
    this.changed.fire();
    await Promise.all(writes);
  }

  /** Changes a record from its current stored value (read and written in one synchronous step). */
  async update(runId: string, change: (record: RunRecord) => RunRecord): Promise<void> {
    const current = this.get(runId);
    if (current) await this.put(change(current));
  }

  async remove(runIds: readonly string[]): Promise<void> {
    const writes = runIds.map((id) => this.state.update(KEY_PREFIX + id, undefined));
    this.changed.fire();
    await Promise.all(writes);
  }

  /** Runs beyond the bound, oldest first; runs in flight are never dropped (they are being resumed). */
  private overflow(): RunRecord[] {
    const max = vscode.workspace.getConfiguration(SECTION).get<number>('history.maxRuns', DEFAULT_MAX_RUNS);
    const settled = this.list().filter((r) => r.status !== 'inFlight');
    const inFlight = this.list().length - settled.length;
    return settled.slice(Math.max(0, max - inFlight));
  }

  private keys(): string[] {
    return this.state.keys().filter((k) => k.startsWith(KEY_PREFIX));
  }

  dispose(): void {
    this.changed.dispose();
  }
}
