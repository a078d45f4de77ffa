/**
 * The mask's pixel rules, kept apart from painting so they read (and test) on their own.
 *
 * The paint layer holds what the user painted: opaque where painted, transparent elsewhere, with
 * anti-aliased brush edges in between. OpenAI's mask convention is the opposite and binary: a PNG
 * the input's exact size, alpha 0 where the model may edit, alpha 255 where it must keep pixels.
 */

/** A paint-layer pixel at least half opaque counts as painted (brush edges are anti-aliased). */
const PAINTED_ALPHA = 128;

/** Whether any pixel of the paint layer's RGBA data counts as painted. */
export function hasPaint(paint: Uint8ClampedArray): boolean {
  for (let i = 3; i < paint.length; i += 4) {
    if (paint[i] >= PAINTED_ALPHA) return true;
  }
  return false;
}

/** The mask's RGBA for the paint layer's RGBA: black, alpha 0 where painted and 255 elsewhere. */
export function maskFromPaint(paint: Uint8ClampedArray): Uint8ClampedArray<ArrayBuffer> {
  const mask = new Uint8ClampedArray(paint.length);
  for (let i = 3; i < paint.length; i += 4) {
    mask[i] = paint[i] >= PAINTED_ALPHA ? 0 : 255;
  }
  return mask;
}

/**
 * Flips the alpha of RGBA data in place. Inverts the paint layer, and also turns a mask file
 * (transparent = edit) into paint (opaque = edit), since the two conventions are each other's inverse.
 */
export function invertAlpha(rgba: Uint8ClampedArray): void {
  for (let i = 3; i < rgba.length; i += 4) rgba[i] = 255 - rgba[i];
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
