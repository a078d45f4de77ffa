/**
 * The brush's pixels, with no DOM: a stroke segment painted (or erased) into the paint layer's
 * RGBA, with a radius that may change along it (pen pressure) and a hardness (the soft edge). A
 * pixel keeps the stronger of what it had and what the brush gives it, so a soft stroke crossing
 * itself does not darken, and an eraser keeps the weaker. Plain Node, tested on its own.
 */
import { clamp, type Box, type Point } from '../../shared/maskShapes';

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
  const reach = Math.max(a.radius, b.radius) + 0.5;
  const reachSquared = reach * reach;
  // Runs once per pixel of a large brush on every pointer move: plain arithmetic, no calls on the way out.
  for (let j = 0; j < bounds.height; j++) {
    const py = bounds.y + j + 0.5;
    for (let i = 0; i < bounds.width; i++) {
      const o = (j * bounds.width + i) * 4;
      // Painting over full paint, or erasing where there is none, changes nothing.
      if (brush.erase ? region[o + 3] === 0 : region[o + 3] === 255) continue;
      const px = bounds.x + i + 0.5;
      let t = lengthSquared === 0 ? 0 : ((px - a.x) * ex + (py - a.y) * ey) / lengthSquared;
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      const dx = px - (a.x + t * ex);
      const dy = py - (a.y + t * ey);
      const dSquared = dx * dx + dy * dy;
      if (dSquared >= reachSquared) continue;
      const strength = brushStrength(Math.sqrt(dSquared), a.radius + (b.radius - a.radius) * t, brush.hardness);
      if (strength <= 0) continue;
      const level = Math.round(strength * 255);
      if (brush.erase) {
        if (255 - level < region[o + 3]) region[o + 3] = 255 - level;
      } else if (level > region[o + 3]) {
        region[o] = r;
        region[o + 1] = g;
        region[o + 2] = bl;
        region[o + 3] = level;
      }
    }
  }
}
