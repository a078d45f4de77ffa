/** How long a confirmation stays good for: an invoke later than this has to be prepared again. */
export const PREPARED_LIFETIME_MS = 120_000;

interface Prepared<T> {
  outcome: T;
  at: number;
}

/**
 * What prepareInvocation resolved, kept for the invoke that follows, so the run is the request
 * the person saw (paths, defaults and cost as shown) and a refusal stays a refusal. Keyed by the
 * input's canonical JSON, the one thing both calls are given.
 */
export class PreparedRequests<T> {
  private readonly byInput = new Map<string, Prepared<T>[]>();

  constructor(private readonly now: () => number = Date.now) {}

  remember(input: unknown, outcome: T): void {
    this.forget();
    const key = canonicalJson(input);
    this.byInput.set(key, [...(this.byInput.get(key) ?? []), { outcome, at: this.now() }]);
  }

  /** The latest preparation of this input, taken (an invoke runs it once); undefined when none is current. */
  take(input: unknown): T | undefined {
    this.forget();
    const key = canonicalJson(input);
    const entries = this.byInput.get(key);
    const latest = entries?.pop();
    if (entries?.length === 0) this.byInput.delete(key);
    return latest?.outcome;
  }

  /** Drops what is older than its lifetime. */
  private forget(): void {
    const oldest = this.now() - PREPARED_LIFETIME_MS;
    for (const [key, entries] of this.byInput) {
      const current = entries.filter((entry) => entry.at >= oldest);
      if (current.length) this.byInput.set(key, current);
      else this.byInput.delete(key);
    }
  }
}

/** JSON with object keys sorted, so the same input gives the same text however it was built. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
