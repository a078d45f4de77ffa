import * as vscode from 'vscode';
import { createHash } from 'crypto';
import { RunflowError, type ImageType } from '../runflow';
import type { RunRecord } from '../history/runRecord';
import { baseName } from '../image/outputNames';
import { imagePipeline, type FinishedImage, type OutputFinisher, type PreparedMask } from '../image/pipeline';

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The mask to send for an image: read in either convention, re-encoded so it reads the same
 * under both (white with alpha 0 = edit). Refuses, before anything is recorded or billed, a mask
 * that cannot be read, has another size (the panel scales a file it loads; callers must too), or
 * marks nothing to edit. Errors are 'validation' RunflowErrors naming `mask_url`, like the API's.
 */
export async function prepareSentMask(mask: Uint8Array, image: Uint8Array): Promise<PreparedMask> {
  const refuse = (message: string): never => {
    throw new RunflowError('validation', message, { fieldErrors: [{ field: 'mask_url', message }], retryable: false });
  };
  const pipeline = imagePipeline();
  let size;
  try {
    size = await pipeline.measure(image);
  } catch {
    return refuse(vscode.l10n.t('The image could not be decoded, so no mask can be applied to it.'));
  }
  let prepared: PreparedMask | undefined;
  try {
    prepared = await pipeline.prepareMask(mask, size, { scale: false });
  } catch (e) {
    if (e instanceof pipeline.MaskSizeError) {
      refuse(
        vscode.l10n.t(
          'The mask is {0}×{1} but the image is {2}×{3}; a mask must be the same size as the image. Load it with Mask from file (which scales it), or paint the mask again.',
          e.mask.width,
          e.mask.height,
          e.image.width,
          e.image.height,
        ),
      );
    }
    refuse(vscode.l10n.t('The mask could not be read as an image.'));
  }
  if (prepared!.edited === 0)
    refuse(vscode.l10n.t('The mask marks nothing to edit, so no run was made. Paint the area to change, or clear the mask to let the whole image change.'));
  return prepared!;
}

/** What a job read and sent, kept until its outputs are saved so nothing is read or decoded twice. */
export interface SentInputs {
  original: Uint8Array;
  maskArea?: Uint8Array;
}

/** One output made ready to save, with what the user and the sidecar are told about it. */
export interface FinishedOutput {
  image: { bytes: Uint8Array; type: ImageType };
  /** For the sidecar: what was done to the raw output. */
  result?: SidecarResult;
  /** What to tell the user, once the saved file's name is known. */
  describe(savedName: string): string[];
}

/** What the sidecar records of how an output became the saved file. */
export interface SidecarResult {
  raw: { width: number; height: number; format: string };
  saved: { width: number; height: number; format: string };
  matchOriginal: boolean;
  composited: boolean;
  featherPx: number;
  outsideMask?: { pixels: number; changed: number; maxDelta: number; psnrDb: number | null };
  blank: boolean;
}

/**
 * Turns a record's raw outputs into files to save through the image pipeline: scaled to the
 * original, composited over it through the sent mask, in the original's format, measured. Only
 * over the very original that was sent (its SHA-256 is recorded): if it changed or is gone, and
 * for edits recorded before this existed, outputs are saved as they came.
 */
export class ResultFinisher {
  private constructor(
    private readonly record: RunRecord,
    /** Finishes over the original that was sent; undefined when it is not known (saved as returned). */
    private readonly outputs: OutputFinisher | undefined,
    /** Said once for the whole run. */
    readonly notes: string[],
  ) {}

  /**
   * The finisher of a recorded edit. `sent`: what this job read and sent, the original's bytes
   * (its hash is the record's) and the mask's edit area; without them the file is read and must
   * still hash the same, and the recorded mask is decoded.
   */
  static async for(record: RunRecord, sent?: SentInputs): Promise<ResultFinisher> {
    if (!record.originalSha256) return new ResultFinisher(record, undefined, []);
    const uri = vscode.Uri.parse(record.inputs[0]);
    const bytes = sent?.original ?? (await Promise.resolve(vscode.workspace.fs.readFile(uri)).catch(() => undefined));
    if (!bytes || sha256(bytes) !== record.originalSha256) {
      const note = vscode.l10n.t(
        '{0} changed or moved since the edit was sent, so its outputs were saved as the model returned them (not matched or composited).',
        baseName(uri),
      );
      return new ResultFinisher(record, undefined, [note]);
    }
    const { options, sentMask } = record;
    const outputs = imagePipeline().outputFinisher({
      original: bytes,
      mask: sentMask ? Buffer.from(sentMask, 'base64') : undefined,
      maskArea: sent?.maskArea,
      // The options that shape a saved output (FinishInputs names them).
      ...options,
    });
    return new ResultFinisher(record, outputs, []);
  }

