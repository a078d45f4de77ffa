import type { VscodeButton } from '@vscode-elements/elements/dist/vscode-button/vscode-button.js';
import type { ImageInfo } from '../shared/protocol';
import { h } from './dom';
import type { FieldTarget } from './fieldErrors';
import { exportMask } from './mask';
import { MaskPainter, type MaskTool } from './maskPainter';
import { t } from './strings';
import { post } from './vscodeApi';

/** The input image with the mask painted over it, its name and size, and the mask tools. */
export class ImageStage {
  readonly element: HTMLElement;
  readonly fieldTargets: Record<string, FieldTarget>;

  private readonly image = h('img', { id: 'input-image', class: 'input-image', alt: '' });
  private readonly info = h('p', { id: 'input-info', class: 'input-info' });
  private readonly painter = new MaskPainter((edited) => {
    this.updateTools();
    if (edited) this.onEdited();
  });
  private readonly toolButtons: Record<MaskTool, VscodeButton> = {
    brush: toolButton('brush', t('mask.brush')),
    eraser: toolButton('eraser', t('mask.eraser')),
  };
  private readonly brushSize = h('input', { id: 'brush-size', type: 'range', min: 4, max: 200, step: 1 });
  private readonly undoButton = toolButton('mask-undo', t('mask.undo'));
  /** Inline feedback on the mask (a mask file loaded or rejected). */
  private readonly message = h('p', { id: 'mask-message', class: 'mask-message', role: 'status' });
  /** The natural size the mask must have: the host's reading of the file, else the decoded image's. */
  private size = { width: 0, height: 0 };

  /** `onEdited` hears each change the user makes to the mask (a stroke, undo, clear, invert, a file). */
  constructor(private readonly onEdited: () => void) {
    this.painter.canvas.setAttribute('aria-label', t('mask.canvas'));
    this.brushSize.value = String(this.painter.brushSize);
    const stage = h('div', { class: 'stage' }, this.image, this.painter.canvas, this.painter.cursor);
    const clearButton = toolButton('mask-clear', t('mask.clear'));
    const invertButton = toolButton('mask-invert', t('mask.invert'));
    const fileButton = toolButton('mask-file', t('mask.fromFile'));
    const tools = h(
      'div',
      { class: 'mask-tools', role: 'group', 'aria-label': t('mask.tools') },
      this.toolButtons.brush,
      this.toolButtons.eraser,
      h('label', { class: 'brush-size' }, t('mask.brushSize'), this.brushSize),
      this.undoButton,
      invertButton,
      clearButton,
      fileButton,
    );
    const maskSection = h(
      'div',
      { class: 'mask-section' },
      h('p', { class: 'hint' }, t('mask.hint')),
      tools,
      this.message,
    );
    this.element = h('section', { class: 'image-stage', 'aria-label': t('input.label') }, stage, this.info, maskSection);
    this.fieldTargets = {
      mask_url: { wrapper: maskSection, control: this.painter.canvas },
      image_urls: { wrapper: this.element, control: this.image },
    };

    for (const tool of ['brush', 'eraser'] as const) {
      this.toolButtons[tool].addEventListener('click', () => this.selectTool(tool));
    }
    this.brushSize.addEventListener('input', () => (this.painter.brushSize = Number(this.brushSize.value)));
    this.undoButton.addEventListener('click', () => this.painter.undo());
    clearButton.addEventListener('click', () => this.painter.clear());
    invertButton.addEventListener('click', () => this.painter.invert());
    fileButton.addEventListener('click', () => post({ type: 'pickMaskFile' }));
    this.image.addEventListener('load', () => {
      // Without a size from the host, the decoded image's is the best knowledge of it.
      if (this.size.width === 0 || this.size.height === 0) this.setSize(this.image.naturalWidth, this.image.naturalHeight);
    });
    this.selectTool('brush');
  }

  /** Shows a new input image, with an empty mask. */
  setImage(image: ImageInfo): void {
    this.image.alt = t('input.alt', image.name);
    this.image.src = image.src;
    this.info.textContent = t('input.info', image.name, image.width, image.height);
    this.message.textContent = '';
    this.size = { width: 0, height: 0 };
    if (image.width > 0 && image.height > 0) this.setSize(image.width, image.height);
  }

  /** The paint layer as the user left it, for the host to keep; undefined when nothing is painted. */
  paint(): string | undefined {
    return this.size.width > 0 ? this.painter.paintLayer() : undefined;
  }

  /** Puts back a paint layer the host kept (after a reload); `note` says why one was dropped, if so. */
  restore(paint: string | undefined, note: string | undefined): void {
    if (note) this.showMessage(note, false);
    if (!paint) return;
    const layer = new Image();
    layer.addEventListener('load', () => {
      if (layer.naturalWidth === this.size.width && layer.naturalHeight === this.size.height) this.painter.restorePaint(layer);
    });
    layer.src = paint;
  }

  /** The mask to send, or undefined when nothing is painted. */
  exportMask(): string | undefined {
    return this.size.width > 0 ? exportMask(this.painter.canvas) : undefined;
  }

  /**
   * Loads a mask file the host read for us, in either convention; one of another size is scaled
   * to the image's and the user told so (Undo takes it back).
   */
  loadMaskFile(dataUri: string, name: string): void {
    const mask = new Image();
    mask.addEventListener('load', () => {
      const { naturalWidth: width, naturalHeight: height } = mask;
      this.painter.loadMask(mask);
      const scaled = width !== this.size.width || height !== this.size.height;
      this.showMessage(scaled ? t('mask.scaled', name, width, height, this.size.width, this.size.height) : t('mask.loaded', name), false);
    });
    mask.addEventListener('error', () => this.showMessage(t('mask.unreadable', name), true));
    mask.src = dataUri;
  }

  /** Shows the band where output and original will blend. */
  showFeather(featherPx: number): void {
    this.painter.showFeather(featherPx);
  }

  private setSize(width: number, height: number): void {
    this.size = { width, height };
    this.painter.reset(width, height);
  }

  private showMessage(text: string, isError: boolean): void {
    this.message.textContent = text;
    this.message.classList.toggle('error-text', isError);
  }

  private selectTool(tool: MaskTool): void {
    this.painter.tool = tool;
    for (const [name, button] of Object.entries(this.toolButtons)) {
      const pressed = name === tool;
      // The selected tool looks like a primary button; aria-pressed says the same to screen readers.
      button.secondary = !pressed;
      button.setAttribute('aria-pressed', String(pressed));
    }
  }

  private updateTools(): void {
    this.undoButton.disabled = !this.painter.canUndo;
  }
}

function toolButton(id: string, label: string): VscodeButton {
  return h('vscode-button', { id, secondary: true }, label);
}
