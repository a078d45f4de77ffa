import { h } from './dom';
import { hasPaint, invertAlpha, paintFromMaskFile } from './mask';
import { UndoStack } from './undoStack';

export type MaskTool = 'brush' | 'eraser';

/** Memory the undo snapshots may use together; a 4096² image (64 MB a snapshot) still gets 4. */
const UNDO_BUDGET_BYTES = 256 * 1024 * 1024;
const MAX_UNDO_STEPS = 30;

/**
 * Paints the mask on a canvas laid over the input image. The canvas has the image's natural
 * resolution and is scaled with CSS to the displayed image, so pointer positions are mapped from
 * CSS pixels to natural pixels. Painted pixels are opaque in the theme's tint colour; the canvas's
 * CSS opacity makes them a translucent overlay. `mask.ts` turns the layer into the mask to send.
 */
export class MaskPainter {
  readonly canvas: HTMLCanvasElement;
  /** A circle that follows the pointer to show the brush's size. */
  readonly cursor: HTMLElement;
  tool: MaskTool = 'brush';
  /** Brush diameter in CSS pixels, so it looks the same whatever the image's zoom. */
  brushSize = 32;

  private readonly context: CanvasRenderingContext2D;
  private undoStack = new UndoStack<ImageData>(1);
  private stroke: { pointerId: number; x: number; y: number } | undefined;
  private tint = '';
  private featherPx = 0;

  /** `onChange` hears every change of the layer; `edited` is true for the user's own (not a reset or a restore). */
  constructor(private readonly onChange: (edited: boolean) => void) {
    this.canvas = h('canvas', { id: 'mask-canvas', class: 'mask-canvas', role: 'img' });
    this.cursor = h('div', { class: 'brush-cursor', 'aria-hidden': 'true', hidden: true });
    // Read back on every undo snapshot and export: keep the pixels on the CPU side.
    this.context = this.canvas.getContext('2d', { willReadFrequently: true })!;
    this.canvas.addEventListener('pointerdown', (e) => this.startStroke(e));
    this.canvas.addEventListener('pointermove', (e) => this.moveStroke(e));
    this.canvas.addEventListener('pointerup', (e) => this.endStroke(e));
    this.canvas.addEventListener('pointercancel', (e) => this.endStroke(e));
    this.canvas.addEventListener('pointerleave', () => (this.cursor.hidden = true));
    new ResizeObserver(() => this.drawFeather()).observe(this.canvas);
    // VS Code changes the theme by restyling the page: repaint the layer in the new tint.
    const themeObserver = new MutationObserver(() => this.applyTint());
    themeObserver.observe(document.body, { attributes: true, attributeFilter: ['class'] });
    themeObserver.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
  }

  /** Starts over for an image of this natural size: an empty layer and no undo history. */
  reset(width: number, height: number): void {
    this.canvas.width = width;
    this.canvas.height = height;
    const snapshotBytes = Math.max(1, width * height * 4);
    this.undoStack = new UndoStack(Math.max(1, Math.min(MAX_UNDO_STEPS, Math.floor(UNDO_BUDGET_BYTES / snapshotBytes))));
    this.onChange(false);
  }

  get canUndo(): boolean {
    return this.undoStack.size > 0;
  }

  undo(): void {
    const snapshot = this.undoStack.pop();
    if (!snapshot) return;
    this.context.putImageData(snapshot, 0, 0);
    this.onChange(true);
  }

  clear(): void {
    this.remember();
    this.context.clearRect(0, 0, this.canvas.width, this.canvas.height);
    this.onChange(true);
  }

  invert(): void {
    this.remember();
    this.transformAlpha(invertAlpha);
    this.onChange(true);
  }

  /** The layer as a PNG data: URI (its alpha is what was painted), or undefined when nothing is. */
  paintLayer(): string | undefined {
    const { width, height } = this.canvas;
    if (width === 0 || height === 0 || !hasPaint(this.context.getImageData(0, 0, width, height).data)) return undefined;
    return this.canvas.toDataURL('image/png');
  }

  /** Puts back a layer saved with paintLayer (the same size), in the current tint; no undo step. */
  restorePaint(layer: HTMLImageElement): void {
    this.context.save();
    this.context.globalCompositeOperation = 'copy';
    this.context.drawImage(layer, 0, 0);
    this.context.restore();
    this.tint = '';
    this.applyTint();
    this.onChange(false);
  }

