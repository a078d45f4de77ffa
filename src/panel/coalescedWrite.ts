/**
 * A write that many changes ask for but that need only happen once they pause: a batch of a
 * thousand images changes its list thousands of times, and each write stores the whole list.
 * `schedule()` writes `delayMs` after the first request not yet written; `flush()` writes a
 * pending one now (the batch ended, the panel closes).
 */
export class CoalescedWrite {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly write: () => Thenable<void>,
    private readonly delayMs: number,
  ) {}

  schedule(): void {
    this.timer ??= setTimeout(() => void this.flush(), this.delayMs);
  }

  /** Writes now if a write is pending; resolves once it is done. */
  async flush(): Promise<void> {
    if (!this.timer) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.write();
  }
}
