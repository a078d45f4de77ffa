import * as vscode from 'vscode';
import type { ImageType } from '../runflow';
import { baseName } from '../image/outputNames';
import { findSavedVariant } from './savedVariants';
import { saveBesideOriginal } from './saver';

/** One output of a run, downloaded and about to be saved. */
export interface VariantToSave {
  runId: string;
  /** 1-based, as in the sidecar. */
  variant: number;
  image: { bytes: Uint8Array; type: ImageType };
  /** The sidecar's content, or undefined to write none. */
  sidecar?: () => unknown;
}

export interface VariantSaving {
  /** Where the outputs go: the original's folder, or the one the user chose instead. */
  folder: vscode.Uri;
  stem: string;
  /** An earlier attempt may have saved a variant and stopped before recording it: look first. */
  mayHaveSaved: boolean;
  /** Asked (for the first output only) when the folder cannot be written; undefined = declined. */
  chooseOtherFolder?: () => Promise<vscode.Uri | undefined>;
}

/**
 * Saves one variant beside the original exactly once: found if an interrupted attempt already
 * saved it, else written under the lowest free number. Resolves with the file, the folder later
 * variants go to, and a note when its sidecar could not be written.
 */
export async function saveVariant(to: VariantSaving, v: VariantToSave): Promise<{ uri: vscode.Uri; folder: vscode.Uri; note?: string }> {
  const ext = v.image.type === 'jpeg' ? 'jpg' : v.image.type;
  const existing = to.mayHaveSaved ? await findSavedVariant(to.folder, to.stem, ext, v.runId, v.variant, v.image.bytes) : undefined;
  if (existing) return { uri: existing, folder: to.folder };
  let folder = to.folder;
  let saved;
  try {
    saved = await saveBesideOriginal(folder, to.stem, ext, v.image.bytes, v.sidecar);
  } catch (e) {
    const noPermissions = e instanceof vscode.FileSystemError && e.code === 'NoPermissions';
    const other = noPermissions && to.chooseOtherFolder ? await to.chooseOtherFolder() : undefined;
    if (!other) throw savingError(e, v.runId);
    folder = other;
    saved = await saveBesideOriginal(folder, to.stem, ext, v.image.bytes, v.sidecar);
  }
  const note = saved.sidecarError
    ? vscode.l10n.t('{0} was saved, but its sidecar {0}.json could not be written ({1}).', baseName(saved.uri), saved.sidecarError)
    : undefined;
  return { uri: saved.uri, folder, note };
}

function savingError(cause: unknown, runId: string): Error {
  const detail = cause instanceof Error ? cause.message : String(cause);
  const full = /ENOSPC|no space/i.test(detail);
  return new Error(
    full
      ? vscode.l10n.t(
          'The disk is full, so the edited image could not be saved (nothing partial was left). Free some space, then use Fetch Results on run {0} in the history.',
          runId,
        )
      : vscode.l10n.t(
          'The edited image could not be saved ({0}). Nothing partial was left; Fetch Results on run {1} in the history tries again.',
          detail,
          runId,
        ),
  );
}
