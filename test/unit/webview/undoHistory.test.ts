import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UndoHistory } from '../../../src/webview/mask/undoHistory';

test('undo goes back step by step and redo forward again', () => {
  const history = new UndoHistory<string>(5);
  history.record('empty');
  history.record('one stroke');
  // Now: two strokes.
  assert.equal(history.undo('two strokes'), 'one stroke');
  assert.equal(history.undo('one stroke'), 'empty');
  assert.equal(history.undo('empty'), undefined, 'nothing before the first step');
  assert.equal(history.redo('empty'), 'one stroke');
  assert.equal(history.redo('one stroke'), 'two strokes');
  assert.equal(history.redo('two strokes'), undefined);
  assert.equal(history.canUndo, true);
  assert.equal(history.canRedo, false);
});

test('a new step after undo clears what could be redone', () => {
  const history = new UndoHistory<string>(5);
  history.record('empty');
  assert.equal(history.undo('stroke'), 'empty');
  assert.equal(history.canRedo, true);
  history.record('empty');
  assert.equal(history.canRedo, false);
  assert.equal(history.redo('rectangle'), undefined);
});

test('the snapshots kept, undo and redo together, never exceed the capacity', () => {
  const history = new UndoHistory<number>(3);
  for (let n = 0; n < 10; n++) history.record(n);
  const undone: number[] = [];
  let current = 10;
  for (let s = history.undo(current); s !== undefined; s = history.undo(current)) {
    undone.push(s);
    current = s;
  }
  assert.deepEqual(undone, [9, 8, 7], 'the oldest steps were dropped');
  const redone: number[] = [];
  for (let s = history.redo(current); s !== undefined; s = history.redo(current)) {
    redone.push(s);
    current = s;
  }
  assert.deepEqual(redone, [8, 9, 10]);
});
