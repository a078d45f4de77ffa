import * as vscode from 'vscode';
import { randomUUID } from 'crypto';
import { RunflowError, type DurationModel, type Run, type RunflowClient } from '../runflow';
import type { EditOptions, RunPhase } from '../shared/protocol';
import { saveBesideOriginal } from './saver';
import { stemOf } from './outputNames';
import { checkMask } from './mask';

export const MODEL_ID = 'openai/gpt-image-2/edit';

/** One user action: edit `image` (plus reference images) with a prompt, options and an optional mask. */
export interface EditRequest {
  image: vscode.Uri;
  references: readonly vscode.Uri[];
  prompt: string;
  options: EditOptions;
  /** PNG bytes, the image's size, transparent where to edit. */
  mask?: Uint8Array;
}

export interface EditProgress {
  phase: RunPhase;
  elapsedMs: number;
  runId?: string;
}

export interface EditResult {
  runId: string;
  saved: vscode.Uri[];
  cost?: string;
  /** Outputs asked for but not returned (partial success). */
  missing: number;
}

export interface EditJobDeps {
  client: RunflowClient;
  signal: AbortSignal;
  onProgress: (progress: EditProgress) => void;
  /** Called once the run exists, before the first poll, so its id is never lost. */
  onRunCreated?: (run: Run) => void;
  /** Called as each output lands on disk; `variant` is 1-based, as in its sidecar. */
  onSaved?: (variant: number, output: vscode.Uri) => void;
  durations?: DurationModel;
  writeSidecars: boolean;
  /** Asked when the image's folder cannot be written; undefined = the user declined. */
  chooseOtherFolder: () => Promise<vscode.Uri | undefined>;
}

/** The user stopped waiting. The run may still finish (and bill) on Runflow; its id is kept. */
export class EditCanceledError extends Error {
  constructor(readonly runId: string | undefined) {
    super(
      runId
        ? vscode.l10n.t('Stopped waiting. Runflow has no cancel, so run {0} may still finish and bill; its results stay fetchable for 7 days.', runId)
        : vscode.l10n.t('Canceled before the run was created: nothing was billed.'),
    );
  }
}

/** Read inputs → upload → create the run → wait → fetch outputs → save beside the original. */
export async function runEdit(request: EditRequest, deps: EditJobDeps): Promise<EditResult> {
  const started = Date.now();
  let runId: string | undefined;
  const report = (phase: RunPhase) => deps.onProgress({ phase, elapsedMs: Date.now() - started, runId });
  try {
    report('uploading');
    const inputs = [request.image, ...request.references];
    const imageUrls: string[] = [];
    for (const uri of inputs) {
      const bytes = await readInput(uri);
      // The mask is checked against the image before the first upload, so a bad one costs nothing.
      if (uri === request.image && request.mask) checkMask(request.mask, bytes);
      imageUrls.push(await deps.client.toInputUrl(bytes, baseName(uri), deps.signal));
    }
    const maskUrl = request.mask ? await deps.client.toInputUrl(request.mask, 'mask.png', deps.signal) : undefined;

    const { options } = request;
    const run = await deps.client.createEditRun(
      {
        prompt: request.prompt,
        image_urls: imageUrls,
        num_images: options.numImages,
        output_format: options.outputFormat,
        image_size: options.imageSize,
        quality: options.quality,
        sync_mode: options.private,
        ...(maskUrl ? { mask_url: maskUrl } : {}),
      },
      { clientRef: randomUUID(), idempotencyKey: randomUUID(), metadata: { source: 'vscode-gpt-image-edit' }, signal: deps.signal },
    );
    runId = run.id;
    deps.onRunCreated?.(run);
    report('queued');

    const finished = await deps.client.waitForRun(run.id, {
      signal: deps.signal,
      durations: deps.durations,
      durationKey: `${MODEL_ID}|${options.quality}|${options.imageSize}`,
      onUpdate: (update) => {
        if (update.status === 'queued' || update.status === 'dispatching' || update.status === 'running') report(update.status);
      },
    });

    report('downloading');
    const outputs = (finished.output?.outputs ?? []).filter((o) => o.type === 'image');
    const images = [];
    for (const output of outputs) images.push(await deps.client.fetchOutput(output, { signal: deps.signal }));

    report('saving');
    const saved = await saveAll(request, finished, images, deps);
    return { runId: finished.id, saved, cost: finished.cost ?? undefined, missing: Math.max(0, options.numImages - saved.length) };
  } catch (e) {
    if (deps.signal.aborted) throw new EditCanceledError(runId);
    if (e instanceof RunflowError && runId && !e.runId) e.runId = runId;
    throw e;
  }
}

