/**
 * Growing and shrinking the mask by a distance in natural pixels, measured exactly (Euclidean,
 * between pixel centres) with Felzenszwalb and Huttenlocher's distance transform, so a grown
 * square gets round corners as it should and grow-then-shrink gives back what it can. Only the
 * painted area's bounding box (and the distance around it) is transformed. Plain Node.
 */
import { PAINTED_ALPHA } from './mask';
import { clamp } from '../../shared/maskShapes';

const FAR = 1e20;

/**
 * Grows (px > 0) or shrinks (px < 0) the painted area of RGBA `layer` in place: every pixel
 * within |px| of paint becomes painted, or within |px| of the unpainted area unpainted. The
 * result is binary (alpha 0 or 255; colour `tint` where painted). Beyond the image's edge is
 * neither: paint touching the edge does not shrink from it. Returns whether anything changed.
 */
export function growShrink(layer: Uint8ClampedArray, width: number, height: number, px: number, tint: readonly [number, number, number]): boolean {
  const distance = Math.abs(Math.round(px));
  if (distance === 0) return false;
  const grow = px > 0;
  const box = paintedBounds(layer, width, height);
  if (!box) return false;
  // Growing reaches `distance` beyond the paint; shrinking needs the unpainted ring around it.
  const margin = grow ? distance : 1;
  const x0 = clamp(box.x0 - margin, 0, width);
  const y0 = clamp(box.y0 - margin, 0, height);
  const x1 = clamp(box.x1 + margin, 0, width);
  const y1 = clamp(box.y1 + margin, 0, height);
  const w = x1 - x0;
  const h = y1 - y0;
  // Squared distance to the nearest source pixel: painted ones when growing, unpainted when shrinking.
  const field = new Float64Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const painted = layer[((y0 + y) * width + x0 + x) * 4 + 3] >= PAINTED_ALPHA;
      field[y * w + x] = painted === grow ? 0 : FAR;
    }
  }
  distanceTransform(field, w, h);
  const limit = distance * distance;
  let changed = false;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = ((y0 + y) * width + x0 + x) * 4;
      const wasPainted = layer[o + 3] >= PAINTED_ALPHA;
      const painted = grow ? field[y * w + x] <= limit : field[y * w + x] > limit;
      if (painted !== wasPainted) changed = true;
      layer[o] = tint[0];
      layer[o + 1] = tint[1];
      layer[o + 2] = tint[2];
      layer[o + 3] = painted ? 255 : 0;
    }
  }
  return changed;
}

function paintedBounds(layer: Uint8ClampedArray, width: number, height: number): { x0: number; y0: number; x1: number; y1: number } | undefined {
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (layer[(y * width + x) * 4 + 3] < PAINTED_ALPHA) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      y1 = y;
    }
  }
  return x1 < 0 ? undefined : { x0, y0, x1: x1 + 1, y1: y1 + 1 };
}

/** Squared Euclidean distance transform of `field` (0 at sources, FAR elsewhere), in place: columns, then rows. */
function distanceTransform(field: Float64Array, width: number, height: number): void {
  const n = Math.max(width, height);
  const line = new Float64Array(n);
  const out = new Float64Array(n);
  const hull = new Int32Array(n);
  const cuts = new Float64Array(n + 1);
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) line[y] = field[y * width + x];
    transformLine(line, height, out, hull, cuts);
    for (let y = 0; y < height; y++) field[y * width + x] = out[y];
  }
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) line[x] = field[y * width + x];
    transformLine(line, width, out, hull, cuts);
    for (let x = 0; x < width; x++) field[y * width + x] = out[x];
  }
}

/** One line of the transform: the lower envelope of the parabolas rooted at each sample. */
function transformLine(f: Float64Array, n: number, d: Float64Array, v: Int32Array, z: Float64Array): void {
  let k = 0;
  v[0] = 0;
  z[0] = -Infinity;
  z[1] = Infinity;
  for (let q = 1; q < n; q++) {
    let s = (f[q] + q * q - (f[v[k]] + v[k] * v[k])) / (2 * q - 2 * v[k]);
    while (s <= z[k]) {
      k--;
      s = (f[q] + q * q - (f[v[k]] + v[k] * v[k])) / (2 * q - 2 * v[k]);
    }
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = Infinity;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while (z[k + 1] < q) k++;
    d[q] = (q - v[k]) * (q - v[k]) + f[v[k]];
  }
}
