import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasPaint, invertAlpha, maskFromPaint } from '../../../src/webview/mask';

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

test('the mask is binary: alpha 0 where painted, 255 elsewhere, black', () => {
  const mask = maskFromPaint(pixels(0, 60, 128, 255));
  assert.deepEqual(alphas(mask), [255, 255, 0, 0]);
  assert.ok([...mask].every((v, i) => i % 4 === 3 || v === 0));
});

test('invertAlpha flips every alpha in place and leaves colour alone', () => {
  const rgba = pixels(0, 100, 255);
  rgba[0] = 7;
  invertAlpha(rgba);
  assert.deepEqual(alphas(rgba), [255, 155, 0]);
  assert.equal(rgba[0], 7);
});

test('a mask file (transparent = edit) inverted into paint exports as the same mask', () => {
  const file = pixels(0, 255, 0, 255);
  const paint = new Uint8ClampedArray(file);
  invertAlpha(paint);
  assert.deepEqual(alphas(maskFromPaint(paint)), alphas(file));
});
