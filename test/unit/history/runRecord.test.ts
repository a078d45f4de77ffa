// What the history treats as a stored run, and which runs "Fetch Results" may still bring back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isFetchable, isRunRecord, OUTPUT_LIFETIME_MS, type RunRecord } from '../../../src/history/runRecord';

const NOW = Date.parse('2025-01-10T12:00:00Z');
const record: RunRecord = {
  runId: 'run-1',
  inputs: ['file:///w/photo.png'],
  masked: false,
  prompt: 'Make it snow',
  options: { numImages: 1, outputFormat: 'png', imageSize: 'auto', quality: 'high', private: false },
  outputFolder: 'file:///w',
  status: 'stoppedWaiting',
  createdAt: NOW - 60_000,
  outputs: [],
};

test('a stopped wait or a failed save is fetchable while Runflow keeps the outputs (7 days)', () => {
  assert.equal(isFetchable(record, NOW), true);
  assert.equal(isFetchable({ ...record, status: 'notSaved' }, NOW), true);
  assert.equal(isFetchable({ ...record, createdAt: NOW - OUTPUT_LIFETIME_MS }, NOW), false);
});

test('saved, failed, in-flight and private runs are not fetchable', () => {
  for (const status of ['saved', 'failed', 'inFlight', 'interrupted'] as const) assert.equal(isFetchable({ ...record, status }, NOW), false, status);
  assert.equal(isFetchable({ ...record, options: { ...record.options, private: true } }, NOW), false);
});

test('only values shaped like a record are read back from storage', () => {
  assert.equal(isRunRecord(record), true);
  for (const bad of [undefined, null, 'run-1', {}, { ...record, inputs: [1] }, { ...record, createdAt: '2025' }, { ...record, outputs: undefined }]) {
    assert.equal(isRunRecord(bad), false, JSON.stringify(bad));
  }
});
