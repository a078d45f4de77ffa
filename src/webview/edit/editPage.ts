/**
 * The edit panel's page: the image stage with its mask editor, the references, the form, the run's
 * status and the results; it applies what the host sends and posts the user's requests.
 */
import { parseToEditHost, type ResultsView as ShownResults, type ToEditHost, type ToEditWebview } from '../../shared/editPanelMessages';
import { type ErrorAction, type ImageInfo } from '../../shared/protocol';
import { h } from '../parts/dom';
import { FieldErrors } from '../parts/fieldErrors';
import { EditForm } from '../parts/form';
import { rememberImage } from '../parts/panelState';
import { RunStatus } from '../parts/runStatus';
import { t } from '../parts/strings';
import { post } from '../parts/vscodeApi';
import { ImageStage } from './imageStage';
import { ReferenceList } from './references';
import { ResultsView } from './results';

type InitMessage = Extract<ToEditWebview, { type: 'init' }>;
type RunMessage = Extract<ToEditHost, { type: 'run' }>;

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
  private readonly references = new ReferenceList();
  private readonly form = new EditForm({
    run: () => this.run(),
    cancel: () => post({ type: 'cancel' }),
    change: () => this.formChanged(),
  });
  private readonly status = new RunStatus((action) => this.act(action));
  private readonly results = new ResultsView();
  private readonly fieldErrors = new FieldErrors({ ...this.form.fieldTargets, ...this.stage.fieldTargets });
  /** The input image, set by showImage. */
  private image!: ImageInfo;
  private promptTimer: number | undefined;
  private paintChanges = 0;
  private lastPrompt = '';
  private nextRequestId = 1;
  /** Requests whose errors end a run (Run, Try Again); other requests' errors leave the form as it is. */
  private readonly runRequests = new Set<number>();

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
      case 'maskFile':
        this.stage.loadMaskFile(message.dataUri, message.name);
        break;
      case 'maskExported':
        this.stage.maskExported(message.name);
        break;
      case 'progress':
        this.form.setRunning(true);
        this.status.progress(message.phase, message.elapsedMs, false);
        break;
      case 'results':
        this.runRequests.clear();
        this.form.setRunning(false);
        this.showResults(message);
        break;
      case 'retryWait':
        this.status.waiting(message.delayMs);
        break;
      case 'error':
        // An error belongs to the request that caused it: only a run's ends the run.
        if (message.requestId === undefined || this.runRequests.delete(message.requestId)) this.form.setRunning(false);
        this.status.showError(message.message, message.action);
        this.fieldErrors.mark(message.fields);
        break;
      case 'canceled':
        // The run may still finish (and bill) upstream; the host keeps its id to find it later.
        this.runRequests.clear();
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
    const requestId = this.nextRequestId++;
    const message = parseToEditHost({
      type: 'run',
      requestId,
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
    this.runRequests.add(message.requestId!);
    this.fieldErrors.clear();
    this.status.started();
    this.form.setRunning(true);
    post(message);
  }

  /** An error's fix. Try Again is the host's: it resumes the edit's run if Runflow has it, never posts a new one. */
  private act(action: ErrorAction): void {
    const requestId = this.nextRequestId++;
    if (action === 'retry') {
      this.runRequests.add(requestId);
      this.status.started();
      this.form.setRunning(true);
    }
    post({ type: 'action', action, requestId });
  }
}
