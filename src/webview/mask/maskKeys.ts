/**
 * The mask editor's keys, declared once: the key handler reads them, and each button announces
 * its key (aria-keyshortcuts, and its tooltip). Ctrl stands for Cmd on macOS; both are accepted.
 */

import type { MaskTool } from '../../shared/maskTools';

export type MaskCommand =
  { kind: 'tool'; tool: MaskTool } | { kind: 'swap' | 'smaller' | 'larger' | 'undo' | 'redo' | 'invert' | 'zoomIn' | 'zoomOut' | 'fit' | 'actualSize' };

/** Plain keys (no Ctrl/Cmd, no Alt), by `KeyboardEvent.key` lower-cased. */
const PLAIN_KEYS: Record<string, MaskCommand> = {
  b: { kind: 'tool', tool: 'brush' },
  e: { kind: 'tool', tool: 'eraser' },
  r: { kind: 'tool', tool: 'rectangle' },
  o: { kind: 'tool', tool: 'ellipse' },
  l: { kind: 'tool', tool: 'lasso' },
  x: { kind: 'swap' },
  '[': { kind: 'smaller' },
  ']': { kind: 'larger' },
  '+': { kind: 'zoomIn' },
  '=': { kind: 'zoomIn' },
  '-': { kind: 'zoomOut' },
  '0': { kind: 'fit' },
  '1': { kind: 'actualSize' },
};

/** Keys with Ctrl (Cmd on macOS), by key lower-cased and whether Shift is held. */
const CONTROL_KEYS: { key: string; shift: boolean; command: MaskCommand }[] = [
  { key: 'z', shift: false, command: { kind: 'undo' } },
  { key: 'z', shift: true, command: { kind: 'redo' } },
  { key: 'y', shift: false, command: { kind: 'redo' } },
  { key: 'i', shift: false, command: { kind: 'invert' } },
];

/** The command for a key press, or undefined when the key is not the mask editor's. */
export function commandFor(e: { key: string; ctrlKey: boolean; metaKey: boolean; shiftKey: boolean; altKey: boolean }): MaskCommand | undefined {
  if (e.altKey) return undefined;
  const key = e.key.toLowerCase();
  if (e.ctrlKey || e.metaKey) return CONTROL_KEYS.find((k) => k.key === key && k.shift === e.shiftKey)?.command;
  return PLAIN_KEYS[key];
}

/** The keys of a command, as aria-keyshortcuts spells them (the first is the one shown). */
export function shortcutsOf(command: MaskCommand): string[] {
  const same = (c: MaskCommand) => c.kind === command.kind && (c.kind !== 'tool' || (command.kind === 'tool' && c.tool === command.tool));
  const plain = Object.entries(PLAIN_KEYS)
    .filter(([, c]) => same(c))
    .map(([key]) => key.toUpperCase());
  const withControl = CONTROL_KEYS.filter((k) => same(k.command)).flatMap((k) =>
    ['Control', 'Meta'].map((modifier) => [modifier, ...(k.shift ? ['Shift'] : []), k.key.toUpperCase()].join('+')),
  );
  return [...plain, ...withControl];
}
