import * as vscode from 'vscode';
import { RunflowError, type DurationModel, type RunflowClient } from '../runflow';
import { EditCanceledError, baseName, type EditJobDeps, type EditRequest, type EditResult } from '../edit/editJob';
import type { BatchItem, BatchItemStatus, EditOptions, RunPhase } from '../shared/protocol';
import { userMessage } from '../showError';
import { runBatch, type BatchItemOutcome } from './batchQueue';

/** Some images of a batch, each edited on its own with the same prompt and options (no mask). */
export interface BatchEditRequest {
  images: readonly vscode.Uri[];
  /** Which of `images` to run now: all of them, or a failed one being retried. */
  indices: readonly number[];
  prompt: string;
  options: EditOptions;
}

export interface BatchEditDeps {
  /** Edits one image: runEdit, or runEdit with its run kept in the history. */
  edit: (request: EditRequest, deps: EditJobDeps) => Promise<EditResult>;
  /** One client, holding one rate-limit gate, for the whole batch: a 429 pauses every image. */
  client: RunflowClient;
  signal: AbortSignal;
  concurrency: number;
  durations?: DurationModel;
  writeSidecars: boolean;
  /** Each change of an image's state, in order; the settled ones are final. */
  onItem(item: BatchItem): void;
}

/**
 * Runs `deps.edit` (runEdit) once per image through the batch queue, so each image's outputs are
 * saved beside it exactly as a single edit saves them. Resolves with every image's outcome once all settled.
 */
export async function editEach(request: BatchEditRequest, deps: BatchEditDeps): Promise<BatchItemOutcome<EditResult>[]> {
  const lastStatus = new Map<number, BatchItemStatus>();
  const emit = (item: BatchItem): void => {
    lastStatus.set(item.index, item.status);
    deps.onItem(item);
  };
  for (const index of request.indices) emit({ index, status: 'queued', outputs: [] });

  const outcomes = await runBatch(request.indices, {
    concurrency: deps.concurrency,
    signal: deps.signal,
    work: (index, _position, signal) =>
      deps.edit(
        { image: request.images[index], references: [], prompt: request.prompt, options: request.options },
        {
          client: deps.client,
          signal,
          durations: deps.durations,
          writeSidecars: deps.writeSidecars,
          // A question per image would stall a batch at every read-only folder: that image fails instead.
          chooseOtherFolder: async () => undefined,
          onProgress: ({ phase, runId }) => {
            // Polls repeat the same phase; the panel needs only the changes.
            const status = statusOf(phase);
            if (lastStatus.get(index) !== status) emit({ index, status, outputs: [], runId });
          },
        },
      ),
    onItemSettled: (outcome) => emit(settledItem(request.indices[outcome.index], outcome)),
  });
  // runBatch reports only the items it started; the rest were stopped by the cancel.
  for (const outcome of outcomes) if (outcome.status === 'not_started') emit(settledItem(request.indices[outcome.index], outcome));
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

function settledItem(index: number, outcome: BatchItemOutcome<EditResult>): BatchItem {
  const { result, error } = outcome;
  switch (outcome.status) {
    case 'succeeded':
      return {
        index,
        status: 'done',
        runId: result!.runId,
        outputs: result!.saved.map((uri) => ({ uri: uri.toString(), name: baseName(uri) })),
        message: result!.missing > 0 ? vscode.l10n.t('The model did not return {0} of the requested images.', result!.missing) : undefined,
      };
    case 'failed':
      return { index, status: 'failed', outputs: [], message: userMessage(error), runId: error instanceof RunflowError ? error.runId : undefined };
    case 'canceled':
      return {
        index,
        status: 'canceled',
        outputs: [],
        message: userMessage(error),
        runId: error instanceof EditCanceledError ? error.runId : undefined,
      };
    case 'not_started':
      return { index, status: 'canceled', outputs: [], message: vscode.l10n.t('Not started: the batch was canceled.') };
  }
}
