// CoalescedWrite: the batch panel's list is stored once per pause in its changes, not once per change.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CoalescedWrite } from '../../../src/panel/coalescedWrite';

test('a thousand changes in a burst are stored in one write, after the delay, with the latest state', async () => {
  const stored: number[] = [];
  let state = 0;
  const writes = new CoalescedWrite(async () => void stored.push(state), 30);
  for (let i = 1; i <= 1000; i++) {
    state = i;
    writes.schedule();
  }
  assert.deepEqual(stored, [], 'nothing written during the burst');
  await new Promise((resolve) => setTimeout(resolve, 80));
  assert.deepEqual(stored, [1000]);
});

test('flush writes a pending change at once, and does nothing when none is pending', async () => {
  const stored: string[] = [];
  let state = 'a';
  const writes = new CoalescedWrite(async () => void stored.push(state), 60_000);
  writes.schedule();
  state = 'b';
  await writes.flush();
  assert.deepEqual(stored, ['b']);
  await writes.flush();
  assert.deepEqual(stored, ['b'], 'no second write without a change');
  writes.schedule();
  await writes.flush();
  assert.deepEqual(stored, ['b', 'b']);
});
