import { sleep } from './sleep';

/**
 * A pause shared by every client and request that hold the same gate. Runflow limits per key, so
 * when one request is told to slow down (429) the others would be told the same on their next
 * request: one signal pauses them all, instead of each worker spending its own 429 to learn it.
 */
export class RateLimitGate {
  private pausedUntil = 0;

  /** Resolves once no pause is in effect; rejects with an 'aborted' RunflowError if `signal` aborts first. */
  async ready(signal?: AbortSignal): Promise<void> {
    // A loop, because another 429 may extend the pause while this caller waits.
    for (let wait = this.remainingMs(); wait > 0; wait = this.remainingMs()) await sleep(wait, signal);
  }

  /** Pauses every holder for at least `ms` from now; a longer pause already in effect is kept. */
  backoff(ms: number): void {
    if (Number.isFinite(ms) && ms > 0) this.pausedUntil = Math.max(this.pausedUntil, Date.now() + ms);
  }

  /** How long the current pause still lasts (0 when there is none). */
  remainingMs(): number {
    return Math.max(0, this.pausedUntil - Date.now());
  }
}
