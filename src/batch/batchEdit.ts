import * as vscode from 'vscode';
import { RunflowError } from '../runflow';
import { EditStoppedError, type EditJob, type EditResult } from '../edit/editJob';
import { baseName } from '../edit/outputNames';
import type { BatchItem, BatchItemStatus, RunPhase } from '../shared/protocol';
import { userMessage } from '../showError';
import { runBatch, type BatchItemOutcome } from './batchQueue';

export interface BatchEditDeps {
  /** Which images to run now: all of them, or a failed one being retried. */
  indices: readonly number[];
  /** The job of one image: a new one, or (for a retry) the one whose run already exists. */
  jobFor(index: number): Promise<EditJob>;
  signal: AbortSignal;
  concurrency: number;
  /** Each change of an image's state, in order; the settled ones are final. */
  onItem(item: BatchItem): void;
}

/**
 * Runs one edit job per image through the batch queue, so each image's outputs are saved beside
 * it exactly as a single edit saves them. Resolves with every image's outcome once all settled.
 */
export async function editEach(deps: BatchEditDeps): Promise<BatchItemOutcome<EditResult>[]> {
  const lastStatus = new Map<number, BatchItemStatus>();
  const runIds = new Map<number, string>();
  const emit = (item: BatchItem): void => {
    lastStatus.set(item.index, item.status);
    deps.onItem(item);
  };
  for (const index of deps.indices) emit({ index, status: 'queued', outputs: [] });

  const outcomes = await runBatch(deps.indices, {
    concurrency: deps.concurrency,
    signal: deps.signal,
    work: async (index, _position, signal) => {
      const job = await deps.jobFor(index);
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
  // runBatch reports only the items it started; the rest were stopped by the cancel.
  for (const outcome of outcomes) if (outcome.status === 'not_started') emit(settledItem(deps.indices[outcome.index], outcome, runIds));
  return outcomes;
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
