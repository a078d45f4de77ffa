import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DurationModel } from '../../../src/runflow';
import { PRIOR_DURATION } from '../../../src/runflow/durationModel';

const median = (d: { mu: number }): number => Math.exp(d.mu);

test('with no data the prior says ~20 s median, most runs within 60 s', () => {
  const d = new DurationModel().distribution('any');
  assert.deepEqual(d, PRIOR_DURATION);
  assert.ok(Math.abs(median(d) - 20_000) < 1);
  // P(T < 60 s) under the prior.
  const z = (Math.log(60_000) - d.mu) / d.sigma;
  assert.ok(z > 1.1 && z < 1.5, `z=${z}`);
});

test('a few runs move the fit to the observed durations', () => {
  const model = new DurationModel();
  for (const ms of [3000, 3300, 2800, 3100, 2900, 3050]) model.record('k', ms);
  const d = model.distribution('k');
  assert.ok(median(d) > 2800 && median(d) < 3300, `median ${median(d)}`);
  assert.ok(d.sigma < 0.5, `sigma ${d.sigma}`);
});

test('an unseen key borrows from other keys, loosely', () => {
  const model = new DurationModel();
  for (let i = 0; i < 10; i++) model.record('low', 5000);
  const d = model.distribution('high');
  assert.ok(Math.abs(median(d) - 5000) < 1000);
  assert.ok(d.sigma >= 0.6);
});

test('samples and keys are bounded, newest kept', () => {
  const model = new DurationModel({ maxSamplesPerKey: 3, maxKeys: 2 });
  for (const ms of [1, 2, 3, 4, 5]) model.record('a', ms * 1000);
  assert.deepEqual(model.samples('a'), [3000, 4000, 5000]);
  model.record('b', 1000);
  model.record('c', 1000);
  assert.deepEqual(model.samples('a'), [], 'least recently updated key evicted');
  assert.equal(model.samples('c').length, 1);
});

test('invalid samples are ignored', () => {
  const model = new DurationModel();
  for (const v of [NaN, -5, 0, Infinity]) model.record('k', v);
  assert.deepEqual(model.samples('k'), []);
});

test('toJSON/fromJSON round-trip through JSON text, tolerating junk', () => {
  const model = new DurationModel();
  model.record('x|high|auto', 12_000);
  model.record('x|high|auto', 14_000);
  model.record('x|low|auto', 4_000);
  model.recordQueue('x|high|auto', 900);
  const copy = DurationModel.fromJSON(JSON.parse(JSON.stringify(model)));
  assert.equal(copy.shortestQueue('x|high|auto'), 900);
  assert.deepEqual(copy.toJSON(), model.toJSON());
  assert.deepEqual(copy.distribution('x|high|auto'), model.distribution('x|high|auto'));
  for (const junk of [null, undefined, 42, 'text', { samples: [1, 2] }, { samples: { k: 'no' } }]) {
    assert.deepEqual(DurationModel.fromJSON(junk).toJSON(), { version: 1, samples: {}, queues: {} });
  }
  assert.deepEqual(DurationModel.fromJSON({ samples: { k: [1000, 'x', -1, 2000] } }).samples('k'), [1000, 2000]);
  assert.equal(DurationModel.fromJSON({ samples: {}, queues: { k: [0, 'x', -1, 'no'] } }).shortestQueue('k'), 0);
  assert.equal(DurationModel.fromJSON({ samples: {}, queues: { k: [-5, 300] } }).shortestQueue('k'), 300);
});

test('the shortest recent queue of a key, none known before any', () => {
  const model = new DurationModel({ maxSamplesPerKey: 3 });
  assert.equal(model.shortestQueue('k'), 0);
  for (const ms of [100, 400, 300, 500]) model.recordQueue('k', ms);
  // Only the three newest are kept: the 100 ms queue has aged out.
  assert.equal(model.shortestQueue('k'), 300);
  assert.equal(model.shortestQueue('other'), 0);
});

test('identical durations give a narrow but non-zero spread', () => {
  const model = new DurationModel();
  for (let i = 0; i < 30; i++) model.record('k', 1600);
  const d = model.distribution('k');
  assert.ok(d.sigma >= 0.02 && d.sigma <= 0.035, `sigma ${d.sigma}`);
});
