/**
 * The edit panel's webview: builds the panel on the host's first `init`, routes every host message
 * (validated against the protocol) to the part it concerns, and posts the user's requests back.
 */
import './components';
import { parseToHost, parseToWebview, type ErrorAction, type ImageInfo, type ToHost, type ToWebview } from '../shared/protocol';
import { BatchPanel } from './batchPanel';
import { h } from './dom';
import { FieldErrors } from './fieldErrors';
import { EditForm } from './form';
import { ImageStage } from './imageStage';
import { resetState, savedState, updateState } from './panelState';
import { ReferenceList } from './references';
import { ResultsView } from './results';
import { RunStatus } from './runStatus';
import { setStrings, t } from './strings';
import { post } from './vscodeApi';

type InitMessage = Extract<ToWebview, { type: 'init' }>;
type RunMessage = Extract<ToHost, { type: 'run' }>;

class EditPanel {
  private readonly stage = new ImageStage();
  private readonly references = new ReferenceList();
  private readonly form = new EditForm({
    run: () => this.run(),
    cancel: () => post({ type: 'cancel' }),
    change: () => updateState({ prompt: this.form.prompt, options: this.form.options }),
  });
  private readonly status = new RunStatus((action) => this.act(action));
  private readonly results = new ResultsView();
  private readonly fieldErrors = new FieldErrors({ ...this.form.fieldTargets, ...this.stage.fieldTargets });
  /** The input image, set by showImage. */
  private image!: ImageInfo;

  constructor(root: HTMLElement, init: InitMessage) {
    root.replaceChildren(
      h(
        'div',
        { class: 'layout' },
        h('div', { class: 'input-column' }, this.stage.element, this.references.element),
        h('div', { class: 'form-column' }, this.form.element, this.status.element),
        this.results.element,
      ),
    );
    // After a reload the prompt comes back from the host (init.prompt) or from our own saved state.
    this.form.setValues(init.prompt ?? savedState()?.prompt ?? '', init.options, init.pricePerImage);
    this.showImage(init, savedState()?.lastRunId);
  }

  /**
   * A new input image, e.g. after "Edit this result": the mask and results start over, while the
   * prompt and options stay as the user left them, to iterate on the result.
   */
  reinit(init: InitMessage): void {
    this.form.setValues(this.form.prompt, this.form.options, init.pricePerImage);
    this.form.setRunning(false);
    this.status.finished('');
    this.status.clearError();
    this.fieldErrors.clear();
    this.results.hide();
    this.showImage(init, undefined);
  }

  handle(message: Exclude<ToWebview, InitMessage>): void {
    switch (message.type) {
      case 'references':
        this.references.setReferences(message.references);
        updateState({ referenceUris: message.references.map((r) => r.uri) });
        break;
      case 'maskFile':
        this.stage.loadMaskFile(message.dataUri, message.name);
        break;
      case 'progress':
        this.form.setRunning(true);
        this.status.progress(message.phase, message.elapsedMs);
        if (message.runId) updateState({ lastRunId: message.runId });
        break;
      case 'results':
        this.form.setRunning(false);
        this.status.finished([t('status.done', message.results.length), ...(message.notes ?? [])].join(' '));
        this.results.show(this.image, message.results, message.missing);
        this.form.showActualCost(message.cost);
        if (message.runId) updateState({ lastRunId: message.runId });
        break;
      case 'retryWait':
        this.status.waiting(message.delayMs);
        break;
      case 'error':
        this.form.setRunning(false);
        this.status.showError(message.message, message.action);
        this.fieldErrors.mark(message.fields);
        break;
      case 'canceled':
        // The run may still finish (and bill) upstream; its id is kept to find it later.
        this.form.setRunning(false);
        this.status.finished(message.message);
        if (message.runId) updateState({ lastRunId: message.runId });
        break;
    }
  }

  private showImage(init: InitMessage, lastRunId: string | undefined): void {
    this.image = init.image;
    this.stage.setImage(init.image);
    this.references.setReferences(init.references);
    resetState({
      imageUri: init.image.uri,
      referenceUris: init.references.map((r) => r.uri),
      prompt: this.form.prompt,
      options: this.form.options,
      lastRunId,
    });
  }

  private run(): void {
    const message = parseToHost({
      type: 'run',
      prompt: this.form.prompt.trim(),
      options: this.form.options,
      mask: this.stage.exportMask(),
    });
    if (message?.type !== 'run') {
      // Only a mask beyond the protocol's bound can fail here (the prompt box caps its length).
      this.status.showError(t('mask.tooLarge'), undefined);
      return;
    }
    this.startRun(message);
  }

  private startRun(message: RunMessage): void {
    this.fieldErrors.clear();
    this.status.started();
    this.form.setRunning(true);
    post(message);
  }

  /** An error's fix. Try Again is the host's: it resumes the edit's run if Runflow has it, never posts a new one. */
  private act(action: ErrorAction): void {
    if (action === 'retry') {
      this.status.started();
      this.form.setRunning(true);
    }
    post({ type: 'action', action });
  }
}

const root = document.getElementById('app')!;
root.replaceChildren(h('p', { class: 'loading' }, t('app.loading')));
let panel: EditPanel | undefined;
/** Batch mode ("Edit Each Image…") shares this bundle: its host sends `batchInit` instead of `init`. */
let batch: BatchPanel | undefined;

window.addEventListener('message', (event: MessageEvent) => {
  const message = parseToWebview(event.data);
  if (!message) {
    console.warn('Edit panel: dropped a message outside the protocol', event.data);
    return;
  }
  if (message.type === 'batchInit') {
    setStrings(message.strings);
    batch ??= new BatchPanel(root, message);
  } else if (batch) {
    if (message.type === 'batchItem' || message.type === 'batchState' || message.type === 'error') batch.handle(message);
  } else if (message.type === 'error' && !panel) {
    // The host could not even show the image (not an image, unreadable): say so instead of "Loading…".
    root.replaceChildren(h('p', { id: 'error', class: 'error', role: 'alert' }, message.message));
  } else if (message.type !== 'init') panel?.handle(message);
  else if (panel) panel.reinit(message);
  else {
    // Strings first: every part takes its texts as it is built.
    setStrings(message.strings);
    panel = new EditPanel(root, message);
  }
});

post({ type: 'ready' });
