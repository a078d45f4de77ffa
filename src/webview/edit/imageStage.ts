import { brushSizeLimit, defaultMaskTools, OVERLAY_COLOURS, type MaskTools } from '../../shared/maskTools';
import type { ImageInfo } from '../../shared/protocol';
import { h } from '../parts/dom';
import type { FieldTarget } from '../parts/fieldErrors';
import { exportMask } from '../mask/mask';
import { commandFor, type MaskCommand } from '../mask/maskKeys';
import { MaskLayer, type Tint } from '../mask/maskLayer';
import { MaskPainter, type PendingShape } from '../mask/maskPainter';
import { MaskToolbar } from '../mask/maskToolbar';
import { isTyping, StageView } from '../mask/stageView';
import { t } from '../parts/strings';
import { request, type RequestError } from '../parts/requests';

/** `[` and `]` change the brush by this factor (at least a pixel). */
const BRUSH_STEP = 1.15;

export interface StageEvents {
  /** The user changed the mask (a stroke, a shape, undo, clear, invert, a file). */
  edited(): void;
  /** The user changed a tool or a setting of the mask editor. */
  toolsChanged(tools: MaskTools): void;
}

/** The input image with the mask editor over it: the image, its layers, the toolbar, the keys, and what a screen reader is told. */
export class ImageStage {
  readonly element: HTMLElement;
  readonly fieldTargets: Record<string, FieldTarget>;

  private readonly image = h('img', { id: 'input-image', class: 'input-image', alt: '' });
  private readonly info = h('p', { id: 'input-info', class: 'input-info' });
  private readonly description = h('p', { id: 'mask-description', class: 'visually-hidden' });
  /** Where a keyboard-placed shape is, said as it moves. */
  private readonly shapeStatus = h('p', { id: 'shape-status', class: 'hint', role: 'status', 'aria-live': 'polite' });
  private readonly layer = new MaskLayer((edited) => this.afterChange(edited));
  private readonly painter = new MaskPainter(this.layer, (shape, applied) => this.describePending(shape, applied));
  private readonly view = new StageView([this.image, this.layer.view, this.painter.preview, this.painter.cursor], (zoom) => {
    this.toolbar?.setZoom(zoom);
    this.drawFeather();
  });
  private readonly toolbar: MaskToolbar = new MaskToolbar({
    command: (c) => this.run(c),
    change: (patch) => this.setTools({ ...this.tools, ...patch }, true),
    clear: () => this.layer.clear(),
    grow: (px) => {
      if (!this.layer.growShrink(px) && this.layer.paintedPixels() === 0) this.showMessage(t('mask.nothingToGrow'), true);
    },
    fromFile: () => this.pickMaskFile(),
    export: () => this.exportToFile(),
  });
  /** Inline feedback on the mask (a mask file loaded or rejected, an export). */
  private readonly message = h('p', { id: 'mask-message', class: 'mask-message', role: 'status' });
  /** The natural size the mask must have: the host's reading of the file, else the decoded image's. */
  private size = { width: 0, height: 0 };
  private name = '';
  private tools: MaskTools = defaultMaskTools(0, 0);
  /** Tools the host kept, applied once the image's size is known. */
  private keptTools: MaskTools | undefined;
  private featherPx = 0;

  constructor(private readonly events: StageEvents) {
    this.layer.view.setAttribute('aria-describedby', 'mask-description mask-keys');
    this.layer.view.setAttribute('role', 'img');
    const maskSection = h(
      'div',
      { class: 'mask-section' },
      h('p', { class: 'hint' }, t('mask.hint')),
      this.toolbar.element,
      h('p', { id: 'mask-keys', class: 'hint keys-hint' }, t('mask.keysHint')),
      this.shapeStatus,
      this.message,
    );
    this.element = h('section', { class: 'image-stage', 'aria-label': t('input.label') }, this.view.element, this.info, this.description, maskSection);
    this.fieldTargets = {
      mask_url: { wrapper: maskSection, control: this.layer.view },
      image_urls: { wrapper: this.element, control: this.image },
    };
    this.image.addEventListener('load', () => {
      // Without a size from the host, the decoded image's is the best knowledge of it.
      if (this.size.width === 0 || this.size.height === 0) this.setSize(this.image.naturalWidth, this.image.naturalHeight);
    });
    // Keys anywhere in the panel, except while typing in a field (there Ctrl+Z is the field's).
    document.addEventListener('keydown', (e) => {
      if (isTyping(e) || this.size.width === 0) return;
      const command = commandFor(e);
      if (!command) return;
      // Handled here: kept from the workbench, which would run its own Undo or another command.
      e.preventDefault();
      e.stopPropagation();
      this.run(command);
    });
    // VS Code changes the theme by restyling the page: repaint the layer in the new tint.
    const themeObserver = new MutationObserver(() => this.applyTint());
    themeObserver.observe(document.body, { attributes: true, attributeFilter: ['class'] });
    themeObserver.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
  }

