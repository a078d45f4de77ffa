import type { VscodeButton } from '@vscode-elements/elements/dist/vscode-button/vscode-button.js';
import type { VscodeSingleSelect } from '@vscode-elements/elements/dist/vscode-single-select/vscode-single-select.js';
import type { VscodeTextfield } from '@vscode-elements/elements/dist/vscode-textfield/vscode-textfield.js';
import { MASK_TOOLS, MAX_GROW_PX, OVERLAY_COLOURS, type MaskTool, type MaskTools, type OverlayColour } from '../../shared/maskTools';
import type { WebviewStringKey } from '../../shared/webviewStrings';
import { h } from '../parts/dom';
import { shortcutsOf, type MaskCommand } from './maskKeys';
import { t } from '../parts/strings';

/** What the toolbar's controls ask for. */
export interface ToolbarEvents {
  command(command: MaskCommand): void;
  change(patch: Partial<MaskTools>): void;
  clear(): void;
  grow(px: number): void;
  fromFile(): void;
  export(): void;
}

const TOOL_LABELS: Record<MaskTool, WebviewStringKey> = {
  brush: 'mask.brush',
  eraser: 'mask.eraser',
  rectangle: 'mask.rectangle',
  ellipse: 'mask.ellipse',
  lasso: 'mask.lasso',
};

/**
 * The mask editor's controls: the tools (each a toggle button named for what it is, with its
 * key), brush size and hardness, undo/redo/invert/clear, grow and shrink, the overlay's look,
 * zoom, and mask files. Shows the settings it is given; reports what the user asks for.
 */
export class MaskToolbar {
  readonly element: HTMLElement;
  private readonly toolButtons = Object.fromEntries(
    MASK_TOOLS.map((tool) => [tool, button(`tool-${tool}`, t(TOOL_LABELS[tool]), { kind: 'tool', tool })]),
  ) as Record<MaskTool, VscodeButton>;
  /** X swaps brush and eraser, and for shapes adding and subtracting: this button says which shapes do. */
  private readonly subtractButton = plainButton(
    'mask-subtract',
    t('mask.subtract'),
    () => this.tools && this.events.change({ subtract: !this.tools.subtract }),
  );
  private readonly brushSize = h('input', { id: 'brush-size', type: 'range', min: 1, max: 256, step: 1 });
  private readonly brushSizeValue = h('output', { for: 'brush-size', class: 'range-value' });
  private readonly hardness = h('input', { id: 'hardness', type: 'range', min: 0, max: 100, step: 5 });
  private readonly opacity = h('input', { id: 'overlay-opacity', type: 'range', min: 10, max: 90, step: 5 });
  private readonly colour: VscodeSingleSelect = h(
    'vscode-single-select',
    { id: 'overlay-colour' },
    ...Object.keys(OVERLAY_COLOURS).map((c) => h('vscode-option', { value: c }, t(`colour.${c as OverlayColour}`))),
  );
  private readonly undoButton = button('mask-undo', t('mask.undo'), { kind: 'undo' });
  private readonly redoButton = button('mask-redo', t('mask.redo'), { kind: 'redo' });
  private readonly growPx: VscodeTextfield = h('vscode-textfield', {
    id: 'grow-px',
    type: 'number',
    min: '1',
    max: String(MAX_GROW_PX),
    value: '4',
    class: 'number-field',
  });
  private readonly zoomLevel = h('output', { id: 'zoom-level', class: 'range-value', 'aria-live': 'polite' });
  private tools: MaskTools | undefined;

