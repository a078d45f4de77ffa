import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dragBox, nudgeBox, rasterise, startingBox, type Coverage, type Shape } from '../../../src/shared/maskShapes';

const W = 40;
const H = 30;

/** The covered pixels as "x,y" strings, in image coordinates. */
function coveredSet(c: Coverage): Set<string> {
  const out = new Set<string>();
  for (let j = 0; j < c.height; j++) for (let i = 0; i < c.width; i++) if (c.covered[j * c.width + i]) out.add(`${c.x + i},${c.y + j}`);
  return out;
}

/** Every pixel whose centre satisfies `inside`, brute force over the whole image. */
function expected(inside: (cx: number, cy: number) => boolean): Set<string> {
  const out = new Set<string>();
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if (inside(x + 0.5, y + 0.5)) out.add(`${x},${y}`);
  return out;
}

test('a rectangle covers exactly the pixels whose centres it contains, corners included', () => {
  const shape: Shape = { kind: 'rectangle', box: { x: 5, y: 4, width: 10, height: 6 } };
  const got = coveredSet(rasterise(shape, W, H));
  assert.equal(got.size, 60);
  for (const corner of ['5,4', '14,4', '5,9', '14,9']) assert.ok(got.has(corner), `corner ${corner}`);
  for (const outside of ['4,4', '15,4', '5,3', '5,10']) assert.ok(!got.has(outside), `${outside} is outside`);
  const fractional: Shape = { kind: 'rectangle', box: { x: 2.3, y: 1.7, width: 6.4, height: 3.1 } };
  assert.deepEqual(
    coveredSet(rasterise(fractional, W, H)),
    expected((cx, cy) => cx >= 2.3 && cx <= 8.7 && cy >= 1.7 && cy <= 4.8),
  );
});

test('an ellipse covers the pixels whose centres satisfy its equation, and is symmetric', () => {
  const box = { x: 8, y: 5, width: 20, height: 14 };
  const got = coveredSet(rasterise({ kind: 'ellipse', box }, W, H));
  const want = expected((cx, cy) => ((cx - 18) / 10) ** 2 + ((cy - 12) / 7) ** 2 <= 1);
  assert.deepEqual(got, want);
  for (const p of got) {
    const [x, y] = p.split(',').map(Number);
    assert.ok(got.has(`${35 - x},${y}`) && got.has(`${x},${23 - y}`), `mirror of ${p}`);
  }
  assert.ok(!got.has('8,5') && !got.has('27,18'), 'the box corners are outside the ellipse');
});

test('a lasso triangle covers its inside (even-odd), and closes from the last point to the first', () => {
  const points = [
    { x: 5, y: 5 },
    { x: 35, y: 5 },
    { x: 20, y: 25 },
  ];
  const got = coveredSet(rasterise({ kind: 'lasso', points }, W, H));
  const side = (a: { x: number; y: number }, b: { x: number; y: number }, x: number, y: number) => (b.x - a.x) * (y - a.y) - (b.y - a.y) * (x - a.x);
  const want = expected((cx, cy) => [0, 1, 2].every((k) => side(points[k], points[(k + 1) % 3], cx, cy) >= 0));
  // Pixel centres exactly on an edge may go either way; everywhere else the fill is exact.
  const differing = [...got].filter((p) => !want.has(p)).concat([...want].filter((p) => !got.has(p)));
  assert.ok(differing.length <= 4, `differs at ${differing.join(' ')}`);
  assert.ok(got.has('20,10') && !got.has('6,20') && !got.has('34,20'));
  assert.equal(coveredSet(rasterise({ kind: 'lasso', points: points.slice(0, 2) }, W, H)).size, 0, 'two points enclose nothing');
});

test('shapes are clipped to the image and a box outside it covers nothing', () => {
  const c = rasterise({ kind: 'rectangle', box: { x: -5, y: -5, width: 10, height: 8 } }, W, H);
  assert.deepEqual([c.x, c.y, c.width, c.height], [0, 0, 5, 3]);
  assert.equal(rasterise({ kind: 'ellipse', box: { x: 50, y: 50, width: 5, height: 5 } }, W, H).width, 0);
});

test('a drag spans a box from its corner; Shift makes it square, Alt grows it from the centre', () => {
  const start = { x: 10, y: 10 };
  assert.deepEqual(dragBox(start, { x: 4, y: 16 }, { square: false, fromCentre: false }), { x: 4, y: 10, width: 6, height: 6 });
  assert.deepEqual(dragBox(start, { x: 20, y: 14 }, { square: true, fromCentre: false }), { x: 10, y: 10, width: 10, height: 10 });
  assert.deepEqual(dragBox(start, { x: 2, y: 14 }, { square: true, fromCentre: false }), { x: 2, y: 10, width: 8, height: 8 });
  assert.deepEqual(dragBox(start, { x: 13, y: 12 }, { square: false, fromCentre: true }), { x: 7, y: 8, width: 6, height: 4 });
  assert.deepEqual(dragBox(start, { x: 13, y: 12 }, { square: true, fromCentre: true }), { x: 7, y: 7, width: 6, height: 6 });
});

test('a keyboard box starts centred at a quarter of the image, moves and sizes by whole pixels and stays inside', () => {
  const image = { width: W, height: H };
  const box = startingBox({ x: W / 2, y: H / 2 }, image);
  assert.deepEqual(box, { x: 15, y: 11, width: 10, height: 8 });
  assert.deepEqual(nudgeBox(box, 'ArrowRight', false, 1, image), { ...box, x: 16 });
  assert.deepEqual(nudgeBox(box, 'ArrowDown', true, 10, image), { ...box, height: 18 });
  assert.deepEqual(nudgeBox(box, 'ArrowLeft', true, 50, image), { ...box, width: 1 }, 'never narrower than a pixel');
  assert.deepEqual(nudgeBox(box, 'ArrowRight', false, 100, image), { ...box, x: 30 }, 'never past the right edge');
  assert.deepEqual(nudgeBox(box, 'ArrowUp', false, 100, image), { ...box, y: 0 });
  assert.deepEqual(nudgeBox({ ...box, x: 35 }, 'ArrowRight', true, 10, image), { ...box, x: 35, width: 5 }, 'sized up to the edge only');
});