  async finish(output: { bytes: Uint8Array; type: ImageType }): Promise<FinishedOutput> {
    if (!this.outputs) return { image: output, describe: () => [] };
    const { options } = this.record;
    let finished: FinishedImage;
    try {
      finished = await this.outputs.finish(output.bytes);
    } catch (e) {
      const detail = e instanceof Error ? e.message : String(e);
      return {
        image: output,
        describe: (name) => [vscode.l10n.t('{0} was saved as the model returned it: it could not be decoded here ({1}).', name, detail)],
      };
    }
    const outside = finished.outside;
    return {
      image: { bytes: finished.bytes, type: finished.format },
      result: {
        raw: finished.raw,
        saved: { width: finished.width, height: finished.height, format: finished.format },
        matchOriginal: options.matchOriginal,
        composited: finished.composited,
        featherPx: finished.composited ? options.featherPx : 0,
        ...(outside
          ? {
              outsideMask: {
                pixels: outside.pixels,
                changed: outside.changed,
                maxDelta: outside.maxDelta,
                psnrDb: Number.isFinite(outside.psnr) ? round2(outside.psnr) : null,
              },
            }
          : {}),
        blank: finished.blank,
      },
      describe: (name) => describe(name, finished, this.record),
    };
  }
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

function kilobytes(bytes: number): string {
  return vscode.l10n.t('{0} KB', (bytes / 1024).toLocaleString(undefined, { maximumFractionDigits: bytes < 10240 ? 1 : 0 }));
}

/** What the user is told about one saved output: measured, never assumed. */
function describe(name: string, f: FinishedImage, record: RunRecord): string[] {
  const lines: string[] = [];
  const o = f.outside;
  if (o && f.composited && o.changed === 0) {
    lines.push(
      vscode.l10n.t('{0}: outside the mask, 0 px changed ({1} px compared; {2} px soft band).', name, o.pixels.toLocaleString(), record.options.featherPx),
    );
  } else if (o && f.composited) {
    lines.push(
      vscode.l10n.t(
        '{0}: outside the mask, {1} of {2} px differ only by the {3} re-encoding (PSNR {4} dB, at most {5} levels).',
        name,
        o.changed.toLocaleString(),
        o.pixels.toLocaleString(),
        f.format.toUpperCase(),
        o.psnr.toFixed(1),
        o.maxDelta,
      ),
    );
  } else if (o) {
    lines.push(
      vscode.l10n.t(
        '{0}: outside the mask, {1} of {2} px changed, by up to {3} levels (keeping unmasked pixels exact is off).',
        name,
        o.changed.toLocaleString(),
        o.pixels.toLocaleString(),
        o.maxDelta,
      ),
    );
  }
  if (f.aspectDiffers && f.original) {
    lines.push(
      vscode.l10n.t(
        '{0}: the model returned {1}×{2}, another shape than the original’s {3}×{4}, so it was not scaled or composited (that would distort it).',
        name,
        f.raw.width,
        f.raw.height,
        f.original.width,
        f.original.height,
      ),
    );
  }
  if (f.original && record.options.matchOriginal && !f.aspectDiffers) {
    lines.push(
      vscode.l10n.t(
        '{0}: {1}×{2} {3}, {4} (original {5}).',
        name,
        f.width,
        f.height,
        f.format.toUpperCase(),
        kilobytes(f.bytes.length),
        kilobytes(f.original.bytes),
      ),
    );
  }
  if (f.blank) lines.push(vscode.l10n.t('{0} is all black or transparent: Runflow may have filtered it.', name));
  if (f.original?.cmyk) lines.push(vscode.l10n.t('The original is CMYK; {0} is saved in sRGB.', name));
  if (f.original && f.original.pages > 1) lines.push(vscode.l10n.t('The original has {0} frames; the edit used the first.', f.original.pages));
  if (f.original?.highBitDepth) lines.push(vscode.l10n.t('The original has more than 8 bits per channel; {0} has 8.', name));
  return lines;
}
