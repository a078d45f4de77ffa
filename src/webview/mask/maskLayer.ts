import { h } from '../parts/dom';
import { hasPaint, invertAlpha, paintFromMaskFile, PAINTED_ALPHA } from './mask';
import { paintSegment, segmentBounds, type Brush, type BrushPoint } from './maskBrush';
import { growShrink } from './maskMorphology';
import type { Box, Coverage } from '../../shared/maskShapes';
import { UndoHistory } from './undoHistory';

/** Memory the undo snapshots may use together; a 4096² image (64 MB a snapshot) still gets 4. */
const UNDO_BUDGET_BYTES = 256 * 1024 * 1024;
const MAX_UNDO_STEPS = 30;
/** Layers up to this size are encoded for the host synchronously (see paintLayer). */
const SYNC_ENCODE_MAX_PIXELS = 2048 * 2048;

export type Tint = readonly [number, number, number];

/**
 * The paint layer: a canvas of the image's natural size, opaque where the user painted (in the
 * overlay's colour), transparent elsewhere; `mask.ts` turns it into the mask to send. Every change
 * goes through here, so each is one undo step and one `onChange`.
 *
 * What is shown over the image is `view`, a canvas at the resolution it is displayed at (never
 * above natural): each change copies only its own box into it. A 4096² layer shown at 600 px
 * would otherwise be resampled whole by the compositor on every frame of a stroke.
 */
export class MaskLayer {
  /** The layer at natural size (not in the page). */
  readonly canvas: HTMLCanvasElement;
  /** The layer as shown: in the page, over the image; pointer and keyboard input land here. */
  readonly view: HTMLCanvasElement;
  private readonly context: CanvasRenderingContext2D;
  private readonly viewContext: CanvasRenderingContext2D;
  private history = new UndoHistory<ImageData>(1);
  private tint: Tint = [128, 0, 128];

  /** `onChange` hears every change of the layer; `edited` is true for the user's own (not a reset or a restore). */
  constructor(private readonly onChange: (edited: boolean) => void) {
    this.canvas = document.createElement('canvas');
    // Read back on every stroke, undo snapshot and export: keep the pixels on the CPU side.
    this.context = this.canvas.getContext('2d', { willReadFrequently: true })!;
    this.view = h('canvas', { id: 'mask-canvas', class: 'mask-canvas', tabindex: 0 });
    // Software too: copying a box from the (software) layer then stays a CPU blit, where a GPU
    // canvas would upload the whole 64 MB layer for each copy.
    this.viewContext = this.view.getContext('2d', { willReadFrequently: true })!;
    new ResizeObserver(() => this.fitView()).observe(this.view);
  }

  get width(): number {
    return this.canvas.width;
  }

  get height(): number {
    return this.canvas.height;
  }

  /** Starts over for an image of this natural size: an empty layer and no undo history. */
  reset(width: number, height: number): void {
    this.canvas.width = width;
    this.canvas.height = height;
    const snapshotBytes = Math.max(1, width * height * 4);
    this.history = new UndoHistory(Math.max(1, Math.min(MAX_UNDO_STEPS, Math.floor(UNDO_BUDGET_BYTES / snapshotBytes))));
    this.fitView();
    this.onChange(false);
  }

  /** Sizes the view to its displayed size (× the screen's pixel ratio, at most natural) and redraws it. */
  fitView(): void {
    const shown = this.view.getBoundingClientRect();
    const ratio = window.devicePixelRatio || 1;
    const width = Math.max(1, Math.min(this.width, Math.round(shown.width * ratio)));
    const height = Math.max(1, Math.min(this.height, Math.round(shown.height * ratio)));
    if (width !== this.view.width || height !== this.view.height) {
      this.view.width = width;
      this.view.height = height;
    }
    this.show();
  }

  get canUndo(): boolean {
    return this.history.canUndo;
  }

  get canRedo(): boolean {
    return this.history.canRedo;
  }

  undo(): void {
    this.step(this.history.undo(this.snapshot()));
  }

  redo(): void {
    this.step(this.history.redo(this.snapshot()));
  }

  /** Remembers the layer before a change that comes in parts (a stroke); `changed` ends it. */
  beginChange(): void {
    this.history.record(this.snapshot());
  }

  /** Paints a stroke through `points` (a change begun with beginChange): one read and one write of the box they span. */
  paintStroke(points: readonly BrushPoint[], brush: Omit<Brush, 'tint'>): void {
    const segments = points.length === 1 ? [[points[0], points[0]]] : points.slice(1).map((b, i) => [points[i], b]);
    const boxes = segments.map(([a, b]) => segmentBounds(a, b, this.width, this.height));
    const x0 = Math.min(...boxes.map((b) => b.x));
    const y0 = Math.min(...boxes.map((b) => b.y));
    const box = { x: x0, y: y0, width: Math.max(...boxes.map((b) => b.x + b.width)) - x0, height: Math.max(...boxes.map((b) => b.y + b.height)) - y0 };
    if (box.width <= 0 || box.height <= 0) return;
    const region = this.context.getImageData(box.x, box.y, box.width, box.height);
    for (const [a, b] of segments) paintSegment(region.data, box, a, b, { ...brush, tint: this.tint });
    this.context.putImageData(region, box.x, box.y);
    this.show(box);
  }

  /** Ends a change begun with beginChange. */
  changed(): void {
    this.onChange(true);
  }

