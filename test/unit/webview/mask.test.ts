import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasPaint, invertAlpha, maskFromPaint, paintFromMaskFile } from '../../../src/webview/mask/mask';

/** RGBA pixels with these alphas (colour irrelevant). */
function pixels(...alphas: number[]): Uint8ClampedArray {
  const rgba = new Uint8ClampedArray(alphas.length * 4);
  alphas.forEach((alpha, i) => (rgba[i * 4 + 3] = alpha));
  return rgba;
}

const alphas = (rgba: Uint8ClampedArray) => [...rgba].filter((_, i) => i % 4 === 3);

test('a layer counts as painted only from half opacity up (anti-aliased edges alone do not)', () => {
  assert.equal(hasPaint(pixels(0, 0, 0)), false);
  assert.equal(hasPaint(pixels(0, 127, 0)), false);
  assert.equal(hasPaint(pixels(0, 128, 0)), true);
});

test('the mask reads the same under both conventions: painted = white with alpha 0, kept = opaque black', () => {
  const mask = maskFromPaint(pixels(0, 60, 128, 255));
  assert.deepEqual(alphas(mask), [255, 255, 0, 0]);
  const colours = [0, 1, 2, 3].map((p) => [...mask.subarray(p * 4, p * 4 + 3)]);
  assert.deepEqual(colours, [
    [0, 0, 0],
    [0, 0, 0],
    [255, 255, 255],
    [255, 255, 255],
  ]);
});

test('invertAlpha flips every alpha in place and leaves colour alone', () => {
  const rgba = pixels(0, 100, 255);
  rgba[0] = 7;
  invertAlpha(rgba);
  assert.deepEqual(alphas(rgba), [255, 155, 0]);
  assert.equal(rgba[0], 7);
});

/** Opaque RGBA pixels of these grey levels. */
function greys(...levels: number[]): Uint8ClampedArray {
  const rgba = new Uint8ClampedArray(levels.length * 4);
  levels.forEach((v, i) => rgba.set([v, v, v, 255], i * 4));
  return rgba;
}

test('a mask file with transparency is read by alpha: transparent = edit, whatever its colour', () => {
  const file = pixels(0, 255, 0, 255);
  file.fill(255, 4, 7); // a white kept pixel must stay kept
  paintFromMaskFile(file);
  assert.deepEqual(alphas(file), [255, 0, 255, 0]);
});

test('an opaque mask file is read black and white: light = edit', () => {
  const file = greys(0, 255, 100, 200);
  paintFromMaskFile(file);
  assert.deepEqual(alphas(file), [0, 255, 0, 255]);
});

test('a mask file in either convention exports as the same mask', () => {
  const byAlpha = pixels(0, 255, 0, 255);
  const byColour = greys(255, 0, 255, 0);
  paintFromMaskFile(byAlpha);
  paintFromMaskFile(byColour);
  assert.deepEqual([...maskFromPaint(byAlpha)], [...maskFromPaint(byColour)]);
});
