import type { BrushPoint } from './maskBrush';
import type { MaskTool } from '../../shared/maskTools';
import type { MaskLayer } from './maskLayer';
import { dragBox, nudgeBox, rasterise, startingBox, type ArrowKey, type Box, type Point, type Shape } from '../../shared/maskShapes';

const SVG = 'http://www.w3.org/2000/svg';

/** Performance measures of each stroke segment: pointer event → the frame that shows it painted, and the drawing alone. */
export const SEGMENT_MEASURE = 'mask-segment';
export const SEGMENT_DRAW_MEASURE = 'mask-segment-draw';
/** Measures kept at most (a long session must not grow the timeline without bound). */
const MAX_MEASURES = 2000;

/** What a keyboard-placed shape is, for the live region. */
export interface PendingShape {
  kind: 'rectangle' | 'ellipse';
  box: Box;
}

/**
 * Turns pointer and keyboard input on the mask canvas into changes of the paint layer: brush and
 * eraser strokes (pen pressure scales the brush), rectangles and ellipses dragged from a corner
 * (Shift square, Alt from the centre), lassos closed on release (Shift adds, Alt subtracts), and
 * rectangles and ellipses placed and sized with the arrow keys. Positions are mapped to the
 * layer's natural pixels from the canvas's box on screen, so painting is exact at every zoom.
 */
export class MaskPainter {
  /** A circle that follows the pointer to show the brush's size. */
  readonly cursor: HTMLElement;
  /** The shape being drawn, shown over the image before it is applied. */
  readonly preview: SVGSVGElement;
  tool: MaskTool = 'brush';
  /** Shapes take their area away instead of adding it. */
  subtract = false;
  /** Brush diameter in the image's natural pixels. */
  brushSize = 32;
  /** 0–1: 1 a hard edge. */
  hardness = 1;

  private readonly outline: SVGPathElement;
  private gesture:
    | { kind: 'stroke'; pointerId: number; last: BrushPoint; erase: boolean }
    | { kind: 'drag'; pointerId: number; start: Point; shape: 'rectangle' | 'ellipse'; end: Point; square: boolean; fromCentre: boolean }
    | { kind: 'lasso'; pointerId: number; points: Point[] }
    | undefined;
  private pending: PendingShape | undefined;

  /** `onPending` hears a keyboard-placed shape move, size, land or go (undefined). */
  constructor(
    private readonly layer: MaskLayer,
    private readonly onPending: (shape: PendingShape | undefined, applied: boolean) => void,
  ) {
    const canvas = layer.view;
    this.cursor = document.createElement('div');
    this.cursor.className = 'brush-cursor';
    this.cursor.setAttribute('aria-hidden', 'true');
    this.cursor.hidden = true;
    this.preview = document.createElementNS(SVG, 'svg');
    this.preview.classList.add('shape-preview');
    this.preview.setAttribute('aria-hidden', 'true');
    this.preview.setAttribute('preserveAspectRatio', 'none');
    this.outline = document.createElementNS(SVG, 'path');
    this.outline.setAttribute('vector-effect', 'non-scaling-stroke');
    this.preview.append(this.outline);
    canvas.addEventListener('pointerdown', (e) => this.down(e));
    canvas.addEventListener('pointermove', (e) => this.move(e));
    canvas.addEventListener('pointerup', (e) => this.up(e, true));
    canvas.addEventListener('pointercancel', (e) => this.up(e, false));
    canvas.addEventListener('pointerleave', () => (this.cursor.hidden = true));
    canvas.addEventListener('keydown', (e) => this.key(e));
    canvas.addEventListener('blur', () => this.cancelPending());
  }

  /** The layer got a new size: nothing in progress survives it. */
  reset(): void {
    this.gesture = undefined;
    this.pending = undefined;
    this.preview.setAttribute('viewBox', `0 0 ${Math.max(1, this.layer.width)} ${Math.max(1, this.layer.height)}`);
    this.showOutline(undefined);
  }

  get isBrush(): boolean {
    return this.tool === 'brush' || this.tool === 'eraser';
  }

  /** Whether a keyboard-placed shape is waiting for Enter. */
  get hasPending(): boolean {
    return this.pending !== undefined;
  }

