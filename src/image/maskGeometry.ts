/**
 * The mask's pixel arithmetic on plain RGBA arrays, with no codec: the canonical mask (what
 * "edit here" means is `shared/maskConvention.ts`), the feathered band around the edit, compositing an output over the
 * original through it, and measuring what changed outside it. Plain Node, tested on its own.
 */

/** A decoded image: 8-bit RGBA, row-major. */
export interface Rgba {
  data: Uint8Array;
  width: number;
  height: number;
}

/**
 * The mask as sent: white with alpha 0 where to edit, opaque black where to keep, so it reads
 * the same whether a backend looks at alpha (transparent = edit) or at colour (white = edit).
 */
export function canonicalMask(edit: Uint8Array, width: number, height: number): Rgba {
  const data = new Uint8Array(edit.length * 4);
  for (let p = 0, o = 0; p < edit.length; p++, o += 4) {
    const v = edit[p] ? 255 : 0;
    data[o] = data[o + 1] = data[o + 2] = v;
    data[o + 3] = 255 - v;
  }
  return { data, width, height };
}

export function countEdited(edit: Uint8Array): number {
  let n = 0;
  for (let p = 0; p < edit.length; p++) n += edit[p];
  return n;
}

/** Chamfer weights (3-4) approximate Euclidean distance in thirds of a pixel. */
const ORTHOGONAL = 3;
const DIAGONAL = 4;

/**
 * How much of the output each pixel takes, 0–255: 255 on the edit area, falling smoothly to 0 at
 * `featherPx` from it, and exactly 0 from there on (those pixels stay the original's).
 */
export function featherWeights(edit: Uint8Array, width: number, height: number, featherPx: number): Uint8Array {
  const weights = new Uint8Array(edit.length);
  if (featherPx <= 0) {
    for (let p = 0; p < edit.length; p++) weights[p] = edit[p] ? 255 : 0;
    return weights;
  }
  // Distance to the nearest edit pixel, in thirds of a pixel, capped just past the band.
  const cap = Math.ceil(featherPx * ORTHOGONAL) + DIAGONAL;
  const distance = new Uint16Array(edit.length);
  for (let p = 0; p < edit.length; p++) distance[p] = edit[p] ? 0 : cap;
  const relax = (p: number, q: number, step: number): void => {
    const through = distance[q] + step;
    if (through < distance[p]) distance[p] = through;
  };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      if (x > 0) relax(p, p - 1, ORTHOGONAL);
      if (y > 0) {
        relax(p, p - width, ORTHOGONAL);
        if (x > 0) relax(p, p - width - 1, DIAGONAL);
        if (x < width - 1) relax(p, p - width + 1, DIAGONAL);
      }
    }
  }
  for (let y = height - 1; y >= 0; y--) {
    for (let x = width - 1; x >= 0; x--) {
      const p = y * width + x;
      if (x < width - 1) relax(p, p + 1, ORTHOGONAL);
      if (y < height - 1) {
        relax(p, p + width, ORTHOGONAL);
        if (x < width - 1) relax(p, p + width + 1, DIAGONAL);
        if (x > 0) relax(p, p + width - 1, DIAGONAL);
      }
    }
  }
  for (let p = 0; p < edit.length; p++) {
    const t = distance[p] / ORTHOGONAL / featherPx; // 0 on the edit, 1 at the band's outer edge
    if (t >= 1) continue;
    const smooth = 1 - t * t * (3 - 2 * t);
    weights[p] = Math.round(255 * smooth);
  }
  return weights;
}

/** The original with the output blended in by `weights`; where a weight is 0 the bytes are the original's. */
export function composite(original: Rgba, output: Rgba, weights: Uint8Array): Rgba {
  const data = Uint8Array.from(original.data);
  for (let p = 0, o = 0; p < weights.length; p++, o += 4) {
    const w = weights[p];
    if (w === 0) continue;
    for (let c = 0; c < 4; c++) data[o + c] = (output.data[o + c] * w + original.data[o + c] * (255 - w) + 127) / 255;
  }
  return { data, width: original.width, height: original.height };
}

/** How a result differs from the original where the weights are 0 (outside the mask and its band). */
export interface OutsideDifference {
  /** Pixels compared: those outside the edit area and its feathered band. */
  pixels: number;
  /** Of those, how many differ in any channel. */
  changed: number;
  /** The largest difference of one channel, 0–255. */
  maxDelta: number;
  /** Peak signal-to-noise ratio over those pixels' RGB in dB; Infinity when identical. */
  psnr: number;
}

export function differenceOutside(original: Rgba, result: Rgba, weights: Uint8Array): OutsideDifference {
  let pixels = 0;
  let changed = 0;
  let maxDelta = 0;
  let squared = 0;
  for (let p = 0, o = 0; p < weights.length; p++, o += 4) {
    if (weights[p] !== 0) continue;
    pixels++;
    let differs = false;
    for (let c = 0; c < 4; c++) {
      const d = Math.abs(original.data[o + c] - result.data[o + c]);
      if (d === 0) continue;
      differs = true;
      if (d > maxDelta) maxDelta = d;
      if (c < 3) squared += d * d;
    }
    if (differs) changed++;
  }
  const mse = pixels ? squared / (pixels * 3) : 0;
  return { pixels, changed, maxDelta, psnr: mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse) };
}

/** Whether every pixel is black or fully transparent: what a filtered or failed output looks like. */
export function isBlank(image: Rgba): boolean {
  const { data } = image;
  for (let o = 0; o < data.length; o += 4) {
    if (data[o + 3] !== 0 && (data[o] | data[o + 1] | data[o + 2]) !== 0) return false;
  }
  return true;
}

/** Whether two sizes have the same shape, within `tolerance` (1 % by default). */
export function sameAspect(a: { width: number; height: number }, b: { width: number; height: number }, tolerance = 0.01): boolean {
  const ra = a.width / a.height;
  const rb = b.width / b.height;
  return Math.abs(ra - rb) / rb <= tolerance;
}
