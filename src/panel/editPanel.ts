import * as vscode from 'vscode';
import { RunflowError } from '../runflow';
import { PanelState, type EditOptions, type ErrorAction, type ToHost } from '../shared/protocol';
import { WEBVIEW_STRINGS } from '../shared/webviewStrings';
import { defaultOptions, pricePerImage, writeSidecars } from '../config';
import { EDIT_PANEL_VIEW_TYPE, type Host } from '../host';
import { EditCanceledError, baseName } from '../edit/editJob';
import { runRecordedEdit } from '../history/recordedEdit';
import { RunFinisher } from '../history/runFinisher';
import { requireApiKey, setApiKey } from '../keyCommands';
import { createClient } from '../clientFactory';
import { userMessage } from '../showError';
import { loadDurations, saveDurations } from '../edit/durationStore';
import { imageInfo } from './imageInfo';
import { readMaskFile } from './maskFile';
import { PanelHost, type PanelMessage } from './panelHost';

/**
 * The host side of one edit panel (one per image): owns the webview, validates every message
 * with zod, and runs edits through the edit job. It does no HTTP itself.
 */
export class EditPanel extends PanelHost {
  private static readonly panels = new Map<string, EditPanel>();
  private running: AbortController | undefined;
  /** The user (not the panel closing) stopped the wait: the run is then "stopped waiting", not resumed. */
  private stopRequested = false;
  private lastRun: Extract<ToHost, { type: 'run' }> | undefined;

  /**
   * Opens the panel for `image` beside the active editor, or reveals the one already open. With
   * `restored` (re-opening a run from the history), an idle open panel is replaced, since the
   * webview keeps its own form values when re-initialized.
   */
  static createOrShow(host: Host, image: vscode.Uri, references: vscode.Uri[], restored?: RestoredForm): EditPanel {
    const existing = EditPanel.panels.get(image.toString());
    if (existing && restored && !existing.running) existing.dispose();
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
        this.lastRun = message;
        return this.run(message);
      case 'cancel':
        this.stopRequested = true;
        this.running?.abort();
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

  private async run(message: Extract<ToHost, { type: 'run' }>): Promise<void> {
    const prompt = message.prompt.trim();
    if (!prompt) {
      this.post({ type: 'error', message: vscode.l10n.t('Write a prompt that says how to edit the image.'), fields: ['prompt'] });
      return;
    }
    if (this.running) return;
    const apiKey = await requireApiKey(this.host);
    if (!apiKey) {
      this.post({ type: 'error', message: vscode.l10n.t('A Runflow API key is needed to edit images.'), action: 'setApiKey', fields: [] });
      return;
    }
    const abort = new AbortController();
    this.running = abort;
    this.stopRequested = false;
    const durations = loadDurations(this.host.context);
    try {
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Editing {0}', baseName(this.image)), cancellable: true },
        (progress, token) => {
          token.onCancellationRequested(() => {
            this.stopRequested = true;
            abort.abort();
          });
          return runRecordedEdit(
            RunFinisher.of(this.host),
            { image: this.image, references: this.references, prompt, options: message.options, mask: message.mask ? dataUriBytes(message.mask) : undefined },
            {
              client: createClient(this.host, apiKey),
              signal: abort.signal,
              durations,
              writeSidecars: writeSidecars(),
              chooseOtherFolder: () => askForFolder(this.host, this.image),
              onRunCreated: (run) => this.host.log.write('info', `Run ${run.id} created for ${baseName(this.image)}.`),
              onProgress: (p) => {
                progress.report({ message: `${p.phase} · ${Math.round(p.elapsedMs / 1000)} s` });
                this.post({ type: 'progress', ...p });
              },
            },
            () => this.stopRequested,
          );
        },
      );
      saveDurations(this.host.context, durations);
      this.updateWebviewOptions(result.saved);
      const results = await Promise.all(result.saved.map((uri) => imageInfo(this.panel.webview, uri)));
      this.post({ type: 'results', runId: result.runId, cost: result.cost, missing: result.missing, results: results.map((r, index) => ({ ...r, index })) });
      this.host.log.write('info', `Run ${result.runId}: saved ${result.saved.map(baseName).join(', ')}.`);
    } catch (e) {
      if (e instanceof EditCanceledError) {
        this.host.log.write('info', e.message);
        this.post({ type: 'canceled', message: e.message, runId: e.runId });
      } else {
        this.postError(e);
        // After a 401 the stored key is wrong: ask for a new one right away.
        if (e instanceof RunflowError && e.kind === 'unauthorized') void setApiKey(this.host);
      }
    } finally {
      this.running = undefined;
    }
  }

  protected override postError(e: unknown): void {
    const message = userMessage(e);
    this.host.log.write('error', message);
    const kind = e instanceof RunflowError ? e.kind : undefined;
    const action: ErrorAction =
      kind === 'unauthorized' ? 'setApiKey' : kind === 'insufficient_credit' ? 'openBilling' : e instanceof RunflowError && e.retryable ? 'retry' : 'showLog';
    // The API names fields by their path in the body (`input.mask_url`); the form knows `mask_url`.
    const fields = e instanceof RunflowError ? (e.fieldErrors ?? []).flatMap((f) => (f.field ? [f.field.replace(/^input\./, '')] : [])) : [];
    this.post({ type: 'error', message, action, fields });
  }

  /** Runs the last edit again, as it was asked for. */
  protected override async retryAction(): Promise<void> {
    if (this.lastRun) await this.run(this.lastRun);
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

  override dispose(): void {
    this.running?.abort();
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
