// What the history treats as a stored edit, and which runs "Fetch Results" may still bring back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_OPTIONS } from '../../../src/shared/options';
import { isFetchable, readRecord, RECORD_VERSION, type RunRecord } from '../../../src/history/runRecord';

const NOW = Date.parse('2025-01-10T12:00:00Z');
const record: RunRecord = {
  version: RECORD_VERSION,
  id: 'c0ffee00-0000-4000-8000-000000000001',
  idempotencyKey: 'k1',
  runId: 'run-1',
  inputs: ['file:///w/photo.png'],
  masked: false,
  prompt: 'Make it snow',
  options: { ...DEFAULT_OPTIONS },
  outputFolder: 'file:///w',
  status: 'stoppedWaiting',
  createdAt: NOW - 60_000,
  outputs: [],
};

test('a known run whose results were not saved is fetchable, however old: no link lifetime is assumed', () => {
  for (const status of ['stoppedWaiting', 'notSaved', 'interrupted'] as const) assert.equal(isFetchable({ ...record, status }), true, status);
  assert.equal(isFetchable({ ...record, createdAt: NOW - 30 * 24 * 3600_000 }), true, 'a month old');
  assert.equal(isFetchable({ ...record, runId: undefined }), false, 'no run known: nothing to fetch');
});

test('saved, failed, creating and in-flight edits are not fetchable', () => {
  for (const status of ['saved', 'failed', 'inFlight', 'creating'] as const) assert.equal(isFetchable({ ...record, status }), false, status);
});

test('only values shaped like a record are read back from storage', () => {
  assert.deepEqual(readRecord(record), record);
  for (const bad of [
    undefined,
    null,
    'run-1',
    {},
    { ...record, inputs: [1] },
    { ...record, createdAt: '2025' },
    { ...record, outputs: undefined },
    { ...record, id: '../escape' },
    { ...record, version: 3 },
  ]) {
    assert.equal(readRecord(bad), undefined, JSON.stringify(bad));
  }
});
