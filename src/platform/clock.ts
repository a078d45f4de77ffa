import type * as vscode from 'vscode';

/** Waits the extension schedules (look-ups again later), through something a test can move on. */
export interface Clock {
  /** Calls `fn` once `ms` have passed; dispose to cancel. */
  after(ms: number, fn: () => void): vscode.Disposable;
}

export const systemClock: Clock = {
  after: (ms, fn) => {
    const timer = setTimeout(fn, ms);
    return { dispose: () => clearTimeout(timer) };
  },
};

/** Set by the integration tests' runners: a development build then waits on a ManualClock. */
export const MANUAL_CLOCK_ENV = 'GPT_IMAGE_EDIT_MANUAL_CLOCK';

/** A clock that moves only when a test says (test builds only): a test never sleeps to prove a wait. */
export class ManualClock implements Clock {
  private elapsed = 0;
  private waiting: { at: number; fn: () => void }[] = [];

  after(ms: number, fn: () => void): vscode.Disposable {
    const entry = { at: this.elapsed + ms, fn };
    this.waiting.push(entry);
    return { dispose: () => (this.waiting = this.waiting.filter((w) => w !== entry)) };
  }

  /** Moves time on by `ms`, calling what falls due, earliest first. */
  advance(ms: number): void {
    this.elapsed += ms;
    const due = this.waiting.filter((w) => w.at <= this.elapsed).sort((a, b) => a.at - b.at);
    this.waiting = this.waiting.filter((w) => w.at > this.elapsed);
    for (const w of due) w.fn();
  }
}
