import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PREPARED_LIFETIME_MS, PreparedRequests, canonicalJson } from '../../../src/agent/preparedRequests';

test('invoke takes what prepare resolved for the same input, once, however its keys are ordered', () => {
  const prepared = new PreparedRequests<string>(() => 0);
  const refusal = 'refused: no such file';
  prepared.remember({ image: 'a.png', prompt: 'x', mask: { rectangles: [], file: 'm.png' } }, refusal);
  assert.equal(prepared.take({ prompt: 'x', mask: { file: 'm.png', rectangles: [] }, image: 'a.png' }), refusal);
  assert.equal(prepared.take({ image: 'a.png', prompt: 'x', mask: { rectangles: [], file: 'm.png' } }), undefined, 'taken once');
  assert.equal(prepared.take({ image: 'b.png', prompt: 'x' }), undefined, 'never prepared');
});

test('the latest preparation of an input is the one run; one older than its lifetime is gone', () => {
  let now = 0;
  const prepared = new PreparedRequests<string>(() => now);
  const first = 'first';
  const second = 'second';
  prepared.remember({ image: 'a.png' }, first);
  now = 1000;
  prepared.remember({ image: 'a.png' }, second);
  assert.equal(prepared.take({ image: 'a.png' }), second);
  now = 1000 + PREPARED_LIFETIME_MS + 1;
  assert.equal(prepared.take({ image: 'a.png' }), undefined, 'the first expired');
});

test('canonical JSON sorts keys at every depth and keeps array order', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [2, 1], c: null } }), '{"a":{"c":null,"d":[2,1]},"b":1}');
});