async function saveAll(
  request: EditRequest,
  run: Run,
  images: { bytes: Uint8Array; type: 'png' | 'jpeg' | 'webp' }[],
  deps: EditJobDeps,
): Promise<vscode.Uri[]> {
  let folder = vscode.Uri.joinPath(request.image, '..');
  const stem = stemOf(baseName(request.image));
  const saved: vscode.Uri[] = [];
  for (const [index, image] of images.entries()) {
    const ext = fileExtension(image.type);
    const sidecar = deps.writeSidecars ? () => sidecarFor(request, run, index) : undefined;
    let output: vscode.Uri;
    try {
      output = await saveBesideOriginal(folder, stem, ext, image.bytes, sidecar);
    } catch (e) {
      if (!(e instanceof vscode.FileSystemError && e.code === 'NoPermissions') || saved.length > 0) throw savingError(e, run.id);
      const other = await deps.chooseOtherFolder();
      if (!other) throw savingError(e, run.id);
      folder = other;
      output = await saveBesideOriginal(folder, stem, ext, image.bytes, sidecar);
    }
    saved.push(output);
    deps.onSaved?.(index + 1, output);
  }
  return saved;
}

/** The file extension an output of this type is saved with. */
export function fileExtension(type: 'png' | 'jpeg' | 'webp'): string {
  return type === 'jpeg' ? 'jpg' : type;
}

/** What a sidecar records: enough to trace and reproduce a result, never the key. */
export function sidecarFor(
  request: Pick<EditRequest, 'image' | 'references' | 'prompt' | 'options'> & { mask?: unknown },
  run: Run,
  index: number,
): unknown {
  return {
    model: MODEL_ID,
    prompt: request.prompt,
    options: request.options,
    inputs: [request.image, ...request.references].map(baseName),
    mask: request.mask !== undefined,
    variant: index + 1,
    runId: run.id,
    clientRef: run.clientRef,
    seed: run.output?.seed ?? null,
    cost: run.cost ?? null,
    createdAt: run.createdAt ?? null,
    completedAt: run.completedAt ?? null,
    durationMs: run.durationMs ?? null,
  };
}

function savingError(cause: unknown, runId: string): Error {
  const detail = cause instanceof Error ? cause.message : String(cause);
  const full = /ENOSPC|no space/i.test(detail);
  return new Error(
    full
      ? vscode.l10n.t('The disk is full, so the edited image could not be saved (nothing partial was left). Free some space, then fetch run {0} again: Runflow keeps its results for 7 days.', runId)
      : vscode.l10n.t('The edited image could not be saved ({0}). Nothing partial was left; run {1} keeps its results on Runflow for 7 days.', detail, runId),
  );
}

async function readInput(uri: vscode.Uri): Promise<Uint8Array> {
  try {
    return await vscode.workspace.fs.readFile(uri);
  } catch (e) {
    if (e instanceof vscode.FileSystemError && e.code === 'FileNotFound') {
      throw new Error(vscode.l10n.t('{0} no longer exists. Pick the image again.', baseName(uri)));
    }
    throw e;
  }
}

export function baseName(uri: vscode.Uri): string {
  return uri.path.slice(uri.path.lastIndexOf('/') + 1);
}
