import * as vscode from 'vscode';
import { RunflowError } from '../runflow';
import { EditStoppedError, RUN_METADATA, type EditJob, type EditResult } from '../edit/editJob';
import type { EditSession } from '../edit/editRunner';
import { baseName } from '../image/outputNames';
import type { BatchItem, BatchItemStatus, RunPhase } from '../shared/protocol';
import { userMessage } from '../platform/showError';
import { runBatch, runStaged, type BatchItemOutcome, type BatchOptions } from './batchQueue';
import { BatchCreator, MAX_BATCH_ITEMS, worthBatching } from '../runflow';

/** How far the batch route's first stage may run ahead of the images being waited for. */
const QUEUE_AHEAD = 2 * MAX_BATCH_ITEMS;

export interface BatchEditDeps {
  /** The action's session: its client, and the window's shutdown. */
  session: EditSession;
  /** Which images to run now: all of them, or a failed one being retried. */
  indices: readonly number[];
  /** The job of one image: a new one, or (for a retry) the one whose run already exists. */
  jobFor(index: number): Promise<EditJob>;
  /** The user's stop. */
  signal: AbortSignal;
  concurrency: number;
  /** Each change of an image's state, in order; the settled ones are final. */
  onItem(item: BatchItem): void;
}

export interface BatchEditOutcome {
  /** Each image's, in the order of `indices`. */
  outcomes: BatchItemOutcome<EditResult>[];
  /** Requests to Runflow's batch route, and whether it refused them; undefined when the batch was too small to use it. */
  batchRoute?: BatchCreator['sent'];
}

/**
 * Runs one edit job per image through the batch queue, so each image's outputs are saved beside
 * it exactly as a single edit saves them. Resolves with every image's outcome once all settled.
 * When there are more images than run at once, Runflow's batch route is used: a first stage
 * uploads each image and queues its create (at most `concurrency` at once, up to QUEUE_AHEAD
 * images ahead of the waits), so Runflow gets the runs 100 per request; an image's wait starts
 * once its create is queued (so none is created alone while its create was about to join a
 * batch), then it saves as usual.
 */
export async function editEach(deps: BatchEditDeps): Promise<BatchEditOutcome> {
  const signal = deps.session.signal(deps.signal);
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
  const creator = worthBatching(deps.indices.length, deps.concurrency)
    ? new BatchCreator({ client: deps.session.client, signal, metadata: RUN_METADATA, firstBatchItems: deps.concurrency })
    : undefined;
  const options: BatchOptions<number, EditResult> = {
    concurrency: deps.concurrency,
    signal,
    work: async (index, _position, signal, release) => {
      const job = await jobOf(index);
      const listening = job.onEvent((event) => {
        if (event.type !== 'phase') return;
        // The run ended at Runflow: the next image's run may start while this one saves.
        if (event.phase === 'downloading') release();
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
  };
  const outcomes = creator
    ? await runStaged(deps.indices, {
        ...options,
        // Uploads each image and queues its create, so Runflow gets the runs 100 per request.
        prepare: async (index, _position, signal) => {
          if (creator.accepting) await (await jobOf(index)).queueCreate(creator, signal);
        },
        ahead: QUEUE_AHEAD,
        onPrepared: () => creator.flush(),
      })
    : await runBatch(deps.indices, options);
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
  return { outcomes, batchRoute: creator?.sent };
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
