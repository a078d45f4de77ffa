// What the batch figures share: images edited as the batch panel edits them, `editEach` with an
// edit runner's session (on test/support/nodeHost.ts; import test/support/vscodeStub first).
import type * as vscode from 'vscode';
import type { EditSession } from '../src/edit/editRunner';
import type { EditJob } from '../src/edit/editJob';
import { editEach, type BatchEditOutcome } from '../src/batch/batchEdit';
import { DEFAULT_OPTIONS } from '../src/shared/options';
import { promptFor } from './benchRuns';

/** A new edit of `image` with the default options, its run taking `modelTimeMs` at the emulator. */
export function startEdit(session: EditSession, image: vscode.Uri, modelTimeMs: number): Promise<EditJob> {
  return session.start({ image, references: [], prompt: promptFor('bench edit', modelTimeMs), options: { ...DEFAULT_OPTIONS } });
}

export interface RunnerBatch extends BatchEditOutcome {
  totalMs: number;
  /** Each image's client_ref (its record's id), by which the emulator's runs are matched to images. */
  clientRefs: string[];
}

/** Edits every image in one batch at `concurrency`. */
export async function editEachThroughRunner(
  session: EditSession,
  images: readonly vscode.Uri[],
  modelTimeMs: number,
  concurrency: number,
): Promise<RunnerBatch> {
  const clientRefs: string[] = [];
  const started = Date.now();
  const outcome = await editEach({
    session,
    indices: images.map((_, i) => i),
    jobFor: async (i) => {
      const job = await startEdit(session, images[i], modelTimeMs);
      clientRefs[i] = job.id;
      return job;
    },
    signal: new AbortController().signal,
    concurrency,
    onItem: () => undefined,
  });
  return { ...outcome, totalMs: Date.now() - started, clientRefs };
}