  /** Shows a new input image, with an empty mask; `tools` are the editor's settings the host kept, if any. */
  setImage(image: ImageInfo, tools: MaskTools | undefined): void {
    this.image.alt = t('input.alt', image.name);
    this.image.src = image.src;
    this.name = image.name;
    this.info.textContent = t('input.info', image.name, image.width, image.height);
    this.layer.view.setAttribute('aria-label', t('mask.canvas', image.name));
    this.message.textContent = '';
    this.size = { width: 0, height: 0 };
    this.keptTools = tools;
    if (image.width > 0 && image.height > 0) this.setSize(image.width, image.height);
  }

  /** The paint layer as the user left it, for the host to keep; undefined when nothing is painted. */
  async paint(): Promise<string | undefined> {
    return this.size.width > 0 ? this.layer.paintLayer() : undefined;
  }

  /** Puts back a paint layer the host kept (after a reload); `note` says why one was dropped, if so. */
  restore(paint: string | undefined, note: string | undefined): void {
    if (note) this.showMessage(note, false);
    if (!paint) return;
    const layer = new Image();
    layer.addEventListener('load', () => {
      if (layer.naturalWidth === this.size.width && layer.naturalHeight === this.size.height) this.layer.restorePaint(layer);
    });
    layer.src = paint;
  }

  /** The mask to send, or undefined when nothing is painted. */
  exportMask(): string | undefined {
    return this.size.width > 0 ? exportMask(this.layer.canvas) : undefined;
  }

  /**
   * Loads a mask file the host read for us, in either convention; one of another size is scaled
   * to the image's and the user told so (Undo takes it back).
   */
  private loadMaskFile(dataUri: string, name: string): void {
    const mask = new Image();
    mask.addEventListener('load', () => {
      const { naturalWidth: width, naturalHeight: height } = mask;
      this.layer.loadMask(mask);
      const scaled = width !== this.size.width || height !== this.size.height;
      this.showMessage(scaled ? t('mask.scaled', name, width, height, this.size.width, this.size.height) : t('mask.loaded', name), false);
    });
    mask.addEventListener('error', () => this.showMessage(t('mask.unreadable', name), true));
    mask.src = dataUri;
  }

  /** Shows the band where output and original will blend. */
  showFeather(featherPx: number): void {
    this.featherPx = featherPx;
    this.drawFeather();
  }

  /** The feather as a glow of `featherPx` natural pixels, whatever the zoom. */
  private drawFeather(): void {
    const canvas = this.layer.view;
    const shown = canvas.getBoundingClientRect().width;
    const cssPx = this.layer.width > 0 ? (this.featherPx * shown) / this.layer.width : 0;
    canvas.style.filter = cssPx > 0 ? `drop-shadow(0 0 ${(cssPx / 2).toFixed(2)}px currentColor)` : '';
  }

  private setSize(width: number, height: number): void {
    this.size = { width, height };
    this.layer.reset(width, height);
    this.painter.reset();
    this.view.setNaturalSize(width, height);
    this.setTools(
      this.keptTools ?? { ...defaultMaskTools(width, height), overlayColour: this.tools.overlayColour, overlayOpacity: this.tools.overlayOpacity },
      false,
    );
  }

  private setTools(tools: MaskTools, byUser: boolean): void {
    this.tools = tools;
    this.painter.tool = tools.tool;
    this.painter.subtract = tools.subtract;
    this.painter.brushSize = tools.brushSize;
    this.painter.hardness = tools.hardness / 100;
    this.layer.view.style.opacity = String(tools.overlayOpacity / 100);
    this.layer.view.classList.toggle('shape-tool', !this.painter.isBrush);
    this.applyTint();
    this.toolbar.show(tools, brushSizeLimit(this.size.width, this.size.height));
    if (byUser) this.events.toolsChanged(tools);
  }

