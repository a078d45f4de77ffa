/**
 * The mask's pixel rules, kept apart from painting so they read (and test) on their own.
 *
 * The paint layer holds what the user painted: opaque where painted, transparent elsewhere, with
 * anti-aliased brush edges in between. The mask sent is binary and the input's exact size, and
 * reads the same under both conventions hosts use: white with alpha 0 where the model may edit
 * (OpenAI: transparent = edit; others: white = edit), opaque black where it must keep pixels.
 */

import { editArea } from '../../shared/maskConvention';

/** A paint-layer pixel at least half opaque counts as painted (brush edges are anti-aliased). */
export const PAINTED_ALPHA = 128;

/** Whether any pixel of the paint layer's RGBA data counts as painted. */
export function hasPaint(paint: Uint8ClampedArray): boolean {
  for (let i = 3; i < paint.length; i += 4) {
    if (paint[i] >= PAINTED_ALPHA) return true;
  }
  return false;
}

/** The mask's RGBA for the paint layer's RGBA: white with alpha 0 where painted, opaque black elsewhere. */
export function maskFromPaint(paint: Uint8ClampedArray): Uint8ClampedArray<ArrayBuffer> {
  const mask = new Uint8ClampedArray(paint.length);
  for (let i = 0; i < paint.length; i += 4) {
    const painted = paint[i + 3] >= PAINTED_ALPHA;
    mask[i] = mask[i + 1] = mask[i + 2] = painted ? 255 : 0;
    mask[i + 3] = painted ? 0 : 255;
  }
  return mask;
}

/** Flips the alpha of RGBA data in place (inverts the paint layer). */
export function invertAlpha(rgba: Uint8ClampedArray): void {
  for (let i = 3; i < rgba.length; i += 4) rgba[i] = 255 - rgba[i];
}

/**
 * Turns a mask file's RGBA into paint in place (opaque = edit), read by the same rule as the host
 * (`editArea`: transparent = edit, or on an opaque file light = edit), so the overlay shows what
 * the file meant.
 */
export function paintFromMaskFile(rgba: Uint8ClampedArray): void {
  const edit = editArea(rgba);
  for (let p = 0; p < edit.length; p++) rgba[p * 4 + 3] = edit[p] ? 255 : 0;
}

/** The mask to send with `run` as a PNG data: URI, or undefined when nothing is painted. */
export function exportMask(paintLayer: HTMLCanvasElement): string | undefined {
  const { width, height } = paintLayer;
  const paint = paintLayer.getContext('2d', { willReadFrequently: true })!.getImageData(0, 0, width, height).data;
  if (!hasPaint(paint)) return undefined;
  const out = document.createElement('canvas');
  out.width = width;
  out.height = height;
  out.getContext('2d')!.putImageData(new ImageData(maskFromPaint(paint), width, height), 0, 0);
  return out.toDataURL('image/png');
}
