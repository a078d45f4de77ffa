import * as vscode from 'vscode';
import { RateLimitGate } from '../runflow';
import type { EditOptions, ErrorAction } from '../shared/protocol';
import { BatchPanelState, parseToBatchHost, type BatchItem, type ToBatchHost, type ToBatchWebview } from '../shared/batchPanelMessages';
import { WEBVIEW_STRINGS } from '../shared/webviewStrings';
import { batchSettings, defaultOptions, pricePerImage } from '../settings/config';
import { BATCH_PANEL_VIEW_TYPE, type Host } from '../platform/host';
import type { EditJob, StopReason } from '../edit/editJob';
import { baseName } from '../image/outputNames';
import { EditRunner, errorAction, type EditSession } from '../edit/editRunner';
import { userMessage } from '../platform/showError';
import { editEach } from '../batch/batchEdit';
import { batchCostQuestion, confirmBatchCost } from '../batch/batchCost';
import { withBatchNotification } from '../batch/batchNotification';
import { imageInfos } from './imageInfo';
import { PANEL_OPTIONS, showUnrestorable } from './html';
import { PanelViewStore, mayRevive, type StoredBatch } from './editPanelViews';
import { PanelHost, type Asked, type PanelMessage } from './panelHost';
import { CoalescedWrite } from './coalescedWrite';

/** How long the list's changes gather before the whole list is stored again. */
const PERSIST_DELAY_MS = 250;
/** Images read at once to show the list (a selection of a thousand must not mean a thousand reads). */
const READS_AT_ONCE = 8;

/** The prompt and options a batch ran with: a Retry runs its image again with the same. */
interface LastBatch {
  prompt: string;
  options: EditOptions;
  /** Shared by the batch and its retries, so a 429 during a retry still pauses them all. */
  gate: RateLimitGate;
}

/**
 * The host side of a batch panel ("Edit Each Image…"): one prompt and one set of options applied
 * to each selected image on its own. It owns every image's state (the webview only shows it) and
 * runs the batch through editEach; like the edit panel it validates every message with zod.
 */
export class BatchPanel extends PanelHost<ToBatchHost, ToBatchWebview> {
  private static readonly panels = new Map<string, BatchPanel>();
  private running: AbortController | undefined;
  /** Each image's job, kept so that Retry resumes a run that exists instead of billing a new one. */
  private readonly jobs = new Map<number, EditJob>();
  /** Each image's state; undefined until a batch first runs it. */
  private readonly items: (BatchItem | undefined)[];
  private lastBatch: LastBatch | undefined;
  /** The prompt and options as the user left them, shown again when the webview reloads. */
  private draft: { prompt: string; options: EditOptions };

