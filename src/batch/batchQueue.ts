import { defaultMaxListeners, setMaxListeners } from 'node:events';

/** Outcome of one batch item; `index` is its position in the input list. */
export interface BatchItemOutcome<R> {
  index: number;
  status: 'succeeded' | 'failed' | 'canceled' | 'not_started';
  result?: R;
  error?: unknown;
}

/** Settings of one `runBatch` call. */
export interface BatchOptions<T, R> {
  /** Most items in flight at once (at least 1). */
  concurrency: number;
  /** Abort: nothing new starts; running work gets the abort through its own signal. */
  signal: AbortSignal;
  /**
   * One item's work. `release` frees its lane for the next item while the item finishes (its run
   * ended at Runflow and only saving is left). A lane starts an item only while at most
   * `concurrency` are finishing past their release, so at most twice `concurrency` are.
   */
  work: (item: T, index: number, signal: AbortSignal, release: () => void) => Promise<R>;
  onItemStart?: (index: number) => void;
  onItemSettled?: (outcome: BatchItemOutcome<R>) => void;
}

/**
 * Runs `work` over `items`, starting them in list order with at most `concurrency` in flight.
 * Resolves (never rejects) once every started item has settled, with one outcome per item in list
 * order: a failing item does not stop the others. An item that rejects after the batch was aborted
 * counts as 'canceled'; items never started are 'not_started'.
 */
export async function runBatch<T, R>(items: readonly T[], options: BatchOptions<T, R>): Promise<BatchItemOutcome<R>[]> {
  const { signal, work, onItemStart, onItemSettled } = options;
  const concurrency = Math.max(1, Math.floor(options.concurrency));
  const outcomes: BatchItemOutcome<R>[] = items.map((_, index) => ({ index, status: 'not_started' }));
  let next = 0;

  const runItem = async (index: number, release: () => void): Promise<BatchItemOutcome<R>> => {
    try {
      onItemStart?.(index);
      return { index, status: 'succeeded', result: await work(items[index], index, signal, release) };
    } catch (error) {
      return { index, status: signal.aborted ? 'canceled' : 'failed', error };
    }
  };
  const settle = (outcome: BatchItemOutcome<R>): void => {
    outcomes[outcome.index] = outcome;
    try {
      onItemSettled?.(outcome);
    } catch {
      // A listener's bug must not lose the item's outcome or stop the other lanes.
    }
  };
  /** Items finishing past their release. */
  const finishing = new Set<Promise<void>>();

  // Each lane takes the next unstarted item until the list runs out or the batch is aborted, and
  // moves on when the item settles or releases it.
  const lane = async (): Promise<void> => {
    for (;;) {
      while (finishing.size > concurrency) await Promise.race(finishing);
      if (next >= items.length || signal.aborted) return;
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let settled = false;
      const done = runItem(next++, release).then((outcome) => {
        settled = true;
        settle(outcome);
      });
      await Promise.race([released, done]);
      if (!settled) {
        finishing.add(done);
        void done.then(() => finishing.delete(done));
      }
    }
  };

  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  await Promise.all(finishing);
  return outcomes;
}

/** Settings of a `runStaged` call: those of `runBatch`, and a first stage. */
export interface StagedBatchOptions<T, R> extends BatchOptions<T, R> {
  /** The first stage of an item (an upload, a queued create); its failure is left for `work` to meet. */
  prepare: (item: T, index: number, signal: AbortSignal) => Promise<void>;
  /** How many items the first stage may run ahead of the last `work` started. */
  ahead: number;
  /** The first stage has gone through every item it will (all, or those before a cancel). */
  onPrepared?: () => void;
}

/**
 * `runBatch` with a first stage that runs ahead: `prepare` goes over the items in list order, at
 * most `concurrency` at once and at most `ahead` items beyond the last work started, and an item's
 * `work` starts only once its `prepare` is done. So the first stage can gather items (into one
 * request for many) while the second works through those gathered before.
 */
export async function runStaged<T, R>(items: readonly T[], options: StagedBatchOptions<T, R>): Promise<BatchItemOutcome<R>[]> {
  const { prepare, ahead, onPrepared, work } = options;
  // Both stages' lanes, and the requests they make, listen to the one signal: not a leak.
  setMaxListeners(Math.max(defaultMaxListeners, 8 * options.concurrency), options.signal);
  const workStarted = new Progress();
  const prepared = items.map(() => {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    return { promise, resolve };
  });
  const firstStage = runBatch(items, {
    concurrency: options.concurrency,
    signal: options.signal,
    work: async (item, index, signal) => {
      try {
        await workStarted.atLeast(index - ahead);
        await prepare(item, index, signal);
      } finally {
        prepared[index].resolve();
      }
    },
  }).then(() => {
    for (const p of prepared) p.resolve(); // Those a cancel kept the stage from reaching.
    onPrepared?.();
  });
  const outcomes = await runBatch(items, {
    ...options,
    work: async (item, index, signal, release) => {
      await prepared[index].promise;
      workStarted.reach(index + 1);
      return work(item, index, signal, release);
    },
  });
  workStarted.reach(Infinity);
  await firstStage;
  return outcomes;
}

/** A count that only grows, and waits for it to reach a value. */
class Progress {
  private value = 0;
  private waiters: { at: number; resolve: () => void }[] = [];

  reach(value: number): void {
    if (value <= this.value) return;
    this.value = value;
    const ready = this.waiters.filter((w) => w.at <= value);
    this.waiters = this.waiters.filter((w) => w.at > value);
    for (const w of ready) w.resolve();
  }

  atLeast(at: number): Promise<void> {
    return at <= this.value ? Promise.resolve() : new Promise((resolve) => this.waiters.push({ at, resolve }));
  }
}
