/**
 * The edit panel's page: the image stage with its mask editor, the references, the form, the run's
 * status and the results; it applies what the host sends and posts the user's requests.
 */
import { type ResultsView as ShownResults, type ToEditWebview } from '../../shared/editPanelMessages';
import { PngDataUri, type ErrorAction, type ErrorMessage, type ImageInfo } from '../../shared/protocol';
import { h } from '../parts/dom';
import { FieldErrors } from '../parts/fieldErrors';
import { EditForm } from '../parts/form';
import { rememberImage } from '../parts/panelState';
import { request, type RequestError } from '../parts/requests';
import { RunStatus } from '../parts/runStatus';
import { t } from '../parts/strings';
import { post } from '../parts/vscodeApi';
import { ImageStage } from './imageStage';
import { ReferenceList } from './references';
import { ResultsView } from './results';

type InitMessage = Extract<ToEditWebview, { type: 'init' }>;
/** An error: the host's answer to a request, or the panel's own. */
type ShownError = Pick<ErrorMessage, 'message' | 'action' | 'fields'>;

/** Typing in the prompt reaches the host this long after the last key (it keeps the draft). */
const PROMPT_SYNC_MS = 300;

export class EditPanel {
  private readonly stage = new ImageStage({
    edited: () => {
      // Encoding is asynchronous: only the latest change's paint may reach the host.
      const change = ++this.paintChanges;
      void this.stage.paint().then((paint) => change === this.paintChanges && post({ type: 'viewChanged', paint: paint ?? null }));
    },
    toolsChanged: (maskTools) => post({ type: 'viewChanged', maskTools }),
  });
  private readonly references = new ReferenceList({
    add: () => request({ type: 'addReference' }).catch((e: RequestError) => this.showError(e)),
    remove: (uri) => request({ type: 'removeReference', uri }).catch((e: RequestError) => this.showError(e)),
  });
  private readonly form = new EditForm({
    run: () => this.run(),
    cancel: () => post({ type: 'cancel' }),
    change: () => this.formChanged(),
  });
  private readonly status = new RunStatus((action) => this.act(action));
  private readonly results = new ResultsView((type, uri) => request({ type, uri }).catch((e: RequestError) => this.showError(e)));
  private readonly fieldErrors = new FieldErrors({ ...this.form.fieldTargets, ...this.stage.fieldTargets });
  /** The input image, set by showImage. */
  private image!: ImageInfo;
  private promptTimer: number | undefined;
  private paintChanges = 0;
  private lastPrompt = '';

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
    this.apply(init);
  }

  /**
   * Shows what the host says the panel holds: the draft, the mask's paint, the results, a run in
   * progress and how the last action ended. Sent on every (re)load and for a new input image.
   */
  apply(init: InitMessage): void {
    const { view } = init;
    this.lastPrompt = view.prompt;
    this.form.setValues(view.prompt, view.options, init.pricePerImage);
    this.status.finished('');
    this.status.clearError();
    this.fieldErrors.clear();
    this.showImage(init);
    this.stage.restore(view.paint, view.note);
    this.showFeather();
    if (view.results) this.showResults(view.results);
    else this.results.hide();
    this.form.setRunning(view.run !== undefined);
    if (view.run) this.status.progress(view.run.phase, view.run.elapsedMs, view.run.resuming);
    else if (view.outcome?.kind === 'error') this.status.showError(view.outcome.message, view.outcome.action);
    else if (view.outcome) this.status.finished(view.outcome.message);
  }

  handle(message: Exclude<ToEditWebview, InitMessage>): void {
    switch (message.type) {
      case 'references':
        this.references.setReferences(message.references);
        break;
      case 'progress':
        this.form.setRunning(true);
        this.status.progress(message.phase, message.elapsedMs, false);
        break;
      case 'results':
        this.form.setRunning(false);
        this.showResults(message);
        break;
      case 'retryWait':
        this.status.waiting(message.delayMs, message.reason);
        break;
      case 'error':
        // The panel's own error (no request of this page's caused it) is how its edit ended.
        this.runFailed(message);
        break;
      case 'canceled':
        // The run may still finish (and bill) upstream; the host keeps its id to find it later.
        this.form.setRunning(false);
        this.status.finished(message.message);
        break;
    }
  }

  private showResults(results: ShownResults): void {
    const count = results.results.length;
    this.status.finished([count === 1 ? t('status.doneOne') : t('status.done', count), ...(results.notes ?? [])].join(' '));
    this.results.show(this.image, results.results, results.missing);
    this.form.showActualCost(results.cost);
  }

  private showImage(init: InitMessage): void {
    this.image = init.image;
    this.stage.setImage(init.image, init.view.maskTools);
    this.references.setReferences(init.references);
    rememberImage(init.image.uri);
  }

  private showFeather(): void {
    const { keepUnmaskedExact, featherPx } = this.form.options;
    this.stage.showFeather(keepUnmaskedExact ? featherPx : 0);
  }

  /** The host keeps the draft: options at once, the prompt once typing pauses. */
  private formChanged(): void {
    this.showFeather();
    window.clearTimeout(this.promptTimer);
    const prompt = this.form.prompt;
    if (prompt === this.lastPrompt) {
      post({ type: 'viewChanged', options: this.form.options });
      return;
    }
    this.promptTimer = window.setTimeout(() => {
      this.lastPrompt = prompt;
      post({ type: 'viewChanged', prompt, options: this.form.options });
    }, PROMPT_SYNC_MS);
  }

  private run(): void {
    const mask = this.stage.exportMask();
    // Only a mask beyond the protocol's bound can be refused here (the prompt box caps its length).
    if (mask !== undefined && !PngDataUri.safeParse(mask).success) {
      this.status.showError(t('mask.tooLarge'), undefined);
      return;
    }
    this.startRun();
    request({ type: 'run', prompt: this.form.prompt.trim(), options: this.form.options, mask }).catch((e: RequestError) => this.runFailed(e));
  }

  private startRun(): void {
    this.fieldErrors.clear();
    this.status.started();
    this.form.setRunning(true);
  }

  /** An error's fix. Try Again is the host's: it resumes the edit's run if Runflow has it, never posts a new one. */
  private act(action: ErrorAction): void {
    if (action !== 'retry') {
      request({ type: 'action', action }).catch((e: RequestError) => this.showError(e));
      return;
    }
    this.startRun();
    request({ type: 'action', action }).catch((e: RequestError) => this.runFailed(e));
  }

  /** The edit ended in an error: the form is free again, and the error says why. */
  private runFailed(error: ShownError): void {
    this.form.setRunning(false);
    this.showError(error);
  }

  /** An error, with the fields it names marked; an edit in progress goes on. */
  private showError(error: ShownError): void {
    this.status.showError(error.message, error.action);
    this.fieldErrors.mark(error.fields);
  }
}
