import { test } from 'node:test';
import assert from 'node:assert/strict';
import { growShrink } from '../../../src/webview/mask/maskMorphology';

const TINT = [1, 2, 3] as const;

function layerWith(width: number, height: number, inside: (x: number, y: number) => boolean): Uint8ClampedArray {
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if (inside(x, y)) rgba[(y * width + x) * 4 + 3] = 255;
  return rgba;
}

function paintedSet(rgba: Uint8ClampedArray, width: number): Set<number> {
  const out = new Set<number>();
  for (let p = 0; p < rgba.length / 4; p++) if (rgba[p * 4 + 3] >= 128) out.add((p % width) + Math.floor(p / width) * 1000);
  return out;
}

test('growing by N marks every pixel within N px (Euclidean, centre to centre) of the paint, and no other', () => {
  const W = 50;
  const H = 40;
  const square = (x: number, y: number) => x >= 20 && x < 30 && y >= 15 && y < 25;
  const rgba = layerWith(W, H, square);
  assert.equal(growShrink(rgba, W, H, 4, TINT), true);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const dx = x < 20 ? 20 - x : x > 29 ? x - 29 : 0;
      const dy = y < 15 ? 15 - y : y > 24 ? y - 24 : 0;
      const want = dx * dx + dy * dy <= 16;
      assert.equal(rgba[(y * W + x) * 4 + 3] === 255, want, `(${x}, ${y})`);
    }
  }
  // Round corners: 3 px off the corner both ways is 4.2 px away, beyond the 4 px.
  assert.equal(rgba[(12 * W + 17) * 4 + 3], 0, '(17, 12) stays unmarked');
  assert.equal(rgba[(15 * W + 16) * 4 + 3], 255, '(16, 15), 4 px left of the square, is marked');
  assert.deepEqual([...rgba.subarray((15 * W + 16) * 4, (15 * W + 16) * 4 + 4)], [...TINT, 255], 'grown pixels in the tint');
});

test('shrinking by N unmarks every pixel within N px of the unmarked area; paint at the image edge does not shrink from it', () => {
  const W = 40;
  const H = 30;
  const rgba = layerWith(W, H, (x, y) => x < 20 && y >= 5 && y < 25);
  growShrink(rgba, W, H, -3, TINT);
  const got = paintedSet(rgba, W);
  const want = paintedSet(
    layerWith(W, H, (x, y) => x < 17 && y >= 8 && y < 22),
    W,
  );
  assert.deepEqual(got, want);
});

test('grow then shrink by the same distance gives back a convex shape; nothing painted changes nothing', () => {
  const W = 60;
  const H = 60;
  const disc = (x: number, y: number) => (x - 30) ** 2 + (y - 30) ** 2 <= 144;
  const rgba = layerWith(W, H, disc);
  const original = paintedSet(rgba, W);
  growShrink(rgba, W, H, 6, TINT);
  growShrink(rgba, W, H, -6, TINT);
  assert.deepEqual(paintedSet(rgba, W), original);
  const empty = new Uint8ClampedArray(10 * 10 * 4);
  assert.equal(growShrink(empty, 10, 10, 3, TINT), false);
  assert.equal(
    growShrink(
      layerWith(10, 10, () => true),
      10,
      10,
      0,
      TINT,
    ),
    false,
    'by 0 px',
  );
});
