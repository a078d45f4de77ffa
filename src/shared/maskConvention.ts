/**
 * How a mask image says "edit here", declared once for the panel (a mask file loaded into the
 * paint layer) and the host (the mask sent, and the one composited through). Plain code on RGBA
 * arrays, no imports: the webview bundle uses it too.
 */

/** A mask pixel at or past half counts (anti-aliased brush edges, greyish files). */
const HALF = 128;

/**
 * Where a mask asks for an edit (1) or a keep (0), one byte a pixel. If any pixel is not opaque,
 * alpha decides (OpenAI's convention: transparent = edit); an opaque mask is read as black and
 * white (the convention of other gpt-image hosts: light = edit).
 */
export function editArea(rgba: ArrayLike<number>): Uint8Array {
  const pixels = rgba.length / 4;
  let hasTransparency = false;
  for (let p = 0; p < pixels && !hasTransparency; p++) hasTransparency = rgba[p * 4 + 3] < 255;
  const edit = new Uint8Array(pixels);
  for (let p = 0, o = 0; p < pixels; p++, o += 4) {
    edit[p] = hasTransparency ? (rgba[o + 3] < HALF ? 1 : 0) : (rgba[o] * 299 + rgba[o + 1] * 587 + rgba[o + 2] * 114) / 1000 >= HALF ? 1 : 0;
  }
  return edit;
}
