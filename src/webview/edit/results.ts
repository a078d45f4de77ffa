import type { ImageInfo, ResultInfo } from '../../shared/protocol';
import { h, setShown } from '../parts/dom';
import { t } from '../parts/strings';

/** Keyboard steps of the compare slider, in percent. */
const COMPARE_STEP = 2;

/**
 * The run's results: the variants as thumbnails (one selected), a before/after compare of the
 * selected one against the input, and what to do with it (open, reveal, edit further).
 */
/** What the user can do with the selected result. */
export type ResultAction = 'openResult' | 'revealResult' | 'editResult';

export class ResultsView {
  readonly element: HTMLElement;

  private readonly missing = h('p', { class: 'hint missing' });
  private readonly list = h('div', { id: 'results', class: 'results', role: 'group', 'aria-label': t('results.list') });
  private readonly before = h('img', { class: 'compare-before', alt: t('compare.before') });
  private readonly after = h('img', { class: 'compare-after', alt: t('compare.after') });
  private readonly divider = h('div', { class: 'compare-divider', 'aria-hidden': 'true' });
  private readonly frame = h(
    'div',
    { class: 'compare-frame' },
    this.before,
    this.after,
    this.divider,
    h('span', { class: 'compare-tag compare-tag-before', 'aria-hidden': 'true' }, t('compare.before')),
    h('span', { class: 'compare-tag compare-tag-after', 'aria-hidden': 'true' }, t('compare.after')),
  );
  private readonly compare: HTMLElement;
  private readonly actions: HTMLElement;
  private readonly slider = h('input', {
    type: 'range',
    class: 'compare-slider',
    min: 0,
    max: 100,
    step: COMPARE_STEP,
    value: 50,
    'aria-label': t('compare.slider'),
  });
  private results: ResultInfo[] = [];
  private selected: ResultInfo | undefined;

  /** `act` opens, reveals or edits a result (by its uri). */
  constructor(private readonly act: (action: ResultAction, uri: string) => void) {
    this.compare = h('figure', { id: 'compare', class: 'compare', 'aria-label': t('compare.label') }, this.frame, this.slider);
    const open = h('vscode-button', { id: 'open-result' }, t('results.open'));
    const reveal = h('vscode-button', { id: 'reveal-result', secondary: true }, t('results.reveal'));
    const edit = h('vscode-button', { id: 'edit-result', secondary: true }, t('results.edit'));
    open.addEventListener('click', () => this.postForSelected('openResult'));
    reveal.addEventListener('click', () => this.postForSelected('revealResult'));
    edit.addEventListener('click', () => this.postForSelected('editResult'));
    this.actions = h('div', { class: 'result-actions' }, open, reveal, edit);
    this.element = h(
      'section',
      { class: 'results-section', 'aria-labelledby': 'results-heading', hidden: true },
      h('h2', { id: 'results-heading' }, t('results.heading')),
      this.missing,
      this.list,
      this.compare,
      this.actions,
    );

    this.slider.addEventListener('input', () => this.showSplit());
    // Dragging across the picture moves the split too; the slider stays the keyboard's way in.
    this.frame.addEventListener('pointerdown', (e) => {
      this.frame.setPointerCapture(e.pointerId);
      this.splitAt(e);
    });
    this.frame.addEventListener('pointermove', (e) => {
      if (this.frame.hasPointerCapture(e.pointerId)) this.splitAt(e);
    });
  }

  /** Shows a run's results against `input`, the first one selected. */
  show(input: ImageInfo, results: readonly ResultInfo[], missing: number): void {
    this.results = [...results];
    this.before.src = input.src;
    this.missing.textContent = missing > 0 ? t('results.missing', missing) : '';
    setShown(this.missing, missing > 0);
    this.list.replaceChildren(...this.results.map((result) => this.thumbnail(result)));
    setShown(this.element, true);
    this.select(this.results[0]);
  }

  hide(): void {
    this.results = [];
    this.selected = undefined;
    this.list.replaceChildren();
    setShown(this.element, false);
  }

  private thumbnail(result: ResultInfo): HTMLElement {
    const button = h(
      'button',
      { type: 'button', class: 'result', 'data-uri': result.uri, 'aria-pressed': 'false', title: result.name },
      h('img', { src: result.src, alt: t('results.alt', result.index + 1, result.name) }),
      h('span', { class: 'result-number', 'aria-hidden': 'true' }, String(result.index + 1)),
    );
    button.addEventListener('click', () => this.select(result));
    return button;
  }

  private select(result: ResultInfo | undefined): void {
    this.selected = result;
    for (const button of this.list.querySelectorAll<HTMLElement>('.result')) {
      const isSelected = button.dataset.uri === result?.uri;
      button.classList.toggle('selected', isSelected);
      button.setAttribute('aria-pressed', String(isSelected));
    }
    setShown(this.compare, result !== undefined);
    setShown(this.actions, result !== undefined);
    if (!result) return;
    this.after.src = result.src;
    this.after.alt = t('results.alt', result.index + 1, result.name);
    // The frame takes the result's proportions; the input is fitted into it for the comparison.
    if (result.width > 0 && result.height > 0) this.compare.style.setProperty('--result-aspect', String(result.width / result.height));
    this.showSplit();
  }

  private splitAt(e: PointerEvent): void {
    const rect = this.frame.getBoundingClientRect();
    this.slider.value = String(Math.round(((e.clientX - rect.left) / rect.width) * 100));
    this.showSplit();
  }

  /** Before on the left of the split, after on the right. */
  private showSplit(): void {
    const percent = Number(this.slider.value);
    this.after.style.clipPath = `inset(0 0 0 ${percent}%)`;
    this.divider.style.left = `${percent}%`;
  }

  private postForSelected(action: ResultAction): void {
    if (this.selected) this.act(action, this.selected.uri);
  }
}
