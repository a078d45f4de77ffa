import { RunflowError } from './errors';
import { abortedError, sleep } from './sleep';
import type { RateLimitGate } from './rateLimitGate';

/** Backoff settings; defaults follow Runflow's advice (1 s doubling, cap 32 s, 5 attempts). */
export interface RetryOptions {
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

/** A wait before the next attempt: how long, and what it answers (`rate_limited`, `server`, …). */
export interface RetryWait {
  delayMs: number;
  kind: RunflowError['kind'];
}

/** Everything a retry loop needs besides the attempt itself. */
export interface RetryContext {
  retry: Required<RetryOptions>;
  random: () => number;
  signal?: AbortSignal;
  /** Epoch ms after which no retry starts. */
  deadline?: number;
  log: (message: string) => void;
  /** Told before each wait between attempts, so a caller can show it. */
  onRetryWait?: (wait: RetryWait) => void;
  /** Shared with other clients: a 429 here pauses them too, for the same delay. */
  rateLimitGate?: RateLimitGate;
}

/** Runflow's advice, used where the caller does not override it. */
export const DEFAULT_RETRY: Required<RetryOptions> = { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 32_000 };

/**
 * Attempts while Runflow cannot be reached: waits of at most 1, 2 and 4 s (7 s in all), so the
 * user hears within seconds that the network is the problem, with Try Again, not after a minute.
 */
export const NETWORK_MAX_ATTEMPTS = 4;

/** Full-jitter exponential backoff before attempt `attempt + 1`. */
export function backoffDelay(attempt: number, retry: Required<RetryOptions>, random: () => number): number {
  const ceiling = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

/** Runs `attempt` until it succeeds, `shouldRetry` says no, attempts run out, or the deadline would pass. */
export async function retrying<T>(attempt: (n: number) => Promise<T>, shouldRetry: (error: RunflowError) => boolean, ctx: RetryContext): Promise<T> {
  for (let n = 1; ; n++) {
    if (ctx.signal?.aborted) throw abortedError();
    try {
      return await attempt(n);
    } catch (err) {
      const attempts = err instanceof RunflowError && err.kind === 'network' ? Math.min(ctx.retry.maxAttempts, NETWORK_MAX_ATTEMPTS) : ctx.retry.maxAttempts;
      if (!(err instanceof RunflowError) || n >= attempts || !shouldRetry(err)) throw err;
      // A server's Retry-After is honoured up to the backoff cap: an hour-long one must not stall a batch.
      const delay = Math.min(err.retryAfterMs ?? backoffDelay(n, ctx.retry, ctx.random), ctx.retry.maxDelayMs);
      if (err.kind === 'rate_limited') ctx.rateLimitGate?.backoff(delay);
      if (ctx.deadline !== undefined && Date.now() + delay >= ctx.deadline) throw err;
      ctx.log(`${err.kind} error${err.status ? ` (HTTP ${err.status})` : ''}; retrying in ${delay} ms (attempt ${n + 1} of ${attempts})`);
      ctx.onRetryWait?.({ delayMs: delay, kind: err.kind });
      await sleep(delay, ctx.signal);
    }
  }
}

/** Safe for reads: anything that may be transient. */
export const retryTransient = (e: RunflowError): boolean => e.retryable;

/** Safe for writes that bill: only what proves the request was not accepted (a 429, or no connection made); after anything else, look first. */
export const retryUnaccepted = (e: RunflowError): boolean => e.kind === 'rate_limited' || e.notSent;

/** Safe for writes that bill nothing (an upload slot): a 429, or a server error (a repeat makes at most an unused slot). */
export const retryUnbilled = (e: RunflowError): boolean => e.kind === 'server' || retryUnaccepted(e);
