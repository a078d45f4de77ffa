import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UndoStack } from '../../../src/webview/undoStack';

test('pops last in, first out', () => {
  const stack = new UndoStack<number>(5);
  stack.push(1);
  stack.push(2);
  assert.equal(stack.pop(), 2);
  assert.equal(stack.pop(), 1);
  assert.equal(stack.pop(), undefined);
});

test('drops the oldest entries beyond its capacity', () => {
  const stack = new UndoStack<number>(2);
  [1, 2, 3].forEach((n) => stack.push(n));
  assert.equal(stack.size, 2);
  assert.equal(stack.pop(), 3);
  assert.equal(stack.pop(), 2);
  assert.equal(stack.pop(), undefined);
});
