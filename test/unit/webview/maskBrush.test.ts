import { test } from 'node:test';
import assert from 'node:assert/strict';
import { brushStrength, paintSegment, segmentBounds, type Brush, type BrushPoint } from '../../../src/webview/mask/maskBrush';

const W = 60;
const H = 40;
const TINT = [200, 10, 20] as const;

function layer(): Uint8ClampedArray {
  return new Uint8ClampedArray(W * H * 4);
}

/** Paints a→b into a whole-image layer through the region API, as MaskLayer does. */
function paint(rgba: Uint8ClampedArray, a: BrushPoint, b: BrushPoint, brush: Partial<Brush> = {}): void {
  const box = segmentBounds(a, b, W, H);
  const region = new Uint8ClampedArray(box.width * box.height * 4);
  for (let j = 0; j < box.height; j++) region.set(rgba.subarray(((box.y + j) * W + box.x) * 4, ((box.y + j) * W + box.x + box.width) * 4), j * box.width * 4);
  paintSegment(region, box, a, b, { hardness: 1, erase: false, tint: TINT, ...brush });
  for (let j = 0; j < box.height; j++) rgba.set(region.subarray(j * box.width * 4, (j + 1) * box.width * 4), ((box.y + j) * W + box.x) * 4);
}

const alphaAt = (rgba: Uint8ClampedArray, x: number, y: number) => rgba[(y * W + x) * 4 + 3];
const painted = (rgba: Uint8ClampedArray) => [...Array(W * H).keys()].filter((p) => rgba[p * 4 + 3] >= 128);

test('a hard stroke marks (at half strength and up) exactly the pixels within its radius of the line', () => {
  const rgba = layer();
  const a = { x: 10, y: 20, radius: 5 };
  const b = { x: 50, y: 20, radius: 5 };
  paint(rgba, a, b);
  for (const p of painted(rgba)) {
    const x = (p % W) + 0.5;
    const y = Math.floor(p / W) + 0.5;
    const d = x < 10 ? Math.hypot(x - 10, y - 20) : x > 50 ? Math.hypot(x - 50, y - 20) : Math.abs(y - 20);
    assert.ok(d <= 5, `pixel ${p} is ${d} px from the line`);
  }
  assert.equal(alphaAt(rgba, 30, 15), 255, 'inside');
  assert.equal(alphaAt(rgba, 30, 25), 0, 'just beyond the radius');
  assert.deepEqual([...rgba.subarray((20 * W + 30) * 4, (20 * W + 30) * 4 + 3)], [...TINT], 'painted in the tint');
});

test('pen pressure scales the radius along the stroke', () => {
  const rgba = layer();
  paint(rgba, { x: 10, y: 20, radius: 1 }, { x: 50, y: 20, radius: 9 });
  const column = (x: number) => [...Array(H).keys()].filter((y) => alphaAt(rgba, x, y) >= 128).length;
  assert.ok(column(12) <= 4, `thin where pressure was light: ${column(12)}`);
  assert.ok(column(48) >= 15, `thick where it was firm: ${column(48)}`);
});

test('hardness softens the edge: full strength in the core, falling smoothly to none at the radius', () => {
  assert.equal(brushStrength(2, 10, 0.5), 1);
  assert.equal(brushStrength(10, 10, 0.5), 0);
  const mid = brushStrength(7.5, 10, 0.5);
  assert.ok(mid > 0.3 && mid < 0.7, `halfway through the soft edge: ${mid}`);
  assert.ok(brushStrength(6, 10, 0) > brushStrength(8, 10, 0), 'decreasing outwards');
});

test('strokes keep the stronger paint where they cross (no build-up), and the eraser the weaker', () => {
  const rgba = layer();
  const soft = { hardness: 0 };
  paint(rgba, { x: 30, y: 5, radius: 10 }, { x: 30, y: 35, radius: 10 }, soft);
  const before = alphaAt(rgba, 36, 20);
  paint(rgba, { x: 30, y: 5, radius: 10 }, { x: 30, y: 35, radius: 10 }, soft);
  assert.equal(alphaAt(rgba, 36, 20), before, 'the same stroke twice changes nothing');
  paint(rgba, { x: 5, y: 20, radius: 3 }, { x: 55, y: 20, radius: 3 }, { erase: true });
  assert.equal(alphaAt(rgba, 30, 20), 0, 'erased on the eraser line');
  assert.ok(alphaAt(rgba, 30, 10) >= 250, 'kept away from it');
});
