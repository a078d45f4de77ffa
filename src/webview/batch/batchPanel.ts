import type { ToBatchWebview } from '../../shared/batchPanelMessages';
import type { ErrorAction } from '../../shared/protocol';
import { BatchList } from './batchList';
import { h } from '../parts/dom';
import { FieldErrors } from '../parts/fieldErrors';
import { EditForm } from '../parts/form';
import { RunStatus } from '../parts/runStatus';
import { t } from '../parts/strings';
import { request, type RequestError } from '../parts/requests';
import { post } from '../parts/vscodeApi';
import { rememberBatch } from '../parts/panelState';

type BatchInitMessage = Extract<ToBatchWebview, { type: 'batchInit' }>;
export type BatchMessage = Extract<ToBatchWebview, { type: 'batchItem' | 'batchState' | 'error' }>;

/**
 * The batch panel's webview ("Edit Each Image…"): the selected images as a grid with each one's
 * state, and the edit form without a mask. The host owns the states; this only shows them.
 */
export class BatchPanel {
  private readonly form: EditForm;
  private readonly status = new RunStatus((action) => request({ type: 'action', action }).catch((e: RequestError) => this.showError(e)));
  private readonly list: BatchList;
  private readonly fieldErrors: FieldErrors;

  constructor(root: HTMLElement, init: BatchInitMessage) {
    this.form = new EditForm(
      {
        run: () => this.run(),
        cancel: () => post({ type: 'cancel' }),
        // The host keeps the draft, so a reload shows it again.
        change: () => post({ type: 'viewChanged', prompt: this.form.prompt, options: this.form.options }),
      },
      init.images.length,
    );
    this.list = new BatchList(init.images, {
      retry: (index) => this.retry(index),
      open: (uri) => request({ type: 'openResult', uri }).catch((e: RequestError) => this.showError(e)),
    });
    this.fieldErrors = new FieldErrors(this.form.fieldTargets);
    root.replaceChildren(
      h(
        'div',
        { class: 'layout batch-layout' },
        h('div', { class: 'input-column' }, h('p', { class: 'hint batch-intro' }, t('batch.intro')), this.list.element),
        h('div', { class: 'form-column' }, this.form.element, this.status.element),
      ),
    );
    this.form.setValues(init.prompt ?? '', init.options, init.pricePerImage);
    rememberBatch(init.images.map((i) => i.uri));
    for (const item of init.items) this.list.set(item);
    this.setRunning(init.running);
  }

  handle(message: BatchMessage): void {
    switch (message.type) {
      case 'batchItem':
        this.list.set(message.item);
        break;
      case 'batchState':
        this.setRunning(message.running);
        if (message.message) this.status.finished(message.message);
        break;
      case 'error':
        this.showError(message);
        break;
    }
  }

  /** An error of the panel's, or the host's answer to a request that failed. */
  private showError(error: { message: string; action?: ErrorAction; fields: string[] }): void {
    this.status.showError(error.message, error.action);
    this.fieldErrors.mark(error.fields);
  }

  private run(): void {
    this.fieldErrors.clear();
    this.status.clearError();
    this.status.finished('');
    // Busy until the host answers with batchState, so a second click cannot post a second batch.
    this.setRunning(true);
    post({ type: 'runBatch', prompt: this.form.prompt.trim(), options: this.form.options });
  }

  private retry(index: number): void {
    this.status.clearError();
    this.setRunning(true);
    post({ type: 'retryItem', index });
  }

  private setRunning(running: boolean): void {
    this.form.setRunning(running);
    this.list.setBusy(running);
  }
}
