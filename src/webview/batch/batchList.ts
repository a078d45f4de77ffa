import type { BatchItem, ImageInfo } from '../../shared/protocol';
import { h, setShown } from '../parts/dom';
import { t } from '../parts/strings';

/** One image's cell: thumbnail, name, state, saved outputs, the failure and its Retry. */
class BatchCell {
  readonly element: HTMLElement;
  private readonly status = h('span', { class: 'batch-status' });
  private readonly outputs = h('ul', { class: 'batch-outputs', 'aria-label': t('batch.saved') });
  private readonly message = h('p', { class: 'batch-message' });
  private readonly retry: HTMLElement;
  item: BatchItem | undefined;

  constructor(
    image: ImageInfo,
    onRetry: () => void,
    private readonly open: (uri: string) => void,
  ) {
    this.retry = h('vscode-button', { class: 'batch-retry', secondary: true, 'aria-label': t('batch.retryLabel', image.name), hidden: true }, t('batch.retry'));
    this.retry.addEventListener('click', onRetry);
    this.element = h(
      'li',
      { class: 'batch-cell', 'data-uri': image.uri },
      // Only the thumbnails scrolled near are fetched and decoded: a selection can be a thousand images.
      h('img', { src: image.src, alt: t('batch.alt', image.name), loading: 'lazy', decoding: 'async' }),
      h('span', { class: 'batch-name', title: image.name }, image.name),
      this.status,
      this.outputs,
      this.message,
      this.retry,
    );
    this.show(undefined, false);
  }

  show(item: BatchItem | undefined, busy: boolean): void {
    this.item = item;
    this.element.dataset.status = item?.status ?? '';
    this.status.textContent = item ? t(`batch.status.${item.status}`) : '';
    this.outputs.replaceChildren(...(item?.outputs ?? []).map((output) => outputLink(output, this.open)));
    setShown(this.outputs, (item?.outputs.length ?? 0) > 0);
    this.message.textContent = item?.message ?? '';
    setShown(this.message, item?.message !== undefined);
    this.setBusy(busy);
  }

  /** Retry is offered on a failed image whenever no batch or retry is running. */
  setBusy(busy: boolean): void {
    setShown(this.retry, this.item?.status === 'failed' && !busy);
  }
}

function outputLink(output: { uri: string; name: string }, open: (uri: string) => void): HTMLElement {
  const link = h('button', { type: 'button', class: 'link-button', title: t('batch.open', output.name) }, output.name);
  link.addEventListener('click', () => open(output.uri));
  return h('li', {}, link);
}

/** The selected images as a grid, each with its state in the batch, and a one-line summary. */
export class BatchList {
  readonly element: HTMLElement;
  private readonly summary = h('p', { id: 'batch-summary', class: 'batch-summary', role: 'status', 'aria-live': 'polite' });
  private readonly cells: BatchCell[];
  private busy = false;
  /** Images in each state, kept as items change (a summary must not walk a thousand cells per update). */
  private readonly counts = new Map<string, number>();

  /** `events.retry` runs a failed image again; `events.open` opens a saved output (by its uri). */
  constructor(images: readonly ImageInfo[], events: { retry(index: number): void; open(uri: string): void }) {
    this.cells = images.map((image, index) => new BatchCell(image, () => events.retry(index), events.open));
    this.element = h(
      'section',
      { class: 'batch-section', 'aria-labelledby': 'batch-heading' },
      h('h2', { id: 'batch-heading' }, t('batch.heading')),
      this.summary,
      h('ul', { class: 'batch-grid', 'aria-labelledby': 'batch-heading' }, ...this.cells.map((c) => c.element)),
    );
  }

  set(item: BatchItem): void {
    const cell = this.cells[item.index];
    if (!cell) return;
    this.count(cell.item?.status, -1);
    this.count(item.status, +1);
    cell.show(item, this.busy);
    this.showSummary();
  }

  private count(status: string | undefined, change: number): void {
    if (status) this.counts.set(status, (this.counts.get(status) ?? 0) + change);
  }

  setBusy(busy: boolean): void {
    if (busy === this.busy) return;
    this.busy = busy;
    for (const cell of this.cells) cell.setBusy(busy);
  }

  /** "7 of 20 done", once a batch has run; a screen reader hears this, not every cell's change. */
  private showSummary(): void {
    const done = this.counts.get('done') ?? 0;
    const failed = this.counts.get('failed') ?? 0;
    const total = this.cells.length;
    this.summary.textContent = failed > 0 ? t('batch.summaryFailed', done, total, failed) : t('batch.summary', done, total);
  }
}
