import { h } from '../parts/dom';
import { clamp } from '../../shared/maskShapes';

/** The zoom steps of + and -, as VS Code's image preview has them. */
const ZOOM_STEPS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.5, 2, 3, 5, 7, 10, 15, 20];
const MIN_ZOOM = ZOOM_STEPS[0];
const MAX_ZOOM = ZOOM_STEPS[ZOOM_STEPS.length - 1];
/** The stage's share of the window's height when fitted. */
const FIT_HEIGHT = 0.55;

/**
 * The image and its layers in a scrolling viewport that zooms and pans. The stage is sized in
 * CSS pixels to natural size × zoom, and the layers fill it, so a position maps to natural pixels
 * the same way at every zoom. Fit (the default) shows the whole image, never above 100 %;
 * Ctrl/Cmd + wheel or a pinch zooms about the pointer; Space-drag or the middle button pans.
 */
export class StageView {
  readonly element: HTMLElement;
  readonly stage: HTMLElement;
  private natural = { width: 0, height: 0 };
  /** undefined: fitted (follows the panel's size). */
  private zoom: number | undefined;
  private spaceHeld = false;
  private pan: { pointerId: number; x: number; y: number; left: number; top: number } | undefined;

  /** `onZoom` hears the zoom shown, as a fraction (1 = 100 %). */
  constructor(
    layers: Element[],
    private readonly onZoom: (zoom: number) => void,
  ) {
    this.stage = h('div', { class: 'stage' });
    this.stage.append(...layers);
    this.element = h('div', { class: 'stage-viewport' }, this.stage);
    new ResizeObserver(() => this.layout()).observe(this.element);
    window.addEventListener('resize', () => this.layout());
    this.element.addEventListener('wheel', (e) => this.wheel(e), { passive: false });
    // Capture: a pan starts before the painter sees the pointer.
    this.element.addEventListener('pointerdown', (e) => this.startPan(e), { capture: true });
    this.element.addEventListener('pointermove', (e) => this.movePan(e), { capture: true });
    this.element.addEventListener('pointerup', (e) => this.endPan(e), { capture: true });
    this.element.addEventListener('pointercancel', (e) => this.endPan(e), { capture: true });
    window.addEventListener('keydown', (e) => {
      if (e.key === ' ' && !isTyping(e)) this.setSpaceHeld(true, e);
    });
    window.addEventListener('keyup', (e) => e.key === ' ' && this.setSpaceHeld(false, e));
    window.addEventListener('blur', () => (this.spaceHeld = false));
  }

  setNaturalSize(width: number, height: number): void {
    this.natural = { width, height };
    this.zoom = undefined;
    this.layout();
  }

  /** The zoom shown now. */
  get currentZoom(): number {
    return this.zoom ?? this.fitZoom();
  }

  zoomIn(): void {
    this.zoomTo(ZOOM_STEPS.find((z) => z > this.currentZoom + 1e-9) ?? MAX_ZOOM);
  }

  zoomOut(): void {
    this.zoomTo([...ZOOM_STEPS].reverse().find((z) => z < this.currentZoom - 1e-9) ?? MIN_ZOOM);
  }

  fit(): void {
    this.zoom = undefined;
    this.layout();
  }

  actualSize(): void {
    this.zoomTo(1);
  }

  /** Zooms to `zoom`, keeping the natural point under `at` (client coordinates; default the viewport's centre) where it is. */
  zoomTo(zoom: number, at?: { clientX: number; clientY: number }): void {
    const before = this.currentZoom;
    const next = clamp(zoom, MIN_ZOOM, MAX_ZOOM);
    const box = this.element.getBoundingClientRect();
    const ox = at ? at.clientX - box.left : this.element.clientWidth / 2;
    const oy = at ? at.clientY - box.top : this.element.clientHeight / 2;
    const nx = (this.element.scrollLeft + ox) / before;
    const ny = (this.element.scrollTop + oy) / before;
    this.zoom = next;
    this.layout();
    this.element.scrollLeft = nx * next - ox;
    this.element.scrollTop = ny * next - oy;
  }

  private fitZoom(): number {
    const { width, height } = this.natural;
    if (width === 0 || height === 0) return 1;
    // The stage's 1 px border on each side must fit too.
    const room = Math.max(1, this.element.clientWidth - 2);
    return Math.min(1, room / width, (this.fitHeight() - 2) / height);
  }

  private fitHeight(): number {
    return Math.max(120, Math.floor(window.innerHeight * FIT_HEIGHT));
  }

  private layout(): void {
    const zoom = this.currentZoom;
    const width = this.natural.width * zoom;
    const height = this.natural.height * zoom;
    this.stage.style.width = `${width}px`;
    this.stage.style.height = `${height}px`;
    // Fitted, the viewport hugs the image; zoomed in, it keeps the fitted height and scrolls.
    this.element.style.maxHeight = `${this.fitHeight()}px`;
    this.element.classList.toggle('zoomed', this.zoom !== undefined);
    this.onZoom(zoom);
  }

  private wheel(e: WheelEvent): void {
    // A pinch on a trackpad arrives as a wheel event with ctrlKey set.
    if (!e.ctrlKey && !e.metaKey) return;
    e.preventDefault();
    this.zoomTo(this.currentZoom * Math.exp(-e.deltaY * 0.002), e);
  }

  private setSpaceHeld(held: boolean, e: KeyboardEvent): void {
    if (this.spaceHeld === held) return;
    // Space pans only while the pointer is meant for the image, not to press a focused button.
    if (held && document.activeElement && document.activeElement !== document.body && !this.element.contains(document.activeElement)) return;
    this.spaceHeld = held;
    this.element.classList.toggle('panning', held);
    e.preventDefault();
  }

  private startPan(e: PointerEvent): void {
    if (!(e.button === 1 || (this.spaceHeld && e.button === 0))) return;
    e.preventDefault();
    e.stopPropagation();
    this.element.setPointerCapture(e.pointerId);
    this.pan = { pointerId: e.pointerId, x: e.clientX, y: e.clientY, left: this.element.scrollLeft, top: this.element.scrollTop };
  }

  private movePan(e: PointerEvent): void {
    if (!this.pan || e.pointerId !== this.pan.pointerId) return;
    e.stopPropagation();
    this.element.scrollLeft = this.pan.left - (e.clientX - this.pan.x);
    this.element.scrollTop = this.pan.top - (e.clientY - this.pan.y);
  }

  private endPan(e: PointerEvent): void {
    if (!this.pan || e.pointerId !== this.pan.pointerId) return;
    e.stopPropagation();
    this.pan = undefined;
  }
}

/** Whether a key event is typing into a text field (the prompt, a number box), where keys are the field's. */
export function isTyping(e: Event): boolean {
  return e
    .composedPath()
    .some(
      (t) =>
        t instanceof HTMLElement &&
        (t.isContentEditable || t instanceof HTMLTextAreaElement || (t instanceof HTMLInputElement && t.type !== 'range' && t.type !== 'checkbox')),
    );
}