  /** The pointer's position in the layer's natural pixels, and how many of them a CSS pixel is. */
  private naturalPoint(e: PointerEvent): Point & { scale: number } {
    const rect = this.layer.view.getBoundingClientRect();
    return {
      x: ((e.clientX - rect.left) * this.layer.width) / rect.width,
      y: ((e.clientY - rect.top) * this.layer.height) / rect.height,
      scale: this.layer.width / rect.width,
    };
  }

  /** The brush's radius at this event: a pen's pressure scales it (0 pressure, as some pens report at first contact, counts as light). */
  private radiusAt(e: PointerEvent): number {
    const pressure = e.pointerType === 'pen' ? Math.max(0.05, e.pressure || 0.05) : 1;
    return (this.brushSize / 2) * pressure;
  }

  private down(e: PointerEvent): void {
    if (this.gesture || (e.pointerType === 'mouse' && e.button !== 0) || this.layer.width === 0) return;
    e.preventDefault();
    this.layer.view.focus({ preventScroll: true });
    this.cancelPending();
    this.layer.view.setPointerCapture(e.pointerId);
    const p = this.naturalPoint(e);
    const tool = this.tool;
    if (tool === 'brush' || tool === 'eraser') {
      const point = { x: p.x, y: p.y, radius: this.radiusAt(e) };
      const erase = tool === 'eraser';
      this.layer.beginChange();
      this.layer.paintStroke([point], { hardness: this.hardness, erase });
      this.gesture = { kind: 'stroke', pointerId: e.pointerId, last: point, erase };
      // The feather's glow is a filter redone on every change of the layer: off while painting.
      this.layer.view.classList.add('stroking');
    } else if (tool === 'lasso') {
      this.gesture = { kind: 'lasso', pointerId: e.pointerId, points: [{ x: p.x, y: p.y }] };
    } else {
      this.gesture = { kind: 'drag', pointerId: e.pointerId, shape: tool, start: p, end: p, square: e.shiftKey, fromCentre: e.altKey };
    }
    this.moveCursor(e);
  }

  private move(e: PointerEvent): void {
    this.moveCursor(e);
    const g = this.gesture;
    if (!g || e.pointerId !== g.pointerId) return;
    // Coalesced events keep fast strokes smooth: the browser batches moves between frames.
    const moves = e.getCoalescedEvents?.() ?? [];
    const points = (moves.length ? moves : [e]).map((m) => ({ ...this.naturalPoint(m), radius: this.radiusAt(m), m }));
    if (g.kind === 'stroke') {
      const drawStart = performance.now();
      this.layer.paintStroke([g.last, ...points], { hardness: this.hardness, erase: g.erase });
      g.last = points[points.length - 1];
      measureToPaint(e.timeStamp, drawStart);
      return;
    }
    for (const p of points) {
      if (g.kind === 'lasso') g.points.push({ x: p.x, y: p.y });
      else Object.assign(g, { end: p, square: p.m.shiftKey, fromCentre: p.m.altKey });
    }
    this.showOutline(this.gestureShape());
  }

  private up(e: PointerEvent, apply: boolean): void {
    const g = this.gesture;
    if (!g || e.pointerId !== g.pointerId) return;
    this.gesture = undefined;
    this.showOutline(undefined);
    if (g.kind === 'stroke') {
      this.layer.view.classList.remove('stroking');
      this.layer.changed();
      return;
    }
    if (!apply) return;
    if (g.kind === 'lasso') g.points.push(this.naturalPoint(e));
    else Object.assign(g, { end: this.naturalPoint(e), square: e.shiftKey, fromCentre: e.altKey });
    const shape = this.shapeOf(g);
    // A lasso: Alt subtracts, Shift adds, whatever the mode. Rectangles and ellipses use Shift/Alt for their form.
    const subtract = g.kind === 'lasso' ? (e.altKey ? true : e.shiftKey ? false : this.subtract) : this.subtract;
    this.layer.applyCoverage(rasterise(shape, this.layer.width, this.layer.height), subtract);
  }

  private gestureShape(): Shape | undefined {
    return this.gesture && this.gesture.kind !== 'stroke' ? this.shapeOf(this.gesture) : undefined;
  }