  /**
   * Replaces the layer with a mask image, stretched to the layer's size if it has another: its
   * edit area (by either convention, see paintFromMaskFile) becomes paint. One undo step.
   */
  loadMask(mask: HTMLImageElement): void {
    this.remember();
    this.context.save();
    this.context.globalCompositeOperation = 'copy';
    this.context.imageSmoothingEnabled = true;
    this.context.drawImage(mask, 0, 0, this.canvas.width, this.canvas.height);
    this.context.restore();
    this.transformAlpha(paintFromMaskFile);
    this.onChange(true);
  }

  /** Shows the feathered band around the paint: a soft edge of `featherPx` natural pixels, at any zoom. */
  showFeather(featherPx: number): void {
    this.featherPx = featherPx;
    this.drawFeather();
  }

  private drawFeather(): void {
    const shown = this.canvas.getBoundingClientRect().width;
    const cssPx = this.canvas.width > 0 ? (this.featherPx * shown) / this.canvas.width : 0;
    this.canvas.style.filter = cssPx > 0 ? `drop-shadow(0 0 ${(cssPx / 2).toFixed(2)}px currentColor)` : '';
  }

  private remember(): void {
    this.undoStack.push(this.context.getImageData(0, 0, this.canvas.width, this.canvas.height));
  }

  /** Rewrites the layer's alpha with `transform`, then recolours it in the tint. */
  private transformAlpha(transform: (rgba: Uint8ClampedArray) => void): void {
    const pixels = this.context.getImageData(0, 0, this.canvas.width, this.canvas.height);
    transform(pixels.data);
    this.context.putImageData(pixels, 0, 0);
    this.tint = '';
    this.applyTint();
  }

  /** Recolours every painted pixel in the current theme's tint, keeping each pixel's alpha. */
  private applyTint(): void {
    const tint = getComputedStyle(this.canvas).color;
    if (tint === this.tint) return;
    this.tint = tint;
    this.context.save();
    this.context.globalCompositeOperation = 'source-in';
    this.context.fillStyle = tint;
    this.context.fillRect(0, 0, this.canvas.width, this.canvas.height);
    this.context.restore();
  }

  /** The pointer's position in the canvas's natural pixels, and how many of them a CSS pixel is. */
  private naturalPoint(e: PointerEvent): { x: number; y: number; scale: number } {
    const rect = this.canvas.getBoundingClientRect();
    const scale = this.canvas.width / rect.width;
    return {
      x: (e.clientX - rect.left) * scale,
      y: ((e.clientY - rect.top) * this.canvas.height) / rect.height,
      scale,
    };
  }

  private startStroke(e: PointerEvent): void {
    if (this.stroke || (e.pointerType === 'mouse' && e.button !== 0)) return;
    e.preventDefault();
    this.canvas.setPointerCapture(e.pointerId);
    this.remember();
    const { x, y, scale } = this.naturalPoint(e);
    this.applyTint();
    const c = this.context;
    c.globalCompositeOperation = this.tool === 'eraser' ? 'destination-out' : 'source-over';
    c.fillStyle = c.strokeStyle = this.tint;
    c.lineWidth = this.brushSize * scale;
    c.lineCap = c.lineJoin = 'round';
    c.beginPath();
    c.arc(x, y, c.lineWidth / 2, 0, Math.PI * 2);
    c.fill();
    this.stroke = { pointerId: e.pointerId, x, y };
    this.moveCursor(e);
  }

  private moveStroke(e: PointerEvent): void {
    this.moveCursor(e);
    if (!this.stroke || e.pointerId !== this.stroke.pointerId) return;
    // Coalesced events keep fast strokes smooth: the browser batches moves between frames.
    for (const move of e.getCoalescedEvents?.() ?? [e]) {
      const { x, y } = this.naturalPoint(move);
      this.context.beginPath();
      this.context.moveTo(this.stroke.x, this.stroke.y);
      this.context.lineTo(x, y);
      this.context.stroke();
      this.stroke.x = x;
      this.stroke.y = y;
    }
  }

  private endStroke(e: PointerEvent): void {
    if (!this.stroke || e.pointerId !== this.stroke.pointerId) return;
    this.stroke = undefined;
    this.context.globalCompositeOperation = 'source-over';
    this.onChange(true);
  }

  private moveCursor(e: PointerEvent): void {
    if (e.pointerType === 'touch') return;
    const rect = this.canvas.getBoundingClientRect();
    const size = this.brushSize;
    this.cursor.hidden = false;
    this.cursor.style.width = this.cursor.style.height = `${size}px`;
    this.cursor.style.transform = `translate(${e.clientX - rect.left - size / 2}px, ${e.clientY - rect.top - size / 2}px)`;
  }
}
