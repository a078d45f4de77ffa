import * as vscode from 'vscode';
import { RunflowError, type RunflowClient } from '../runflow';
import { PanelState, type EditOptions, type ErrorAction, type ToHost } from '../shared/protocol';
import { WEBVIEW_STRINGS } from '../shared/webviewStrings';
import { defaultOptions, pricePerImage } from '../config';
import { EDIT_PANEL_VIEW_TYPE, type Host } from '../host';
import { EditJob, EditStoppedError, type StopReason } from '../edit/editJob';
import type { EditSpec } from '../edit/editSpec';
import { baseName } from '../edit/outputNames';
import { saveDurations } from '../edit/durationStore';
import { RunFinisher } from '../history/runFinisher';
import { requireApiKey, setApiKey } from '../keyCommands';
import { userMessage } from '../showError';
import { imageInfo } from './imageInfo';
import { readMaskFile } from './maskFile';
import { PanelHost, type PanelMessage } from './panelHost';

/**
 * The host side of one edit panel (one per image): owns the webview, validates every message
 * with zod, and runs edits through the edit job. It does no HTTP itself.
 */
export class EditPanel extends PanelHost {
  private static readonly panels = new Map<string, EditPanel>();
  /** Set before the first await of an edit, so a second Run (a reloaded webview's) cannot start another. */
  private busy = false;
  /** Stops the edit in progress (reason 'user'). */
  private running: AbortController | undefined;
  /** The last edit: Try Again runs this same job, which resumes its run if Runflow has it. */
  private job: EditJob | undefined;
  private disposed = false;

