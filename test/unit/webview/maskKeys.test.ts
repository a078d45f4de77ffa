import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commandFor, shortcutsOf } from '../../../src/webview/mask/maskKeys';

const key = (k: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; shiftKey: boolean; altKey: boolean }> = {}) =>
  commandFor({ key: k, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods });

test('each tool has its key, and X, [ ] and the zoom keys theirs', () => {
  assert.deepEqual(
    ['b', 'e', 'r', 'o', 'l'].map((k) => key(k)),
    [
      { kind: 'tool', tool: 'brush' },
      { kind: 'tool', tool: 'eraser' },
      { kind: 'tool', tool: 'rectangle' },
      { kind: 'tool', tool: 'ellipse' },
      { kind: 'tool', tool: 'lasso' },
    ],
  );
  assert.deepEqual(key('R', { shiftKey: true }), { kind: 'tool', tool: 'rectangle' }, 'Caps Lock or Shift');
  assert.deepEqual(
    ['x', '[', ']', '+', '=', '-', '0', '1'].map((k) => key(k)?.kind),
    ['swap', 'smaller', 'larger', 'zoomIn', 'zoomIn', 'zoomOut', 'fit', 'actualSize'],
  );
  assert.equal(key('q'), undefined);
  assert.equal(key('b', { altKey: true }), undefined);
});

test("Ctrl or Cmd: Z undoes, Shift+Z and Y redo, I inverts; other chords are not the editor's", () => {
  for (const mod of [{ ctrlKey: true }, { metaKey: true }]) {
    assert.equal(key('z', mod)?.kind, 'undo');
    assert.equal(key('Z', { ...mod, shiftKey: true })?.kind, 'redo');
    assert.equal(key('y', mod)?.kind, 'redo');
    assert.equal(key('i', mod)?.kind, 'invert');
    assert.equal(key('b', mod), undefined, "Ctrl+B is the workbench's");
  }
});

test('buttons announce the same keys the handler acts on', () => {
  assert.deepEqual(shortcutsOf({ kind: 'tool', tool: 'ellipse' }), ['O']);
  assert.deepEqual(shortcutsOf({ kind: 'undo' }), ['Control+Z', 'Meta+Z']);
  assert.deepEqual(shortcutsOf({ kind: 'redo' }), ['Control+Shift+Z', 'Meta+Shift+Z', 'Control+Y', 'Meta+Y']);
  assert.deepEqual(shortcutsOf({ kind: 'zoomIn' }), ['+', '=']);
  for (const shortcut of [...shortcutsOf({ kind: 'redo' }), ...shortcutsOf({ kind: 'tool', tool: 'lasso' })]) {
    const parts = shortcut.split('+');
    const k = parts[parts.length - 1];
    const command = key(k, { ctrlKey: parts.includes('Control'), metaKey: parts.includes('Meta'), shiftKey: parts.includes('Shift') });
    assert.ok(command, `${shortcut} is handled`);
  }
});