  /** Opens a batch panel for `images`, or reveals the one already open for the same selection. */
  static createOrShow(host: Host, images: readonly vscode.Uri[]): BatchPanel {
    const existing = BatchPanel.panels.get(keyOf(images));
    if (existing) {
      existing.panel.reveal(vscode.ViewColumn.Beside);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      BATCH_PANEL_VIEW_TYPE,
      vscode.l10n.t('Edit {0} Images', images.length),
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false },
      PANEL_OPTIONS,
    );
    return new BatchPanel(host, panel, images);
  }

  /**
   * Brings a batch panel back after a window reload, with its list as it was. Its webview saved
   * which images it edits; each must be in the workspace or one this host showed. Images whose
   * edit was in progress are being finished by the history's resume.
   */
  static revive(host: Host, panel: vscode.WebviewPanel, rawState: unknown): void {
    const state = BatchPanelState.safeParse(rawState);
    const views = new PanelViewStore(host.context);
    const images = state.success ? state.data.batchImages.map((u) => vscode.Uri.parse(u)) : [];
    if (images.length === 0 || !images.every((image) => mayRevive(image, views) || views.hasShownBatch(keyOf(images)))) {
      showUnrestorable(
        host,
        panel,
        vscode.l10n.t('This batch panel could not be restored after the reload. Select the images again and choose Edit Each Image with GPT Image 2….'),
      );
      return;
    }
    new BatchPanel(host, panel, images, views.readBatch(keyOf(images)));
  }

  static find(images: readonly vscode.Uri[]): BatchPanel | undefined {
    return BatchPanel.panels.get(keyOf(images));
  }

  private readonly views: PanelViewStore;

  private constructor(
    host: Host,
    panel: vscode.WebviewPanel,
    private readonly images: readonly vscode.Uri[],
    stored?: StoredBatch,
  ) {
    super(host, panel, 'batch panel', images);
    this.views = new PanelViewStore(host.context);
    BatchPanel.panels.set(keyOf(images), this);
    this.draft = { prompt: stored?.prompt ?? '', options: stored?.options ?? defaultOptions() };
    // After a reload, Retry runs a failed image again with the prompt and options the batch had.
    if (stored?.items.length) this.lastBatch = { prompt: stored.prompt, options: stored.options, gate: new RateLimitGate() };
    // An image whose edit the reload interrupted is in the history, which finishes and saves it.
    const interrupted = vscode.l10n.t('The window reloaded during this edit; the history view finishes it and saves its outputs.');
    this.items = images.map((_, index) => {
      const item = stored?.items.find((i) => i.index === index);
      if (!item || item.status === 'done' || item.status === 'failed' || item.status === 'canceled') return item;
      return { ...item, status: 'canceled', message: interrupted };
    });
    for (const item of this.items) for (const output of item?.outputs ?? []) this.shown.add(output.uri);
  }

  /** Keeps the list and the draft in the workspace's storage, for a window reload. */
  private readonly stored = new CoalescedWrite(
    () => this.views.writeBatch(keyOf(this.images), { ...this.draft, items: this.items.filter((i) => i !== undefined) }),
    PERSIST_DELAY_MS,
  );

  private persist(): void {
    this.stored.schedule();
  }

  protected override parse(raw: unknown): ToBatchHost | undefined {
    return parseToBatchHost(raw);
  }

  protected override async handle(message: PanelMessage<ToBatchHost>): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        return this.sendInit();
      case 'runBatch':
        return this.runAll(message.prompt, message.options);
      case 'retryItem':
        return this.retry(message.index);
      case 'cancel':
        return this.stop();
      case 'viewChanged':
        this.draft = { prompt: message.prompt ?? this.draft.prompt, options: message.options ?? this.draft.options };
        return this.persist();
    }
  }

  private async sendInit(): Promise<void> {
    try {
      const images = await imageInfos(this.panel.webview, this.images, READS_AT_ONCE);
      const strings = Object.fromEntries(Object.entries(WEBVIEW_STRINGS).map(([k, v]) => [k, vscode.l10n.t(v)]));
      this.post({
        type: 'batchInit',
        images,
        items: this.items.filter((item) => item !== undefined),
        running: this.running !== undefined,
        options: this.draft.options,
        pricePerImage: pricePerImage(),
        strings,
        prompt: this.draft.prompt,
      });
    } catch (e) {
      this.postError(e);
    }
  }

  private async runAll(rawPrompt: string, options: EditOptions): Promise<void> {
    await this.exclusively(async (signal) => {
      const prompt = rawPrompt.trim();
      if (!prompt) {
        this.post({ type: 'error', message: vscode.l10n.t('Write a prompt that says how to edit the images.'), fields: ['prompt'] });
        return undefined;
      }
      const question = batchCostQuestion(pricePerImage(), this.images.length, options.numImages);
      if (question.totalUsd > batchSettings().confirmAboveUsd && !(await confirmBatchCost(question))) {
        return vscode.l10n.t('The batch was not started.');
      }
      this.draft = { prompt, options };
      this.lastBatch = { prompt, options, gate: new RateLimitGate() };
      await this.runItems(
        this.images.map((_, index) => index),
        this.lastBatch,
        signal,
      );
      return undefined;
    });
  }

  private async retry(index: number): Promise<void> {
    const lastBatch = this.lastBatch;
    if (!lastBatch || this.items[index]?.status !== 'failed') return;
    await this.exclusively(async (signal) => {
      await this.runItems([index], lastBatch, signal);
      return undefined;
    });
  }

  /**
   * One batch (or retry) at a time, the guard taken before anything is awaited. `work` may return
   * why nothing ran; the webview always hears that the panel is idle again.
   */
  private async exclusively(work: (signal: AbortSignal) => Promise<string | undefined>): Promise<void> {
    if (this.running) return;
    const abort = new AbortController();
    this.running = abort;
    let message: string | undefined;
    try {
      message = await work(abort.signal);
    } finally {
      this.running = undefined;
      this.post({ type: 'batchState', running: false, message });
      await this.stored.flush();
    }
  }

  /** Runs `indices` with the batch's settings under one notification, one client and one gate. */
  private async runItems(indices: number[], batch: LastBatch, signal: AbortSignal): Promise<void> {
    const session = await EditRunner.of(this.host).session({ askForKey: true, rateLimitGate: batch.gate });
    if (!session) {
      this.post({ type: 'error', message: vscode.l10n.t('A Runflow API key is needed to edit images.'), action: 'setApiKey', fields: [] });
      return;
    }
    this.post({ type: 'batchState', running: true });
    this.host.log.write('info', `Batch: editing ${indices.length} image(s).`);
    const jobFor = async (index: number): Promise<EditJob> => {
      const earlier = this.jobs.get(index) ?? (await this.recordedJob(index, session));
      // A run that exists (its download or save failed, the wait timed out) is resumed, never billed again.
      if (earlier && earlier.status !== 'failed') return session.adopt(earlier);
      const job = await session.start({ image: this.images[index], references: [], prompt: batch.prompt, options: batch.options });
      this.jobs.set(index, job);
      return job;
    };
    const { concurrency } = batchSettings();
    const { outcomes, batchRoute } = await withBatchNotification(
      indices.length,
      () => this.stop(),
      (settled) =>
        editEach({
          session,
          indices,
          jobFor,
          signal,
          concurrency,
          onItem: (item) => {
            this.setItem(item);
            if (item.status === 'done' || item.status === 'failed') settled(item.status === 'failed');
          },
        }),
    );
    if (batchRoute?.batches) {
      const { batches, refused } = batchRoute;
      this.host.log.write(
        'info',
        refused
          ? 'Batch: Runflow does not take this model in batches (422); each image was created as a single run.'
          : `Batch: ${batches} batch request(s) created the runs.`,
      );
    }
    session.keepDurations();
    this.offerFix(outcomes.map((o) => o.error));
  }

  /** After a reload: the job of an image whose run the history knows (by the run id its list kept). */
  private async recordedJob(index: number, session: EditSession): Promise<EditJob | undefined> {
    const runId = this.items[index]?.runId;
    const record = runId ? await this.host.history.find(runId) : undefined;
    const job = record ? await session.fromRecord(record.id) : undefined;
    if (job) this.jobs.set(index, job);
    return job;
  }

  /** Cancel: nothing new starts, and the images in flight stop waiting. */
  private stop(): void {
    this.running?.abort('user' satisfies StopReason);
  }

  private setItem(item: BatchItem): void {
    this.items[item.index] = item;
    this.persist();
    for (const output of item.outputs) this.shown.add(output.uri);
    if (item.status === 'done') this.host.log.write('info', `Batch: saved ${item.outputs.map((o) => o.name).join(', ')} (run ${item.runId}).`);
    if (item.status === 'failed') this.host.log.write('error', `Batch: ${baseName(this.images[item.index])} failed: ${item.message}`);
    this.post({ type: 'batchItem', item });
  }

  /** A rejected key or an empty balance fails every image alike: say it once, with its fix. */
  private offerFix(errors: unknown[]): void {
    const fatal = errors.find((e) => ['setApiKey', 'openBilling'].includes(errorAction(e)));
    if (fatal === undefined) return;
    const action = errorAction(fatal);
    this.postError(fatal, undefined, action);
    if (action === 'setApiKey') void vscode.commands.executeCommand('gptImageEdit.setApiKey');
  }

  /** Every error offers the log unless it has a fix of its own (`action`). */
  protected override postError(e: unknown, asked?: Asked, action: ErrorAction = 'showLog'): void {
    const message = userMessage(e);
    this.host.log.write('error', message);
    this.post({ type: 'error', message, action, fields: [], requestId: asked?.requestId });
  }

  /** Retries are per image (retryItem); a panel-level error offers the log. */
  protected override async retryAction(): Promise<void> {
    this.host.log.show();
  }

  /** Closing the panel does not stop its runs: each job goes on and saves its outputs. */
  override dispose(): void {
    BatchPanel.panels.delete(keyOf(this.images));
    void this.stored.flush();
    super.dispose();
  }
}

/** A selection's identity, whatever order the explorer passed it in. */
function keyOf(images: readonly vscode.Uri[]): string {
  return images
    .map((u) => u.toString())
    .sort()
    .join('\n');
}