  constructor(private readonly events: ToolbarEvents) {
    for (const tool of MASK_TOOLS) this.toolButtons[tool].addEventListener('click', () => events.command({ kind: 'tool', tool }));
    announceKeys(this.subtractButton, t('mask.subtract'), shortcutsOf({ kind: 'swap' }));
    this.brushSize.addEventListener('input', () => events.change({ brushSize: Number(this.brushSize.value) }));
    this.hardness.addEventListener('input', () => events.change({ hardness: Number(this.hardness.value) }));
    this.opacity.addEventListener('input', () => events.change({ overlayOpacity: Number(this.opacity.value) }));
    this.colour.addEventListener('change', () => {
      if (this.colour.value in OVERLAY_COLOURS) events.change({ overlayColour: this.colour.value as OverlayColour });
    });
    this.colour.label = t('mask.colour');
    const growButton = plainButton('mask-grow', t('mask.grow'), () => events.grow(this.growBy()));
    const shrinkButton = plainButton('mask-shrink', t('mask.shrink'), () => events.grow(-this.growBy()));
    this.growPx.label = t('mask.growBy');

    const group = (label: WebviewStringKey, ...children: (Node | string)[]) =>
      h('div', { class: 'mask-tools', role: 'group', 'aria-label': t(label) }, ...children);
    const labelled = (key: WebviewStringKey, control: HTMLElement, ...after: Node[]) => h('label', { class: 'tool-setting' }, t(key), control, ...after);
    this.element = h(
      'div',
      { class: 'mask-toolbar' },
      group('mask.tools', ...MASK_TOOLS.map((tool) => this.toolButtons[tool]), this.subtractButton),
      group('mask.brushSize', labelled('mask.brushSize', this.brushSize, this.brushSizeValue), labelled('mask.hardness', this.hardness)),
      group(
        'mask.tools',
        this.undoButton,
        this.redoButton,
        button('mask-invert', t('mask.invert'), { kind: 'invert' }),
        plainButton('mask-clear', t('mask.clear'), () => events.clear()),
        h('span', { class: 'tool-setting' }, h('label', { for: 'grow-px' }, t('mask.growBy')), this.growPx),
        growButton,
        shrinkButton,
      ),
      group(
        'mask.overlay',
        labelled('mask.opacity', this.opacity),
        h('span', { class: 'tool-setting' }, h('label', { for: 'overlay-colour' }, t('mask.colour')), this.colour),
      ),
      group(
        'zoom.label',
        button('zoom-out', t('zoom.out'), { kind: 'zoomOut' }, '−'),
        this.zoomLevel,
        button('zoom-in', t('zoom.in'), { kind: 'zoomIn' }, '+'),
        button('zoom-fit', t('zoom.fit'), { kind: 'fit' }),
        button('zoom-actual', t('zoom.actual'), { kind: 'actualSize' }),
      ),
      group(
        'mask.files',
        plainButton('mask-file', t('mask.fromFile'), () => events.fromFile()),
        plainButton('mask-export', t('mask.export'), () => events.export()),
      ),
    );
    for (const b of this.element.querySelectorAll<VscodeButton>('vscode-button[data-command]')) {
      const command = JSON.parse(b.dataset.command!) as MaskCommand;
      if (command.kind !== 'tool') b.addEventListener('click', () => events.command(command));
    }
  }

  /** Shows these settings; the brush slider goes up to `brushLimit` (it follows the image's size). */
  show(tools: MaskTools, brushLimit: number): void {
    this.tools = tools;
    for (const tool of MASK_TOOLS) {
      const pressed = tool === tools.tool;
      // The selected tool looks like a primary button; aria-pressed says the same to screen readers.
      this.toolButtons[tool].secondary = !pressed;
      this.toolButtons[tool].setAttribute('aria-pressed', String(pressed));
    }
    this.subtractButton.setAttribute('aria-pressed', String(tools.subtract));
    this.subtractButton.secondary = !tools.subtract;
    this.brushSize.max = String(Math.max(brushLimit, tools.brushSize));
    this.brushSize.value = String(tools.brushSize);
    this.brushSizeValue.textContent = String(tools.brushSize);
    this.hardness.value = String(tools.hardness);
    this.opacity.value = String(tools.overlayOpacity);
    if (this.colour.value !== tools.overlayColour) this.colour.value = tools.overlayColour;
  }

  setHistory(canUndo: boolean, canRedo: boolean): void {
    this.undoButton.disabled = !canUndo;
    this.redoButton.disabled = !canRedo;
  }

  setZoom(zoom: number): void {
    this.zoomLevel.textContent = t('zoom.level', Math.round(zoom * 100));
  }

  private growBy(): number {
    const n = Math.round(Number(this.growPx.value));
    return Number.isFinite(n) ? Math.min(MAX_GROW_PX, Math.max(1, n)) : 1;
  }
}

/** A toolbar button for `command`: named `label`, its keys announced and in its tooltip. */
function button(id: string, label: string, command: MaskCommand, text = label): VscodeButton {
  const b = h('vscode-button', { id, secondary: true, 'data-command': JSON.stringify(command), 'aria-label': label }, text);
  announceKeys(b, label, shortcutsOf(command));
  return b;
}

function announceKeys(b: HTMLElement, label: string, keys: string[]): void {
  if (keys.length === 0) return;
  b.setAttribute('aria-keyshortcuts', keys.join(' '));
  b.title = `${label} (${keys[0].replace('Control', 'Ctrl')})`;
}

function plainButton(id: string, label: string, onClick: () => void): VscodeButton {
  const b = h('vscode-button', { id, secondary: true }, label);
  b.addEventListener('click', onClick);
  return b;
}