  private shapeOf(g: Exclude<NonNullable<MaskPainter['gesture']>, { kind: 'stroke' }>): Shape {
    if (g.kind === 'lasso') return { kind: 'lasso', points: g.points };
    return { kind: g.shape, box: dragBox(g.start, g.end, g) };
  }

  /**
   * The keyboard's shapes: Enter or Space places a rectangle (or ellipse) in the middle of the
   * image, the arrow keys move it (Shift: size it; Ctrl/Cmd: 10 px a step), Enter or Space
   * applies it, Escape drops it.
   */
  private key(e: KeyboardEvent): void {
    if (this.tool !== 'rectangle' && this.tool !== 'ellipse') return;
    const image = { width: this.layer.width, height: this.layer.height };
    if (image.width === 0) return;
    if (e.key === 'Enter' || e.key === ' ') {
      if (this.pending) {
        const applied = this.pending;
        this.pending = undefined;
        this.showOutline(undefined);
        this.layer.applyCoverage(rasterise(applied, image.width, image.height), this.subtract);
        this.onPending(applied, true);
      } else {
        this.pending = { kind: this.tool, box: startingBox({ x: image.width / 2, y: image.height / 2 }, image) };
        this.showPending();
      }
    } else if (e.key === 'Escape' && this.pending) {
      this.cancelPending();
    } else if (this.pending && e.key.startsWith('Arrow')) {
      const step = e.ctrlKey || e.metaKey ? 10 : 1;
      this.pending = { ...this.pending, box: nudgeBox(this.pending.box, e.key as ArrowKey, e.shiftKey, step, image) };
      this.showPending();
    } else return;
    e.preventDefault();
    e.stopPropagation();
  }

  private showPending(): void {
    this.showOutline(this.pending);
    this.onPending(this.pending, false);
  }

  private cancelPending(): void {
    if (!this.pending) return;
    this.pending = undefined;
    this.showOutline(undefined);
    this.onPending(undefined, false);
  }

  /** Draws the shape's outline over the image, in natural pixels (the SVG's viewBox is the layer's size). */
  private showOutline(shape: Shape | undefined): void {
    this.preview.classList.toggle('subtract', this.subtract);
    if (!shape) {
      this.outline.removeAttribute('d');
      return;
    }
    if (shape.kind === 'lasso') {
      this.outline.setAttribute('d', shape.points.length ? `M${shape.points.map((p) => `${p.x},${p.y}`).join('L')}Z` : '');
      return;
    }
    const { x, y, width: w, height: hh } = shape.box;
    this.outline.setAttribute(
      'd',
      shape.kind === 'rectangle' ? `M${x},${y}h${w}v${hh}h${-w}Z` : `M${x},${y + hh / 2}a${w / 2},${hh / 2} 0 1,0 ${w},0a${w / 2},${hh / 2} 0 1,0 ${-w},0Z`,
    );
  }

  private moveCursor(e: PointerEvent): void {
    if (e.pointerType === 'touch' || !this.isBrush) {
      this.cursor.hidden = true;
      return;
    }
    const rect = this.layer.view.getBoundingClientRect();
    const size = (this.brushSize * rect.width) / Math.max(1, this.layer.width);
    this.cursor.hidden = false;
    this.cursor.style.width = this.cursor.style.height = `${size}px`;
    this.cursor.style.transform = `translate(${e.clientX - rect.left - size / 2}px, ${e.clientY - rect.top - size / 2}px)`;
  }
}

/** Records the drawing's time (from `drawStart` to now), and the time from the pointer event (`since`) until the frame that shows it was drawn. */
function measureToPaint(since: number, drawStart: number): void {
  if (performance.getEntriesByName(SEGMENT_MEASURE).length >= MAX_MEASURES) {
    performance.clearMeasures(SEGMENT_MEASURE);
    performance.clearMeasures(SEGMENT_DRAW_MEASURE);
  }
  performance.measure(SEGMENT_DRAW_MEASURE, { start: drawStart, end: performance.now() });
  requestAnimationFrame(() => {
    // A message posted from the frame's callback arrives once that frame is painted.
    const channel = new MessageChannel();
    channel.port1.onmessage = () => performance.measure(SEGMENT_MEASURE, { start: since, end: performance.now() });
    channel.port2.postMessage(undefined);
  });
}
