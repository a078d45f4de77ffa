/**
 * The brush's pixels, with no DOM: a stroke segment painted (or erased) into the paint layer's
 * RGBA, with a radius that may change along it (pen pressure) and a hardness (the soft edge). A
 * pixel keeps the stronger of what it had and what the brush gives it, so a soft stroke crossing
 * itself does not darken, and an eraser keeps the weaker. Plain Node, tested on its own.
 */
import { clamp, type Box, type Point } from './maskShapes';

/** A point of a stroke in natural pixels, with the brush's radius there. */
export interface BrushPoint extends Point {
  radius: number;
}

export interface Brush {
  /** 1: a hard edge (anti-aliased over one pixel); 0: soft from the centre out. */
  hardness: number;
  erase: boolean;
  /** The layer's colour (what the overlay shows); alpha is what counts. */
  tint: readonly [number, number, number];
}

/** The whole pixels a segment from `a` to `b` can touch, clipped to the image. */
export function segmentBounds(a: BrushPoint, b: BrushPoint, width: number, height: number): Box {
  const reach = Math.max(a.radius, b.radius) + 1;
  const x0 = clamp(Math.floor(Math.min(a.x, b.x) - reach), 0, width);
  const y0 = clamp(Math.floor(Math.min(a.y, b.y) - reach), 0, height);
  const x1 = clamp(Math.ceil(Math.max(a.x, b.x) + reach), x0, width);
  const y1 = clamp(Math.ceil(Math.max(a.y, b.y) + reach), y0, height);
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/** How much of the brush a pixel centre `d` px from the stroke's line gets, 0–1. */
export function brushStrength(d: number, radius: number, hardness: number): number {
  if (hardness >= 1) return clamp(radius - d + 0.5, 0, 1);
  const core = radius * hardness;
  if (d <= core) return 1;
  if (d >= radius) return 0;
  const t = (radius - d) / (radius - core);
  return t * t * (3 - 2 * t);
}

/**
 * Paints the capsule from `a` to `b` into `region`: the layer's RGBA over `bounds` (from
 * segmentBounds), in place.
 */
export function paintSegment(region: Uint8ClampedArray, bounds: Box, a: BrushPoint, b: BrushPoint, brush: Brush): void {
  const ex = b.x - a.x;
  const ey = b.y - a.y;
  const lengthSquared = ex * ex + ey * ey;
  const [r, g, bl] = brush.tint;
  for (let j = 0; j < bounds.height; j++) {
    const py = bounds.y + j + 0.5;
    for (let i = 0; i < bounds.width; i++) {
      const px = bounds.x + i + 0.5;
      const t = lengthSquared === 0 ? 0 : clamp(((px - a.x) * ex + (py - a.y) * ey) / lengthSquared, 0, 1);
      const radius = a.radius + (b.radius - a.radius) * t;
      const strength = brushStrength(Math.hypot(px - (a.x + t * ex), py - (a.y + t * ey)), radius, brush.hardness);
      if (strength <= 0) continue;
      const o = (j * bounds.width + i) * 4;
      const level = Math.round(strength * 255);
      if (brush.erase) {
        region[o + 3] = Math.min(region[o + 3], 255 - level);
      } else if (level > region[o + 3]) {
        region[o] = r;
        region[o + 1] = g;
        region[o + 2] = bl;
        region[o + 3] = level;
      }
    }
  }
}