  private run(command: MaskCommand): void {
    const tools = this.tools;
    switch (command.kind) {
      case 'tool':
        return this.setTools({ ...tools, tool: command.tool }, true);
      case 'swap':
        if (tools.tool === 'brush' || tools.tool === 'eraser') return this.setTools({ ...tools, tool: tools.tool === 'brush' ? 'eraser' : 'brush' }, true);
        return this.setTools({ ...tools, subtract: !tools.subtract }, true);
      case 'smaller':
      case 'larger': {
        const grown =
          command.kind === 'larger'
            ? Math.max(tools.brushSize + 1, Math.round(tools.brushSize * BRUSH_STEP))
            : Math.min(tools.brushSize - 1, Math.round(tools.brushSize / BRUSH_STEP));
        return this.setTools({ ...tools, brushSize: Math.max(1, Math.min(brushSizeLimit(this.size.width, this.size.height), grown)) }, true);
      }
      case 'undo':
        return this.layer.undo();
      case 'redo':
        return this.layer.redo();
      case 'invert':
        return this.layer.invert();
      case 'zoomIn':
        return this.view.zoomIn();
      case 'zoomOut':
        return this.view.zoomOut();
      case 'fit':
        return this.view.fit();
      case 'actualSize':
        return this.view.actualSize();
    }
  }

  /** Saves the mask beside the image (the host names the file), and says where or why not. */
  private exportToFile(): void {
    const mask = this.exportMask();
    if (!mask) return this.showMessage(t('mask.nothingToExport'), true);
    request({ type: 'exportMask', mask }).then(
      ({ name }) => this.showMessage(t('mask.exported', name), false),
      (e: RequestError) => this.showMessage(e.message, true),
    );
  }

  /** Loads a mask file the user picks in the host's dialog (none when they close it). */
  private pickMaskFile(): void {
    request({ type: 'pickMaskFile' }).then(
      ({ mask }) => mask && this.loadMaskFile(mask.dataUri, mask.name),
      (e: RequestError) => this.showMessage(e.message, true),
    );
  }

  /**
   * After every change of the layer: the buttons and the user's edit reported at once; what the
   * canvas is described as once changes settle (a task later: counting a 4096² layer takes a while).
   */
  private afterChange(edited: boolean): void {
    this.toolbar.setHistory(this.layer.canUndo, this.layer.canRedo);
    if (edited) this.events.edited();
    window.clearTimeout(this.describeTimer);
    this.describeTimer = window.setTimeout(() => this.describe());
  }

  private describeTimer: number | undefined;

  private describe(): void {
    const { width, height } = this.size;
    const painted = width > 0 ? this.layer.paintedPixels() : 0;
    this.description.textContent =
      painted === 0
        ? t('mask.describeEmpty', this.name, width, height)
        : t('mask.describe', this.name, width, height, formatPercent(painted / (width * height)), painted.toLocaleString());
  }

  private describePending(shape: PendingShape | undefined, applied: boolean): void {
    if (!shape) this.shapeStatus.textContent = t('mask.dropped');
    else {
      const { x, y, width, height } = shape.box;
      if (applied) this.shapeStatus.textContent = t('mask.applied', width, height, x, y);
      else this.shapeStatus.textContent = t(shape.kind === 'rectangle' ? 'mask.pending' : 'mask.pendingEllipse', x, y, width, height);
    }
  }

  /** The layer's colour: the chosen one, or the theme's (the canvas's CSS colour). */
  private applyTint(): void {
    const fixed = OVERLAY_COLOURS[this.tools.overlayColour];
    this.layer.setTint(fixed ?? parseRgb(getComputedStyle(this.layer.view).color));
  }

  private showMessage(text: string, isError: boolean): void {
    this.message.textContent = text;
    this.message.classList.toggle('error-text', isError);
  }
}

function parseRgb(css: string): Tint {
  const [r = 128, g = 0, b = 128] = (css.match(/\d+(\.\d+)?/g) ?? []).map(Number);
  return [Math.round(r), Math.round(g), Math.round(b)];
}

function formatPercent(fraction: number): string {
  return fraction < 0.001 ? '< 0.1' : (fraction * 100).toFixed(1);
}
