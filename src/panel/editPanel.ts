import * as vscode from 'vscode';
import { RunflowError } from '../runflow';
import type { ResultInfo } from '../shared/protocol';
import {
  PanelState,
  parseToEditHost,
  type OutcomeView,
  type RetryReason,
  type RunView,
  type ToEditHost,
  type ToEditWebview,
} from '../shared/editPanelMessages';
import { WEBVIEW_STRINGS } from '../shared/webviewStrings';
import { pricePerImage } from '../settings/config';
import { EDIT_PANEL_VIEW_TYPE, type Host } from '../platform/host';
import { EditJob, EditStoppedError, type EditResult, type StopReason } from '../edit/editJob';
import type { EditSpec } from '../edit/editSpec';
import { baseName } from '../image/outputNames';
import { EditRunner, errorAction, type EditSession } from '../edit/editRunner';
import { isUnsettled } from '../history/runRecord';
import { userMessage } from '../platform/showError';
import { askForFolder } from './askForFolder';
import { PanelViewStore, mayRevive, startingDraft, type Opening, type RestoredForm, type StoredView } from './editPanelViews';
import { PANEL_OPTIONS, showUnrestorable } from './html';
import { MAX_STORED_PAINT_BYTES } from './paintFiles';
import { imageInfo, readImage } from './imageInfo';
import { exportMaskFile, readMaskFile } from './maskFile';
import { PanelHost, Refusal, type AnswerFields, type Asked, type PanelMessage } from './panelHost';

/**
 * The host side of one edit panel (one per image). It owns everything the panel shows, the
 * draft (prompt, options, references, the mask's paint), the results, a run in progress and the
 * last outcome, and keeps it in the workspace's storage: every (re)load of the webview, after a
 * tab switch, a move or a window reload, is drawn from it. It validates every message with zod
 * and runs edits through the edit job; it does no HTTP itself.
 */
export class EditPanel extends PanelHost<ToEditHost, ToEditWebview> {
  private static readonly panels = new Map<string, EditPanel>();
  /** Set before the first await of an edit, so a second Run (a reloaded webview's) cannot start another. */
  private busy = false;
  /** Stops the edit in progress (reason 'user'). */
  private running: AbortController | undefined;
  /** The last edit: Try Again runs this same job, which resumes its run if Runflow has it. */
  private job: EditJob | undefined;
  private disposed = false;
  /** A run in progress as the panel shows it (phase, elapsed time). */
  private live: RunView | undefined;
  /** Said once, with the next init (what could not be restored). */
  private note: string | undefined;
  /** The paint layer is read from its file after the rest of the draft: nothing is shown or stored before it is in. */
  private paintLoaded: Promise<void> = Promise.resolve();
  private paintReady = false;
  /** Said once while the layer is too large to survive a reload. */
  private saidWindowOnly = false;

