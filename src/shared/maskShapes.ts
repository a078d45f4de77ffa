/**
 * The mask's shapes in the image's natural pixels, with no DOM: the box a drag spans, a box moved
 * or sized from the keyboard, and the pixels a rectangle, an ellipse or a lasso covers. A pixel is
 * covered when its centre lies inside the shape (a rectangle's edges included), so a shape covers
 * the same pixels at every zoom. Plain Node, tested on its own.
 */

export interface Point {
  x: number;
  y: number;
}

/** An axis-aligned box in natural pixels (fractional from a drag, whole from the keyboard). */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export type Shape = { kind: 'rectangle' | 'ellipse'; box: Box } | { kind: 'lasso'; points: readonly Point[] };

/** The pixels a shape covers within its bounding box (clipped to the image): 1 covered, 0 not. */
export interface Coverage {
  x: number;
  y: number;
  width: number;
  height: number;
  covered: Uint8Array;
}

export interface DragModifiers {
  /** Shift: a square (or circle), the drag's longer side wins. */
  square: boolean;
  /** Alt: the drag starts at the centre instead of a corner. */
  fromCentre: boolean;
}

/** The box a drag from `start` to `end` spans. */
export function dragBox(start: Point, end: Point, { square, fromCentre }: DragModifiers): Box {
  let dx = end.x - start.x;
  let dy = end.y - start.y;
  if (square) {
    const side = Math.max(Math.abs(dx), Math.abs(dy));
    dx = (dx < 0 ? -1 : 1) * side;
    dy = (dy < 0 ? -1 : 1) * side;
  }
  if (fromCentre) return { x: start.x - Math.abs(dx), y: start.y - Math.abs(dy), width: 2 * Math.abs(dx), height: 2 * Math.abs(dy) };
  return { x: Math.min(start.x, start.x + dx), y: Math.min(start.y, start.y + dy), width: Math.abs(dx), height: Math.abs(dy) };
}

export type ArrowKey = 'ArrowLeft' | 'ArrowRight' | 'ArrowUp' | 'ArrowDown';

/**
 * A keyboard-placed box after one arrow key: moved by `step` px, or with `resize` its right or
 * bottom edge moved (at least 1 px wide and high); always whole pixels and inside the image.
 */
export function nudgeBox(box: Box, key: ArrowKey, resize: boolean, step: number, image: { width: number; height: number }): Box {
  const dx = key === 'ArrowLeft' ? -step : key === 'ArrowRight' ? step : 0;
  const dy = key === 'ArrowUp' ? -step : key === 'ArrowDown' ? step : 0;
  if (resize) {
    const width = clamp(box.width + dx, 1, image.width - box.x);
    const height = clamp(box.height + dy, 1, image.height - box.y);
    return { ...box, width, height };
  }
  return { ...box, x: clamp(box.x + dx, 0, image.width - box.width), y: clamp(box.y + dy, 0, image.height - box.height) };
}

/** A keyboard-placed box's starting place: centred on `centre`, a quarter of the image's sides, whole pixels. */
export function startingBox(centre: Point, image: { width: number; height: number }): Box {
  const width = Math.max(1, Math.round(image.width / 4));
  const height = Math.max(1, Math.round(image.height / 4));
  return {
    x: clamp(Math.round(centre.x - width / 2), 0, image.width - width),
    y: clamp(Math.round(centre.y - height / 2), 0, image.height - height),
    width,
    height,
  };
}

/** The pixels `shape` covers in an image of this size; empty (width 0) when it covers none. */
export function rasterise(shape: Shape, imageWidth: number, imageHeight: number): Coverage {
  const bounds = shape.kind === 'lasso' ? boundsOf(shape.points) : shape.box;
  // Pixels whose centres can lie inside: centre c = i + 0.5 within [lo, hi].
  const x0 = clamp(Math.ceil(bounds.x - 0.5), 0, imageWidth);
  const y0 = clamp(Math.ceil(bounds.y - 0.5), 0, imageHeight);
  const x1 = clamp(Math.floor(bounds.x + bounds.width - 0.5) + 1, x0, imageWidth);
  const y1 = clamp(Math.floor(bounds.y + bounds.height - 0.5) + 1, y0, imageHeight);
  const width = x1 - x0;
  const height = y1 - y0;
  const covered = new Uint8Array(width * height);
  const coverage = { x: x0, y: y0, width, height, covered };
  if (width === 0 || height === 0) return coverage;
  if (shape.kind === 'lasso') fillPolygon(coverage, shape.points);
  else if (shape.kind === 'ellipse') fillEllipse(coverage, shape.box);
  else covered.fill(1);
  return coverage;
}

function fillEllipse(c: Coverage, box: Box): void {
  const rx = box.width / 2;
  const ry = box.height / 2;
  const cx = box.x + rx;
  const cy = box.y + ry;
  if (rx <= 0 || ry <= 0) return;
  for (let j = 0; j < c.height; j++) {
    const ny = (c.y + j + 0.5 - cy) / ry;
    for (let i = 0; i < c.width; i++) {
      const nx = (c.x + i + 0.5 - cx) / rx;
      if (nx * nx + ny * ny <= 1) c.covered[j * c.width + i] = 1;
    }
  }
}

/** Even-odd scanline fill through the pixel centres; the lasso closes from its last point to its first. */
function fillPolygon(c: Coverage, points: readonly Point[]): void {
  if (points.length < 3) return;
  const crossings: number[] = [];
  for (let j = 0; j < c.height; j++) {
    const y = c.y + j + 0.5;
    crossings.length = 0;
    for (let k = 0; k < points.length; k++) {
      const a = points[k];
      const b = points[(k + 1) % points.length];
      // Half-open in y, so a vertex on the scanline counts once.
      if ((a.y <= y && b.y > y) || (b.y <= y && a.y > y)) crossings.push(a.x + ((y - a.y) / (b.y - a.y)) * (b.x - a.x));
    }
    crossings.sort((p, q) => p - q);
    for (let k = 0; k + 1 < crossings.length; k += 2) {
      const from = Math.max(0, Math.ceil(crossings[k] - 0.5) - c.x);
      const to = Math.min(c.width, Math.floor(crossings[k + 1] - 0.5) + 1 - c.x);
      if (to > from) c.covered.fill(1, j * c.width + from, j * c.width + to);
    }
  }
}

export function boundsOf(points: readonly Point[]): Box {
  if (points.length === 0) return { x: 0, y: 0, width: 0, height: 0 };
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const p of points) {
    minX = Math.min(minX, p.x);
    minY = Math.min(minY, p.y);
    maxX = Math.max(maxX, p.x);
    maxY = Math.max(maxY, p.y);
  }
  return { x: minX, y: minY, width: maxX - minX, height: maxY - minY };
}

export function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}
