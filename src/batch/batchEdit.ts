import * as vscode from 'vscode';
import { RunflowError } from '../runflow';
import { EditStoppedError, type EditJob, type EditResult } from '../edit/editJob';
import { baseName } from '../edit/outputNames';
import type { BatchItem, BatchItemStatus, RunPhase } from '../shared/protocol';
import { userMessage } from '../showError';
import { runBatch, type BatchItemOutcome } from './batchQueue';
import { MAX_BATCH_ITEMS } from '../runflow';
import type { BatchCreator } from './batchCreates';

/** How far the batch route's first stage may run ahead of the images being waited for. */
const QUEUE_AHEAD = 2 * MAX_BATCH_ITEMS;

export interface BatchEditDeps {
  /** Which images to run now: all of them, or a failed one being retried. */
  indices: readonly number[];
  /** The job of one image: a new one, or (for a retry) the one whose run already exists. */
  jobFor(index: number): Promise<EditJob>;
  signal: AbortSignal;
  concurrency: number;
  /** Each change of an image's state, in order; the settled ones are final. */
  onItem(item: BatchItem): void;
  /** Runflow's batch route, when the batch is large enough for it: creates go out 100 at a time. */
  batchCreator?: BatchCreator;
}

/**
 * Runs one edit job per image through the batch queue, so each image's outputs are saved beside
 * it exactly as a single edit saves them. Resolves with every image's outcome once all settled.
 * With a batch creator, a first stage uploads each image and queues its create (at most
 * `concurrency` at once, up to QUEUE_AHEAD images ahead of the waits), so Runflow gets the runs
 * 100 per request; each job then waits for its run and saves it as usual.
 */
export async function editEach(deps: BatchEditDeps): Promise<BatchItemOutcome<EditResult>[]> {
  const lastStatus = new Map<number, BatchItemStatus>();
  const runIds = new Map<number, string>();
  const emit = (item: BatchItem): void => {
    lastStatus.set(item.index, item.status);
    deps.onItem(item);
  };
  for (const index of deps.indices) emit({ index, status: 'queued', outputs: [] });
  // Both stages ask for an image's job: it is made once.
  const jobs = new Map<number, Promise<EditJob>>();
  const jobOf = (index: number): Promise<EditJob> => {
    if (!jobs.has(index)) jobs.set(index, deps.jobFor(index));
    return jobs.get(index)!;
  };
  const waitsStarted = new Progress();
  // An image's wait starts only once the first stage has queued its create (or passed it by), so
  // no image is created alone while its create was about to join a batch.
  const queued = deps.batchCreator ? queueCreates(deps, deps.batchCreator, jobOf, waitsStarted) : undefined;

  const outcomes = await runBatch(deps.indices, {
    concurrency: deps.concurrency,
    signal: deps.signal,
    work: async (index, position, signal) => {
      waitsStarted.reach(position + 1);
      await queued?.[position];
      const job = await jobOf(index);
      const listening = job.onEvent((event) => {
        if (event.type !== 'phase') return;
        if (event.runId) runIds.set(index, event.runId);
        // Polls repeat the same phase; the panel needs only the changes.
        const status = statusOf(event.phase);
        if (lastStatus.get(index) !== status) emit({ index, status, outputs: [], runId: event.runId });
      });
      try {
        return await job.run(signal);
      } catch (e) {
        if (job.runId) runIds.set(index, job.runId);
        throw e;
      } finally {
        listening.dispose();
      }
    },
    onItemSettled: (outcome) => emit(settledItem(deps.indices[outcome.index], outcome, runIds)),
  });
  waitsStarted.reach(Infinity);
  // runBatch reports only the items it started; the rest were stopped by the cancel. One whose
  // create went out in a batch has a run: it is recorded as stopped waiting, never lost.
  for (const outcome of outcomes) {
    if (outcome.status !== 'not_started') continue;
    const index = deps.indices[outcome.index];
    const job = await jobs.get(index)?.catch(() => undefined);
    if (job?.mayHaveRun) {
      const stopped = await job.abandon();
      emit({ index, status: 'canceled', outputs: [], message: stopped.message, runId: stopped.runId });
    } else {
      await job?.abandon();
      emit(settledItem(index, outcome, runIds));
    }
  }
  return outcomes;
}

/**
 * The batch route's first stage: each image's job uploads its inputs and queues its create.
 * Returns, per position, when the stage is done with that image (it never rejects).
 */
function queueCreates(deps: BatchEditDeps, creator: BatchCreator, jobOf: (index: number) => Promise<EditJob>, waitsStarted: Progress): Promise<void>[] {
  const handled = deps.indices.map(() => {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    return { promise, resolve };
  });
  void runBatch(deps.indices, {
    concurrency: deps.concurrency,
    signal: deps.signal,
    work: async (index, position, signal) => {
      try {
        await waitsStarted.atLeast(position - QUEUE_AHEAD);
        if (creator.accepting) await (await jobOf(index)).queueCreate(creator, signal);
      } finally {
        handled[position].resolve();
      }
    },
  }).then(() => {
    creator.flush();
    for (const h of handled) h.resolve(); // Those a cancel kept the stage from reaching.
  });
  return handled.map((h) => h.promise);
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

/** The run's phases, as the batch list names them. */
function statusOf(phase: RunPhase): BatchItemStatus {
  switch (phase) {
    case 'uploading':
      return 'uploading';
    case 'queued':
    case 'dispatching':
    case 'running':
      return 'running';
    case 'downloading':
    case 'saving':
      return 'saving';
  }
}

function settledItem(index: number, outcome: BatchItemOutcome<EditResult>, runIds: ReadonlyMap<number, string>): BatchItem {
  const { result, error } = outcome;
  const runId = runIds.get(index);
  switch (outcome.status) {
    case 'succeeded':
      return {
        index,
        status: 'done',
        runId: result!.runId,
        outputs: result!.saved.map((uri) => ({ uri: uri.toString(), name: baseName(uri) })),
        message: result!.notes.length ? result!.notes.join(' ') : undefined,
      };
    case 'failed':
      return { index, status: 'failed', outputs: [], message: userMessage(error), runId: (error instanceof RunflowError && error.runId) || runId };
    case 'canceled':
      return { index, status: 'canceled', outputs: [], message: userMessage(error), runId: (error instanceof EditStoppedError && error.runId) || runId };
    case 'not_started':
      return { index, status: 'canceled', outputs: [], message: vscode.l10n.t('Not started: the batch was canceled.') };
  }
}
