/** A log-normal distribution of run durations: ln(ms) ~ Normal(mu, sigma). */
export interface LogNormal {
  mu: number;
  sigma: number;
}

/** Before any data: runs of this model usually finish within 60 s; median ~20 s, wide. */
export const PRIOR_DURATION: LogNormal = { mu: Math.log(20_000), sigma: 0.9 };

// Pseudo-observations the prior is worth: small, so a handful of real runs dominate it. Its
// weight on the spread also fades with n, so a long history is not kept artificially wide.
const PRIOR_WEIGHT = 0.2;
// A pooled fit over other keys (another size or quality) is a looser hint than the key's own runs.
const POOLED_MIN_SIGMA = 0.6;
// Floor on the fitted spread, so a run of identical durations is not taken as exact. 0.02 is
// ±32 ms on a 1.6 s run: the planner can still aim a poll just after the end, not ~100 ms after.
const MIN_SIGMA = 0.02;

const DEFAULTS = { maxSamplesPerKey: 30, maxKeys: 32 };

/** Serialised form of a DurationModel (what `toJSON` returns and `fromJSON` reads). */
export interface DurationModelJSON {
  version: 1;
  samples: Record<string, number[]>;
  /** Queue times (created → started) of runs created alone; absent in models saved before them. */
  queues?: Record<string, number[]>;
}

function fit(logs: readonly number[], prior: LogNormal): LogNormal {
  const n = logs.length;
  if (n === 0) return prior;
  const mean = logs.reduce((a, b) => a + b, 0) / n;
  const squares = logs.reduce((a, y) => a + (y - mean) ** 2, 0);
  const mu = (PRIOR_WEIGHT * prior.mu + n * mean) / (PRIOR_WEIGHT + n);
  const spreadWeight = 1 / n;
  const variance = (spreadWeight * prior.sigma ** 2 + squares) / (spreadWeight + n - 1);
  return { mu, sigma: Math.max(MIN_SIGMA, Math.sqrt(variance)) };
}

const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** The newest samples per key, bounded in samples and keys; Map order is recency (the first key is evicted). */
class RecentSamples {
  private readonly byKey = new Map<string, number[]>();

  constructor(
    private readonly maxSamplesPerKey: number,
    private readonly maxKeys: number,
  ) {}

  add(key: string, value: number): void {
    const samples = this.byKey.get(key) ?? [];
    this.byKey.delete(key);
    samples.push(value);
    if (samples.length > this.maxSamplesPerKey) samples.splice(0, samples.length - this.maxSamplesPerKey);
    this.byKey.set(key, samples);
    while (this.byKey.size > this.maxKeys) this.byKey.delete(this.byKey.keys().next().value as string);
  }

  get size(): number {
    return this.byKey.size;
  }

  of(key: string): readonly number[] {
    return this.byKey.get(key) ?? [];
  }

  entries(): [string, readonly number[]][] {
    return [...this.byKey];
  }

  toJSON(): Record<string, number[]> {
    return Object.fromEntries([...this.byKey].map(([k, s]) => [k, [...s]]));
  }

  /** Adds what `toJSON` wrote, through `add`; anything malformed is skipped. */
  static read(json: unknown, into: (key: string, value: unknown) => void): void {
    if (!json || typeof json !== 'object' || Array.isArray(json)) return;
    for (const [key, values] of Object.entries(json)) {
      if (Array.isArray(values)) for (const v of values) into(key, v);
    }
  }
}

/**
 * Recent observed run durations per key (e.g. `model|quality|size`), for planning polls, and the
 * queue times before those runs started; bounded, persistable.
 */
export class DurationModel {
  private readonly durations: RecentSamples;
  private readonly queues: RecentSamples;

  constructor(opts: { maxSamplesPerKey?: number; maxKeys?: number } = {}) {
    const { maxSamplesPerKey, maxKeys } = { ...DEFAULTS, ...opts };
    this.durations = new RecentSamples(maxSamplesPerKey, maxKeys);
    this.queues = new RecentSamples(maxSamplesPerKey, maxKeys);
  }

  /** Records one observed duration (ms) of a finished run. */
  record(key: string, durationMs: number): void {
    if (isFiniteNumber(durationMs) && durationMs > 0) this.durations.add(key, durationMs);
  }

  /**
   * Records how long a run this client created alone waited from its creation to its start (ms):
   * the service's queue. A batch's runs also wait for the batch's own slots, so they are not recorded.
   */
  recordQueue(key: string, queuedMs: number): void {
    if (isFiniteNumber(queuedMs) && queuedMs >= 0) this.queues.add(key, queuedMs);
  }

  /** The shortest queue among a key's recent runs (0 when none is known): a new run is not expected to start sooner. */
  shortestQueue(key: string): number {
    const queues = this.queues.of(key);
    return queues.length ? Math.min(...queues) : 0;
  }

  /** Whether any duration (of any key) has been recorded. */
  hasSamples(): boolean {
    return this.durations.size > 0;
  }

  /** The recorded durations of a key, oldest first. */
  samples(key: string): readonly number[] {
    return this.durations.of(key);
  }

  /** The fitted duration distribution for a key: its own runs, shrunk towards other keys' runs or the prior. */
  distribution(key?: string): LogNormal {
    const own = key === undefined ? [] : this.samples(key);
    const others = this.durations
      .entries()
      .filter(([k]) => k !== key)
      .flatMap(([, s]) => s);
    const pooled = fit(others.map(Math.log), PRIOR_DURATION);
    const base = others.length ? { mu: pooled.mu, sigma: Math.max(POOLED_MIN_SIGMA, pooled.sigma) } : PRIOR_DURATION;
    return fit(own.map(Math.log), base);
  }

  /** A plain object for persisting (e.g. in the extension's global state). */
  toJSON(): DurationModelJSON {
    return { version: 1, samples: this.durations.toJSON(), queues: this.queues.toJSON() };
  }

  /** Rebuilds a model from `toJSON()` output; anything malformed is skipped, never thrown. */
  static fromJSON(json: unknown, opts?: { maxSamplesPerKey?: number; maxKeys?: number }): DurationModel {
    const model = new DurationModel(opts);
    const saved = json as Partial<Record<keyof DurationModelJSON, unknown>> | null | undefined;
    RecentSamples.read(saved?.samples, (key, v) => model.record(key, v as number));
    RecentSamples.read(saved?.queues, (key, v) => model.recordQueue(key, v as number));
    return model;
  }
}
