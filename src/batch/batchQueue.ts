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
  work: (item: T, index: number, signal: AbortSignal) => Promise<R>;
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

  const runItem = async (index: number): Promise<BatchItemOutcome<R>> => {
    try {
      onItemStart?.(index);
      return { index, status: 'succeeded', result: await work(items[index], index, signal) };
    } catch (error) {
      return { index, status: signal.aborted ? 'canceled' : 'failed', error };
    }
  };

  // Each lane takes the next unstarted item until the list runs out or the batch is aborted.
  const lane = async (): Promise<void> => {
    while (next < items.length && !signal.aborted) {
      const outcome = await runItem(next++);
      outcomes[outcome.index] = outcome;
      try {
        onItemSettled?.(outcome);
      } catch {
        // A listener's bug must not lose the item's outcome or stop the other lanes.
      }
    }
  };

  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  return outcomes;
}
