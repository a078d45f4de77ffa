import type * as vscode from 'vscode';
import { randomUUID } from 'crypto';
import type { RunHistory } from './runHistory';
import type { RunLease, RunRecord } from './runRecord';

const HEARTBEAT_MS = 10_000;
/** A claim not renewed for this long belongs to a window that went away. */
export const LEASE_STALE_MS = 30_000;
/** Long enough for another window's claim, written at the same moment, to reach this one. */
const CLAIM_SETTLE_MS = 300;

/**
 * Which window settles a run. globalState is shared between windows, so two windows restored
 * together would both resume the same run and save its outputs twice. Each window claims the
 * run, waits for a concurrent claim to arrive, and goes on only if its own claim is the one
 * stored; it renews the claim while it works.
 */
export class RunLeases implements vscode.Disposable {
  private readonly owner = randomUUID();
  private readonly held = new Set<string>();
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(private readonly history: RunHistory) {}

  /** For a run this window just created: no other window knows of it yet, so no settling wait. */
  hold(runId: string): RunLease {
    this.held.add(runId);
    this.startHeartbeat();
    return this.stamp();
  }

  /** Takes the run unless this window or another live one is already settling it. */
  async claim(runId: string): Promise<boolean> {
    const record = this.history.get(runId);
    if (!record || this.held.has(runId) || this.heldElsewhere(record)) return false;
    this.held.add(runId);
    await this.history.update(runId, (r) => ({ ...r, lease: this.stamp() }));
    await new Promise((resolve) => setTimeout(resolve, CLAIM_SETTLE_MS));
    if (this.history.get(runId)?.lease?.owner === this.owner) {
      this.startHeartbeat();
      return true;
    }
    this.held.delete(runId);
    return false;
  }

  async release(runId: string): Promise<void> {
    if (!this.held.delete(runId)) return;
    if (this.held.size === 0) this.stopHeartbeat();
    await this.history.update(runId, (r) => (r.lease?.owner === this.owner ? { ...r, lease: undefined } : r));
  }

  /** Another window renewed its claim on this run recently. */
  heldElsewhere(record: RunRecord, now = Date.now()): boolean {
    return record.lease !== undefined && record.lease.owner !== this.owner && now - record.lease.at < LEASE_STALE_MS;
  }

  private stamp(): RunLease {
    return { owner: this.owner, at: Date.now() };
  }

  private startHeartbeat(): void {
    this.heartbeat ??= setInterval(() => {
      for (const runId of this.held) void this.history.update(runId, (r) => ({ ...r, lease: this.stamp() }));
    }, HEARTBEAT_MS);
    this.heartbeat.unref?.();
  }

  private stopHeartbeat(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  dispose(): void {
    this.stopHeartbeat();
  }
}
