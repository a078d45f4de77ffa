import type * as vscode from 'vscode';
import { randomUUID } from 'crypto';
import type { RunStore } from './runStore';

const HEARTBEAT_MS = 10_000;

/**
 * Which window settles a run. Two windows restored together would both resume the same run and
 * save its outputs twice; each claims the run's lease in the shared store first, goes on only with
 * it, and renews it while it works.
 */
export class RunLeases implements vscode.Disposable {
  private readonly owner = randomUUID();
  private readonly held = new Set<string>();
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(private readonly store: RunStore) {}

  /** Takes the run unless this window or another live one is already settling it. */
  async claim(id: string): Promise<boolean> {
    if (this.held.has(id)) return false;
    // Taken before the first await, so two claims in this window cannot both succeed.
    this.held.add(id);
    if (!(await this.store.claim(id, this.owner).catch(() => false))) {
      this.held.delete(id);
      return false;
    }
    this.heartbeat ??= setInterval(() => void this.renewAll(), HEARTBEAT_MS);
    this.heartbeat.unref?.();
    return true;
  }

  async release(id: string): Promise<void> {
    if (!this.held.delete(id)) return;
    if (this.held.size === 0) this.stopHeartbeat();
    await this.store.release(id, this.owner);
  }

  /** Whether another live window holds the run's lease. */
  heldElsewhere(id: string): Promise<boolean> {
    return this.store.heldElsewhere(id, this.owner);
  }

  private async renewAll(): Promise<void> {
    for (const id of this.held) {
      // A lease lost while this window was suspended belongs to the window that took it over.
      if (!(await this.store.renew(id, this.owner).catch(() => false))) this.held.delete(id);
    }
  }

  private stopHeartbeat(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  dispose(): void {
    this.stopHeartbeat();
  }
}
