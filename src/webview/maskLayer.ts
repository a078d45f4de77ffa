import { h } from './dom';
import { hasPaint, invertAlpha, paintFromMaskFile, PAINTED_ALPHA } from './mask';
import { paintSegment, segmentBounds, type Brush, type BrushPoint } from './maskBrush';
import { growShrink } from './maskMorphology';
import type { Coverage } from './maskShapes';
import { UndoHistory } from './undoHistory';

/** Memory the undo snapshots may use together; a 4096² image (64 MB a snapshot) still gets 4. */
const UNDO_BUDGET_BYTES = 256 * 1024 * 1024;
const MAX_UNDO_STEPS = 30;

export type Tint = readonly [number, number, number];

/**
 * The paint layer: a canvas of the image's natural size laid over it, opaque where the user
 * painted (in the overlay's colour), transparent elsewhere; `mask.ts` turns it into the mask to
 * send. Every change goes through here, so each is one undo step and one `onChange`.
 */
export class MaskLayer {
  readonly canvas: HTMLCanvasElement;
  private readonly context: CanvasRenderingContext2D;
  private history = new UndoHistory<ImageData>(1);
  private tint: Tint = [128, 0, 128];

  /** `onChange` hears every change of the layer; `edited` is true for the user's own (not a reset or a restore). */
  constructor(private readonly onChange: (edited: boolean) => void) {
    this.canvas = h('canvas', { id: 'mask-canvas', class: 'mask-canvas', tabindex: 0 });
    // Read back on every undo snapshot and export: keep the pixels on the CPU side.
    this.context = this.canvas.getContext('2d', { willReadFrequently: true })!;
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
    this.onChange(false);
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

  /** Paints a stroke segment (a change begun with beginChange). */
  paintSegment(a: BrushPoint, b: BrushPoint, brush: Omit<Brush, 'tint'>): void {
    const box = segmentBounds(a, b, this.width, this.height);
    if (box.width === 0 || box.height === 0) return;
    const region = this.context.getImageData(box.x, box.y, box.width, box.height);
    paintSegment(region.data, box, a, b, { ...brush, tint: this.tint });
    this.context.putImageData(region, box.x, box.y);
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
    this.changed();
  }

  clear(): void {
    this.beginChange();
    this.context.clearRect(0, 0, this.width, this.height);
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

  /** The layer as a PNG data: URI (its alpha is what was painted), or undefined when nothing is. */
  paintLayer(): string | undefined {
    if (this.width === 0 || this.height === 0 || !hasPaint(this.snapshot().data)) return undefined;
    return this.canvas.toDataURL('image/png');
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

  /** Every painted pixel in the tint, keeping each pixel's alpha. */
  private recolour(): void {
    this.context.save();
    this.context.globalCompositeOperation = 'source-in';
    this.context.fillStyle = `rgb(${this.tint.join(',')})`;
    this.context.fillRect(0, 0, this.width, this.height);
    this.context.restore();
  }
}