  /** Adds a shape's pixels to the paint, or with `subtract` takes them away. One undo step. */
  applyCoverage(coverage: Coverage, subtract: boolean): void {
    if (coverage.width === 0 || coverage.height === 0) return;
    this.beginChange();
    const region = this.context.getImageData(coverage.x, coverage.y, coverage.width, coverage.height);
    const [r, g, b] = this.tint;
    for (let p = 0; p < coverage.covered.length; p++) {
      if (!coverage.covered[p]) continue;
      region.data.set(subtract ? [0, 0, 0, 0] : [r, g, b, 255], p * 4);
    }
    this.context.putImageData(region, coverage.x, coverage.y);
    this.show(coverage);
    this.changed();
  }

  clear(): void {
    this.beginChange();
    this.context.clearRect(0, 0, this.width, this.height);
    this.show();
    this.changed();
  }

  invert(): void {
    this.beginChange();
    this.transform(invertAlpha);
    this.changed();
  }

  /** Grows (px > 0) or shrinks (px < 0) the painted area; one undo step if anything changed. */
  growShrink(px: number): boolean {
    const before = this.snapshot();
    const pixels = this.snapshot();
    if (!growShrink(pixels.data, this.width, this.height, px, this.tint)) return false;
    this.history.record(before);
    this.context.putImageData(pixels, 0, 0);
    this.show();
    this.changed();
    return true;
  }

  /**
   * Replaces the layer with a mask image, stretched to the layer's size if it has another: its
   * edit area (by either convention, see paintFromMaskFile) becomes paint. One undo step.
   */
  loadMask(mask: HTMLImageElement): void {
    this.beginChange();
    this.context.save();
    this.context.globalCompositeOperation = 'copy';
    this.context.imageSmoothingEnabled = true;
    this.context.drawImage(mask, 0, 0, this.width, this.height);
    this.context.restore();
    this.transform(paintFromMaskFile);
    this.changed();
  }

  /** Puts back a layer saved with paintLayer (the same size), in the current tint; no undo step. */
  restorePaint(layer: HTMLImageElement): void {
    this.context.save();
    this.context.globalCompositeOperation = 'copy';
    this.context.drawImage(layer, 0, 0);
    this.context.restore();
    this.recolour();
    this.onChange(false);
  }

  /**
   * The layer as a PNG data: URI (its alpha is what was painted), or undefined when nothing is.
   * Up to 4 MP it is encoded at once, so it reaches the host before anything can close the panel;
   * a larger one is encoded off the main thread (toBlob), which would otherwise stall for a
   * large part of a second after every stroke.
   */
  async paintLayer(): Promise<string | undefined> {
    if (this.width === 0 || this.height === 0 || !hasPaint(this.snapshot().data)) return undefined;
    if (this.width * this.height <= SYNC_ENCODE_MAX_PIXELS) return this.canvas.toDataURL('image/png');
    const blob = await new Promise<Blob | null>((resolve) => this.canvas.toBlob(resolve, 'image/png'));
    if (!blob) return undefined;
    return new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(reader.result as string);
      reader.onerror = () => reject(reader.error);
      reader.readAsDataURL(blob);
    });
  }

  /** How many pixels count as painted. */
  paintedPixels(): number {
    if (this.width === 0 || this.height === 0) return 0;
    const data = this.snapshot().data;
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] >= PAINTED_ALPHA) n++;
    return n;
  }

  /** Paints in `tint` from now on and recolours what is painted (the overlay's colour changed). */
  setTint(tint: Tint): void {
    if (tint.every((v, i) => v === this.tint[i])) return;
    this.tint = tint;
    this.recolour();
  }

  private step(snapshot: ImageData | undefined): void {
    if (!snapshot) return;
    this.context.putImageData(snapshot, 0, 0);
    this.recolour();
    this.changed();
  }

  private snapshot(): ImageData {
    return this.context.getImageData(0, 0, Math.max(1, this.width), Math.max(1, this.height));
  }

  /** Rewrites the layer's alpha with `transform`, then recolours it in the tint. */
  private transform(transform: (rgba: Uint8ClampedArray) => void): void {
    const pixels = this.snapshot();
    transform(pixels.data);
    this.context.putImageData(pixels, 0, 0);
    this.recolour();
  }

  /** Every painted pixel in the tint, keeping each pixel's alpha; then the view. */
  private recolour(): void {
    this.context.save();
    this.context.globalCompositeOperation = 'source-in';
    this.context.fillStyle = `rgb(${this.tint.join(',')})`;
    this.context.fillRect(0, 0, this.width, this.height);
    this.context.restore();
    this.show();
  }

  /** Copies `box` of the layer (natural pixels; default all of it) into the view, scaled. */
  private show(box: Box = { x: 0, y: 0, width: this.width, height: this.height }): void {
    if (this.width === 0 || this.height === 0) return;
    const sx = this.view.width / this.width;
    const sy = this.view.height / this.height;
    // Whole view pixels covering the box, and the natural box they show exactly.
    const dx = Math.floor(box.x * sx);
    const dy = Math.floor(box.y * sy);
    const dw = Math.min(this.view.width, Math.ceil((box.x + box.width) * sx)) - dx;
    const dh = Math.min(this.view.height, Math.ceil((box.y + box.height) * sy)) - dy;
    if (dw <= 0 || dh <= 0) return;
    const c = this.viewContext;
    c.clearRect(dx, dy, dw, dh);
    c.imageSmoothingEnabled = sx < 1 || sy < 1;
    c.drawImage(this.canvas, dx / sx, dy / sy, dw / sx, dh / sy, dx, dy, dw, dh);
  }
}