  /**
   * Opens the panel for `image` beside the active editor, or reveals the one already open. With
   * `restored` (re-opening a run from the history), an idle open panel takes its prompt and options.
   */
  static createOrShow(host: Host, image: vscode.Uri, references: vscode.Uri[], restored?: RestoredForm): EditPanel {
    const existing = EditPanel.panels.get(image.toString());
    if (existing) {
      existing.panel.reveal(vscode.ViewColumn.Beside);
      if (restored && !existing.busy) existing.restore(restored);
      if (references.length) void existing.setReferences(references);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      EDIT_PANEL_VIEW_TYPE,
      panelTitle(image),
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false },
      PANEL_OPTIONS,
    );
    return new EditPanel(host, panel, image, { kind: 'open', references, restored });
  }

  /**
   * Brings a panel back after a window reload. Its webview saved only which image it was for; the
   * rest comes from the host's own storage. A panel that cannot be restored says so and stays.
   */
  static revive(host: Host, panel: vscode.WebviewPanel, rawState: unknown): void {
    const state = PanelState.safeParse(rawState);
    const image = state.success ? parseUri(state.data.imageUri) : undefined;
    if (!image || !mayRevive(image, new PanelViewStore(host.context))) {
      showUnrestorable(
        host,
        panel,
        vscode.l10n.t('This edit panel could not be restored after the reload. Open the image again with Edit Image with GPT Image 2….'),
      );
      return;
    }
    new EditPanel(host, panel, image, { kind: 'revive' });
  }

  static find(image: vscode.Uri): EditPanel | undefined {
    return EditPanel.panels.get(image.toString());
  }

  private readonly views: PanelViewStore;
  private draft: StoredView;
  private references: vscode.Uri[];

  private constructor(
    host: Host,
    panel: vscode.WebviewPanel,
    private image: vscode.Uri,
    opening: Opening,
  ) {
    const views = new PanelViewStore(host.context);
    const { draft, note } = startingDraft(views, image, opening);
    // A revived panel's files come from storage: it shows only those inside the workspace or shown by this host before.
    const allowed = (uris: vscode.Uri[]) => (opening.kind === 'revive' ? uris.filter((u) => mayRevive(u, views)) : uris);
    const references = allowed(opening.kind === 'open' && opening.references.length ? opening.references : draft.references.map((u) => vscode.Uri.parse(u)));
    super(host, panel, 'edit panel', [image, ...references, ...allowed((draft.results?.uris ?? []).map((u) => vscode.Uri.parse(u)))]);
    this.views = views;
    this.draft = { ...draft, references: references.map((r) => r.toString()) };
    this.references = references;
    this.note = note;
    EditPanel.panels.set(image.toString(), this);
    this.loadPaint();
    if (opening.kind === 'revive' && draft.run) this.watchResuming(draft.run.jobId, draft.run);
  }

  protected override droppedMessageWarning(raw: unknown): string {
    return `Dropped an invalid message from the edit panel: ${describeInvalid(raw)}`;
  }

  protected override parse(raw: unknown): ToEditHost | undefined {
    return parseToEditHost(raw);
  }

  protected override async handle(message: PanelMessage<ToEditHost>): Promise<AnswerFields> {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        return this.sendInit();
      case 'viewChanged':
        return this.change({
          ...(message.prompt !== undefined ? { prompt: message.prompt } : {}),
          ...(message.options ? { options: message.options } : {}),
          ...(message.paint !== undefined ? { paint: message.paint ?? undefined } : {}),
          ...(message.maskTools ? { maskTools: message.maskTools } : {}),
        });
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
      case 'exportMask':
        return { name: await exportMaskFile(this.image, dataUriBytes(message.mask)) };
      case 'editResult':
        return this.switchImage(this.knownUri(message.uri));
    }
  }

  /** Everything the panel shows, for a webview that just (re)loaded. */
  private async sendInit(): Promise<void> {
    try {
      await this.paintLoaded;
      const [{ info: image, signature }, references] = await Promise.all([
        readImage(this.panel.webview, this.image),
        Promise.all(this.references.map((r) => imageInfo(this.panel.webview, r))),
      ]);
      if (this.draft.paint && this.draft.imageSignature && this.draft.imageSignature !== signature) {
        this.draft = { ...this.draft, paint: undefined };
        this.note = vscode.l10n.t('{0} changed since the mask was painted, so the mask was cleared.', image.name);
      }
      this.draft = { ...this.draft, imageSignature: signature };
      const results = await this.resultInfos();
      const strings = Object.fromEntries(Object.entries(WEBVIEW_STRINGS).map(([k, v]) => [k, vscode.l10n.t(v)]));
      const { prompt, options, paint, maskTools, outcome } = this.draft;
      this.post({
        type: 'init',
        image,
        references,
        pricePerImage: pricePerImage(),
        strings,
        view: { prompt, options, paint, maskTools, outcome, run: this.live, note: this.note, results },
      });
      this.note = undefined;
      this.persist();
    } catch (e) {
      this.postError(e);
    }
  }

  /** The results the draft names, as the webview shows them; files removed since are left out. */
  private async resultInfos() {
    const shown = this.draft.results;
    if (!shown) return undefined;
    // Only files this panel may show (a revived panel's come from storage), and only those still there.
    const infos = await Promise.all(
      shown.uris.map((u) => (this.shown.has(u) ? imageInfo(this.panel.webview, vscode.Uri.parse(u)).catch(() => undefined) : undefined)),
    );
    const results: ResultInfo[] = infos.flatMap((info, index) => (info ? [{ ...info, index }] : []));
    return { runId: shown.runId, cost: shown.cost, missing: shown.missing, notes: shown.notes, results };
  }

  private change(patch: Partial<StoredView>): void {
    this.draft = { ...this.draft, ...patch };
    this.persist();
  }

  /** Reads the image's paint layer into the draft, unless the user painted meanwhile. */
  private loadPaint(): void {
    const image = this.image;
    const before = this.draft;
    this.paintReady = false;
    this.paintLoaded = this.views.readPaint(image).then(
      (paint) => {
        if (this.image !== image) return;
        if (this.draft.paint === before.paint) this.draft = { ...this.draft, paint };
        this.paintReady = true;
      },
      (e: unknown) => {
        this.host.log.write('warn', `The mask of ${baseName(image)} could not be read: ${String(e)}`);
        this.paintReady = true;
      },
    );
  }

  private persist(): void {
    // Stored only once the layer is in, so a draft stored early cannot drop the layer's file.
    if (!this.paintReady) {
      void this.paintLoaded.then(() => this.persist());
      return;
    }
    const image = this.image;
    void this.views.write(image, this.draft).then(
      (kept) => {
        if (kept === 'window' && !this.saidWindowOnly) {
          void this.host.notifier.show(
            'warning',
            vscode.l10n.t(
              'The mask of {0} is over {1} MB, so it is kept only while this window is open: it will not survive a reload.',
              baseName(image),
              MAX_STORED_PAINT_BYTES / (1024 * 1024),
            ),
          );
        }
        this.saidWindowOnly = kept === 'window';
      },
      (e: unknown) => this.host.log.write('warn', `The panel of ${baseName(image)} could not be stored: ${String(e)}`),
    );
  }

  /** Re-opening an edit from the history: its prompt and options, no results. */
  private restore(form: RestoredForm): void {
    this.change({ prompt: form.prompt, options: form.options ?? this.draft.options, results: undefined, outcome: undefined });
    if (this.ready) void this.sendInit();
  }

  /** A new edit from the form's values. */
  private async startEdit(message: Extract<ToEditHost, { type: 'run' }>): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const prompt = message.prompt.trim();
      this.change({ prompt: message.prompt, options: message.options });
      if (!prompt) throw new Refusal(vscode.l10n.t('Write a prompt that says how to edit the image.'), undefined, ['prompt']);
      const spec: EditSpec = {
        image: this.image,
        references: this.references,
        prompt,
        options: message.options,
        mask: message.mask ? dataUriBytes(message.mask) : undefined,
      };
      const session = await this.session();
      this.job = await session.start(spec);
      await this.runJob(session, this.job);
    } finally {
      this.busy = false;
    }
  }

  /** Try Again: the same job, so a run that exists is resumed (waited for, fetched, saved), never billed twice. */
  protected override async retryAction(): Promise<void> {
    const job = this.job;
    if (this.busy) return;
    if (!job) throw new Refusal(vscode.l10n.t('There is no edit to try again. Press Run.'));
    this.busy = true;
    try {
      const session = await this.session();
      await this.runJob(session, session.adopt(job));
    } finally {
      this.busy = false;
    }
  }

  /** A session with the current key (asked for on first use); refused without one. */
  private async session(): Promise<EditSession> {
    const session = await EditRunner.of(this.host).session({
      askForKey: true,
      onRetryWait: (wait) => this.post({ type: 'retryWait', delayMs: wait.delayMs, reason: retryReason(wait.kind) }),
      chooseOtherFolder: () => askForFolder(this.host, this.image),
    });
    if (!session) throw new Refusal(vscode.l10n.t('A Runflow API key is needed to edit images.'), 'setApiKey');
    return session;
  }

  /** Runs `job` to its results or its stop, shown in the panel; an error is thrown for the request's answer. */
  private async runJob(session: EditSession, job: EditJob): Promise<void> {
    const stop = new AbortController();
    this.running = stop;
    this.change({ results: undefined, outcome: undefined });
    const listening = job.onEvent((event) => {
      if (event.type === 'phase') this.showPhase(job, event.phase, event.elapsedMs, event.runId);
      if (event.type === 'runCreated') this.host.log.write('info', `Run ${event.runId} created for ${baseName(this.image)}.`);
    });
    try {
      const result = await session.run(job, stop, { title: vscode.l10n.t('Editing {0}', baseName(this.image)), cancellable: true });
      this.host.log.write('info', `Run ${result.runId}: saved ${result.saved.map(baseName).join(', ')}.`);
      for (const note of result.notes) this.host.log.write('warn', note);
      if (this.disposed) void this.host.notifier.show('info', vscode.l10n.t('Saved {0} from run {1}.', result.saved.map(baseName).join(', '), result.runId));
      await this.showResults(result);
    } catch (e) {
      if (e instanceof EditStoppedError) {
        this.host.log.write('info', e.message);
        this.showOutcome({ kind: 'canceled', message: e.message, runId: e.runId, fields: [] });
        return;
      }
      // After a 401 the stored key is wrong: ask for a new one right away.
      if (e instanceof RunflowError && e.kind === 'unauthorized') void vscode.commands.executeCommand('gptImageEdit.setApiKey');
      throw e;
    } finally {
      listening.dispose();
      this.running = undefined;
    }
  }

  private showPhase(job: EditJob, phase: RunView['phase'], elapsedMs: number, runId: string | undefined): void {
    const changed = this.live?.phase !== phase;
    this.live = { phase, elapsedMs, runId, resuming: false };
    if (changed) this.change({ run: { jobId: job.id, phase, runId } });
    this.post({ type: 'progress', phase, elapsedMs, runId });
  }

  private async showResults(result: Pick<EditResult, 'runId' | 'saved' | 'cost' | 'missing' | 'notes'>): Promise<void> {
    this.live = undefined;
    const uris = result.saved.map((u) => u.toString());
    this.change({
      run: undefined,
      outcome: undefined,
      results: { runId: result.runId, cost: result.cost, missing: result.missing, notes: result.notes, uris },
    });
    if (this.disposed) return;
    this.updateWebviewOptions(result.saved);
    const results = await Promise.all(result.saved.map((uri) => imageInfo(this.panel.webview, uri)));
    this.post({
      type: 'results',
      runId: result.runId,
      cost: result.cost,
      missing: result.missing,
      notes: result.notes,
      results: results.map((r, index) => ({ ...r, index })),
    });
  }

  /** How the last action ended (an error, a stop), kept so a reloaded webview shows it too. */
  private showOutcome(outcome: OutcomeView, requestId?: number): void {
    this.live = undefined;
    this.change({ run: undefined, outcome });
    if (outcome.kind === 'canceled') this.post({ type: 'canceled', message: outcome.message, runId: outcome.runId });
    else this.post({ type: 'error', message: outcome.message, action: outcome.action, fields: outcome.fields, requestId });
  }

  /**
   * An edit's error (Run, Try Again, or the panel's own) is how the panel's edit ended, kept for
   * a reload; any other request's error (a mask file, a reference) is only that request's answer.
   */
  protected override postError(e: unknown, asked?: Asked): void {
    const message = userMessage(e);
    if (!(e instanceof Refusal)) this.host.log.write('error', message);
    const action = e instanceof Refusal ? e.action : errorAction(e, this.job);
    const fields = e instanceof Refusal ? e.fields : formFieldsOf(e);
    if (asked && asked.type !== 'run' && asked.type !== 'action') this.post({ type: 'error', message, action, fields, requestId: asked.requestId });
    else this.showOutcome({ kind: 'error', message, action, fields }, asked?.requestId);
  }

  /**
   * After a window reload, an edit that was in progress is being finished by the history's
   * resume: show it as resuming, then its results (or how it ended) when its record settles.
   */
  private watchResuming(jobId: string, run: NonNullable<StoredView['run']>): void {
    this.live = { phase: run.phase, elapsedMs: 0, runId: run.runId, resuming: true };
    const check = async (): Promise<void> => {
      const record = await this.host.history.get(jobId);
      if (record && isUnsettled(record)) return;
      watching.dispose();
      if (record?.status === 'saved') {
        const saved = record.outputs.map((o) => vscode.Uri.parse(o.uri));
        await this.showResults({
          runId: record.runId ?? jobId,
          saved,
          cost: record.cost,
          missing: Math.max(0, record.options.numImages - saved.length),
          notes: record.message ? [record.message] : [],
        });
      } else {
        const message = record?.message ?? vscode.l10n.t('The edit that was in progress before the reload is no longer in the history.');
        this.showOutcome({ kind: record?.status === 'stoppedWaiting' ? 'canceled' : 'error', message, fields: [], runId: record?.runId, action: 'showLog' });
      }
    };
    const watching = this.host.history.onDidChange(() => void check());
    this.own(watching);
    void check();
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
    this.change({ references: this.references.map((r) => r.toString()) });
    this.updateWebviewOptions();
    const infos = await Promise.all(this.references.map((r) => imageInfo(this.panel.webview, r)));
    this.post({ type: 'references', references: infos });
  }

  /** The mask file the user picks, read for the webview; none when the dialog is closed. */
  private async pickMaskFile(): Promise<AnswerFields> {
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: false,
      defaultUri: vscode.Uri.joinPath(this.image, '..'),
      filters: { [vscode.l10n.t('PNG mask')]: ['png'] },
      openLabel: vscode.l10n.t('Use as Mask'),
    });
    return { mask: picked?.[0] ? await readMaskFile(picked[0]) : undefined };
  }

  /** "Edit this result": the result becomes this panel's input image, with that image's own draft. */
  private async switchImage(image: vscode.Uri): Promise<void> {
    await this.paintLoaded;
    this.persist();
    EditPanel.panels.delete(this.image.toString());
    this.image = image;
    EditPanel.panels.set(image.toString(), this);
    this.panel.title = panelTitle(image);
    const { draft, note } = startingDraft(this.views, image, { kind: 'open', references: [] });
    // The prompt and options stay as the user left them, to iterate on the result.
    this.draft = { ...draft, prompt: this.draft.prompt, options: this.draft.options, references: this.draft.references };
    this.note = note;
    this.live = undefined;
    this.loadPaint();
    this.updateWebviewOptions();
    await this.sendInit();
  }

  /** Shows the input, the references and `extra` (results) to the webview. */
  private updateWebviewOptions(extra: readonly vscode.Uri[] = []): void {
    this.showFiles([this.image, ...this.references, ...(this.draft.results?.uris ?? []).map((u) => vscode.Uri.parse(u)), ...extra]);
  }

  /** Closing the panel does not stop its edit: the job goes on, saves, and says so in a notification. */
  override dispose(): void {
    this.disposed = true;
    EditPanel.panels.delete(this.image.toString());
    super.dispose();
  }
}

/** The form fields a 422 names: the API names them by their path in the body (`input.mask_url`), the form by `mask_url`. */
function formFieldsOf(e: unknown): string[] {
  return e instanceof RunflowError ? (e.fieldErrors ?? []).flatMap((f) => (f.field ? [f.field.replace(/^input\./, '')] : [])) : [];
}

/** Why a request waits, as the panel says it. */
function retryReason(kind: RunflowError['kind']): RetryReason {
  if (kind === 'rate_limited') return 'rateLimited';
  return kind === 'network' || kind === 'timeout' ? 'network' : 'server';
}

function parseUri(value: string): vscode.Uri | undefined {
  try {
    return vscode.Uri.parse(value, true);
  } catch {
    return undefined;
  }
}

function panelTitle(image: vscode.Uri): string {
  return vscode.l10n.t('Edit {0}', baseName(image));
}

function dataUriBytes(dataUri: string): Uint8Array {
  return Buffer.from(dataUri.slice(dataUri.indexOf(',') + 1), 'base64');
}

function describeInvalid(raw: unknown): string {
  const type = typeof raw === 'object' && raw !== null && 'type' in raw ? String((raw as { type: unknown }).type) : typeof raw;
  return `type ${JSON.stringify(type).slice(0, 60)}`;
}