  /**
   * Opens the panel for `image` beside the active editor, or reveals the one already open. With
   * `restored` (re-opening a run from the history), an idle open panel is replaced, since the
   * webview keeps its own form values when re-initialized.
   */
  static createOrShow(host: Host, image: vscode.Uri, references: vscode.Uri[], restored?: RestoredForm): EditPanel {
    const existing = EditPanel.panels.get(image.toString());
    if (existing && restored && !existing.busy) existing.dispose();
    else if (existing) {
      existing.panel.reveal(vscode.ViewColumn.Beside);
      if (references.length) void existing.setReferences(references);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      EDIT_PANEL_VIEW_TYPE,
      panelTitle(image),
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false },
      { retainContextWhenHidden: false },
    );
    return new EditPanel(host, panel, image, references, restored ?? { prompt: '' });
  }

  /** Brings a panel back after a window reload from the state its webview saved. */
  static revive(host: Host, panel: vscode.WebviewPanel, rawState: unknown): void {
    const state = PanelState.safeParse(rawState);
    if (!state.success) {
      host.log.write('warn', 'Closing an edit panel whose saved state could not be read.');
      panel.dispose();
      return;
    }
    const { imageUri, referenceUris, prompt, options } = state.data;
    new EditPanel(host, panel, vscode.Uri.parse(imageUri), referenceUris.map((u) => vscode.Uri.parse(u)), { prompt, options });
  }

  static find(image: vscode.Uri): EditPanel | undefined {
    return EditPanel.panels.get(image.toString());
  }

  private constructor(
    host: Host,
    panel: vscode.WebviewPanel,
    private image: vscode.Uri,
    private references: vscode.Uri[],
    private restored: RestoredForm,
  ) {
    super(host, panel, 'edit panel', [image, ...references]);
    EditPanel.panels.set(image.toString(), this);
  }

  protected override droppedMessageWarning(raw: unknown): string {
    return `Dropped an invalid message from the edit panel: ${describeInvalid(raw)}`;
  }

  protected override async handle(message: PanelMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        return this.sendInit();
      case 'run':
        return this.startEdit(message);
      case 'cancel':
        this.running?.abort('user' satisfies StopReason);
        return;
      case 'addReference':
        return this.addReference();
      case 'removeReference':
        return this.setReferences(this.references.filter((r) => r.toString() !== message.uri));
      case 'pickMaskFile':
        return this.pickMaskFile();
      case 'editResult':
        return this.switchImage(this.knownUri(message.uri));
    }
  }

  private async sendInit(): Promise<void> {
    try {
      const [image, references] = await Promise.all([
        imageInfo(this.panel.webview, this.image),
        Promise.all(this.references.map((r) => imageInfo(this.panel.webview, r))),
      ]);
      const options: EditOptions = this.restored.options ?? defaultOptions();
      const strings = Object.fromEntries(Object.entries(WEBVIEW_STRINGS).map(([k, v]) => [k, vscode.l10n.t(v)]));
      this.post({ type: 'init', image, references, options, pricePerImage: pricePerImage(), strings, prompt: this.restored.prompt });
    } catch (e) {
      this.postError(e);
    }
  }

  /** A new edit from the form's values. */
  private async startEdit(message: Extract<ToHost, { type: 'run' }>): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const prompt = message.prompt.trim();
      if (!prompt) {
        this.post({ type: 'error', message: vscode.l10n.t('Write a prompt that says how to edit the image.'), fields: ['prompt'] });
        return;
      }
      const spec: EditSpec = { image: this.image, references: this.references, prompt, options: message.options, mask: message.mask ? dataUriBytes(message.mask) : undefined };
      const client = await this.client();
      if (!client) return;
      this.job = await EditJob.start(spec, RunFinisher.of(this.host).services(client, () => askForFolder(this.host, this.image)));
      await this.runJob(this.job);
    } finally {
      this.busy = false;
    }
  }

  /** Try Again: the same job, so a run that exists is resumed (waited for, fetched, saved), never billed twice. */
  protected override async retryAction(): Promise<void> {
    const job = this.job;
    if (this.busy) return;
    if (!job) {
      this.post({ type: 'error', message: vscode.l10n.t('There is no edit to try again. Press Run.'), fields: [] });
      return;
    }
    this.busy = true;
    try {
      const client = await this.client();
      if (client) await this.runJob(job.withClient(client));
    } finally {
      this.busy = false;
    }
  }

  /** A client with the current key (asked for on first use); undefined, with the reason shown, without one. */
  private async client(): Promise<RunflowClient | undefined> {
    const apiKey = await requireApiKey(this.host);
    if (!apiKey) {
      this.post({ type: 'error', message: vscode.l10n.t('A Runflow API key is needed to edit images.'), action: 'setApiKey', fields: [] });
      return undefined;
    }
    return RunFinisher.of(this.host).client(apiKey, {
      onRetryWait: (wait) => this.post({ type: 'retryWait', delayMs: wait.delayMs, reason: wait.kind }),
    });
  }

  private async runJob(job: EditJob): Promise<void> {
    const stop = new AbortController();
    this.running = stop;
    const listening = job.onEvent((event) => {
      if (event.type === 'phase') this.post({ type: 'progress', phase: event.phase, elapsedMs: event.elapsedMs, runId: event.runId });
      if (event.type === 'runCreated') this.host.log.write('info', `Run ${event.runId} created for ${baseName(this.image)}.`);
    });
    try {
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Editing {0}', baseName(this.image)), cancellable: true },
        (progress, token) => {
          token.onCancellationRequested(() => stop.abort('user' satisfies StopReason));
          const reporting = job.onEvent((e) => e.type === 'phase' && progress.report({ message: `${e.phase} · ${Math.round(e.elapsedMs / 1000)} s` }));
          return job.run(RunFinisher.of(this.host).jobSignal(stop.signal)).finally(() => reporting.dispose());
        },
      );
      if (job.durations) saveDurations(this.host.context, job.durations);
      this.host.log.write('info', `Run ${result.runId}: saved ${result.saved.map(baseName).join(', ')}.`);
      for (const note of result.notes) this.host.log.write('warn', note);
      if (this.disposed) {
        void this.host.notifier.show('info', vscode.l10n.t('Saved {0} from run {1}.', result.saved.map(baseName).join(', '), result.runId));
        return;
      }
      this.updateWebviewOptions(result.saved);
      const results = await Promise.all(result.saved.map((uri) => imageInfo(this.panel.webview, uri)));
      this.post({ type: 'results', runId: result.runId, cost: result.cost, missing: result.missing, notes: result.notes, results: results.map((r, index) => ({ ...r, index })) });
    } catch (e) {
      if (e instanceof EditStoppedError) {
        this.host.log.write('info', e.message);
        this.post({ type: 'canceled', message: e.message, runId: e.runId });
      } else {
        this.postError(e);
        // After a 401 the stored key is wrong: ask for a new one right away.
        if (e instanceof RunflowError && e.kind === 'unauthorized') void setApiKey(this.host);
      }
    } finally {
      listening.dispose();
      this.running = undefined;
    }
  }

  protected override postError(e: unknown): void {
    const message = userMessage(e);
    this.host.log.write('error', message);
    const kind = e instanceof RunflowError ? e.kind : undefined;
    // Try Again is offered when it can help: a passing failure, or a run that exists and is not saved yet.
    const resumable = this.job?.runId !== undefined && (this.job.status === 'notSaved' || this.job.status === 'inFlight');
    const action: ErrorAction =
      kind === 'unauthorized' ? 'setApiKey' : kind === 'insufficient_credit' ? 'openBilling' : resumable || (e instanceof RunflowError && e.retryable) ? 'retry' : 'showLog';
    // The API names fields by their path in the body (`input.mask_url`); the form knows `mask_url`.
    const fields = e instanceof RunflowError ? (e.fieldErrors ?? []).flatMap((f) => (f.field ? [f.field.replace(/^input\./, '')] : [])) : [];
    this.post({ type: 'error', message, action, fields });
  }

  private async addReference(): Promise<void> {
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: true,
      defaultUri: vscode.Uri.joinPath(this.image, '..'),
      filters: { [vscode.l10n.t('Images')]: ['png', 'jpg', 'jpeg', 'webp'] },
      openLabel: vscode.l10n.t('Add Reference'),
    });
    if (picked?.length) await this.setReferences([...this.references, ...picked]);
  }

  private async setReferences(references: vscode.Uri[]): Promise<void> {
    const unique = new Map(references.filter((r) => r.toString() !== this.image.toString()).map((r) => [r.toString(), r]));
    this.references = [...unique.values()];
    this.updateWebviewOptions();
    try {
      const infos = await Promise.all(this.references.map((r) => imageInfo(this.panel.webview, r)));
      this.post({ type: 'references', references: infos });
    } catch (e) {
      this.postError(e);
    }
  }

  private async pickMaskFile(): Promise<void> {
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: false,
      defaultUri: vscode.Uri.joinPath(this.image, '..'),
      filters: { [vscode.l10n.t('PNG mask')]: ['png'] },
      openLabel: vscode.l10n.t('Use as Mask'),
    });
    if (!picked?.[0]) return;
    try {
      this.post({ type: 'maskFile', ...(await readMaskFile(picked[0])) });
    } catch (e) {
      this.postError(e);
    }
  }

  /** "Edit this result": the result becomes this panel's input image. */
  private async switchImage(image: vscode.Uri): Promise<void> {
    EditPanel.panels.delete(this.image.toString());
    this.image = image;
    EditPanel.panels.set(image.toString(), this);
    this.panel.title = panelTitle(image);
    this.restored = { prompt: '' };
    this.updateWebviewOptions();
    await this.sendInit();
  }

  /** Shows the input, the references and `extra` (results) to the webview. */
  private updateWebviewOptions(extra: readonly vscode.Uri[] = []): void {
    this.showFiles([this.image, ...this.references, ...extra]);
  }

  /** Closing the panel does not stop its edit: the job goes on, saves, and says so in a notification. */
  override dispose(): void {
    this.disposed = true;
    EditPanel.panels.delete(this.image.toString());
    super.dispose();
  }
}

/** Form values a new panel starts with instead of the defaults. */
export interface RestoredForm {
  prompt: string;
  options?: EditOptions;
}

function panelTitle(image: vscode.Uri): string {
  return vscode.l10n.t('Edit {0}', baseName(image));
}

function dataUriBytes(dataUri: string): Uint8Array {
  return Buffer.from(dataUri.slice(dataUri.indexOf(',') + 1), 'base64');
}

/** Asked through the notifier, so the question is reported like every other message. */
async function askForFolder(host: Host, image: vscode.Uri): Promise<vscode.Uri | undefined> {
  const choose = vscode.l10n.t('Choose Folder…');
  const answer = await host.notifier.show(
    'warning',
    vscode.l10n.t('The folder of {0} is read-only. Save the edited images somewhere else?', baseName(image)),
    choose,
  );
  if (answer !== choose) return undefined;
  const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: vscode.l10n.t('Save Here') });
  return picked?.[0];
}

function describeInvalid(raw: unknown): string {
  const type = typeof raw === 'object' && raw !== null && 'type' in raw ? String((raw as { type: unknown }).type) : typeof raw;
  return `type ${JSON.stringify(type).slice(0, 60)}`;
}
