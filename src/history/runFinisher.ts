import * as vscode from 'vscode';
import { RunflowError, type Run } from '../runflow';
import type { Host } from '../host';
import { createClient } from '../clientFactory';
import { requireApiKey } from '../keyCommands';
import { writeSidecars } from '../config';
import { baseName, fileExtension, sidecarFor } from '../edit/editJob';
import { stemOf } from '../edit/outputNames';
import { saveBesideOriginal } from '../edit/saver';
import { showError, userMessage } from '../showError';
import type { RunHistory } from './runHistory';
import type { RunRecord } from './runRecord';
import { RunLeases, LEASE_STALE_MS } from './runLeases';
import { findSavedVariant } from './savedVariants';
import { afterError, asSaved, withOutput } from './recordChanges';

/** How settling a run ended. `busy`: another window (or another call here) is settling it. */
export type FinishOutcome =
  | { kind: 'saved'; newly: vscode.Uri[] }
  | { kind: 'busy' }
  | { kind: 'gone' }
  | { kind: 'noKey' }
  | { kind: 'stopped' }
  | { kind: 'unsettled'; message: string };

type Mode = 'resume' | 'fetch';

const finishers = new WeakMap<Host, RunFinisher>();

/**
 * Settles recorded runs whose outputs are not saved yet: waits for the run, fetches its outputs
 * and saves each variant exactly once. Used on activation (runs left in flight by a reload, a
 * crash or a closed panel) and by "Fetch Results". Exactly once: one settle per run at a time in
 * this window, one window at a time (RunLeases), and before saving a variant it looks in the
 * output folder for a file an interrupted save already wrote (findSavedVariant).
 */
export class RunFinisher implements vscode.Disposable {
  readonly leases: RunLeases;
  private readonly settling = new Map<string, Promise<FinishOutcome>>();
  private readonly closing = new AbortController();
  private recheck: NodeJS.Timeout | undefined;

  static of(host: Host): RunFinisher {
    let finisher = finishers.get(host);
    if (!finisher) {
      finisher = new RunFinisher(host);
      finishers.set(host, finisher);
      host.context.subscriptions.push(finisher);
    }
    return finisher;
  }

  private constructor(private readonly host: Host) {
    this.leases = new RunLeases(host.history);
  }

  get history(): RunHistory {
    return this.host.history;
  }

  /** The activation entry point: settles every run in flight that no live window is settling. */
  async resumeInFlight(): Promise<void> {
    const inFlight = this.history.list().filter((r) => r.status === 'inFlight');
    await Promise.all(inFlight.map((r) => this.resume(r.runId)));
    // Runs another window is settling: look again once its claim would have gone stale.
    if (this.history.list().some((r) => r.status === 'inFlight' && this.leases.heldElsewhere(r))) {
      clearTimeout(this.recheck);
      this.recheck = setTimeout(() => void this.resumeInFlight(), LEASE_STALE_MS);
      this.recheck.unref?.();
    }
  }

  /** Settles one run in the background, telling the user only what got saved. */
  async resume(runId: string): Promise<FinishOutcome> {
    const outcome = await this.settle(runId, 'resume', this.closing.signal);
    if (outcome.kind === 'saved' && outcome.newly.length > 0) {
      void this.host.notifier.show('info', vscode.l10n.t('Saved {0} from run {1}, which was still going when its wait ended.', names(outcome.newly), runId));
    }
    return outcome;
  }

  /** "Fetch Results": saves the outputs of a run whose wait was stopped or whose saving failed. */
  async fetchResults(runId: string): Promise<FinishOutcome> {
    const outcome = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Fetching the results of run {0}', runId), cancellable: true },
      (_progress, token) => {
        const canceled = new AbortController();
        token.onCancellationRequested(() => canceled.abort());
        return this.settle(runId, 'fetch', AbortSignal.any([this.closing.signal, canceled.signal]));
      },
    );
    switch (outcome.kind) {
      case 'saved':
        void this.host.notifier.show(
          'info',
          outcome.newly.length > 0
            ? vscode.l10n.t('Saved {0} from run {1}.', names(outcome.newly), runId)
            : vscode.l10n.t('Nothing new to save: the results of run {0} are already saved.', runId),
        );
        break;
      case 'busy':
        void this.host.notifier.show('info', vscode.l10n.t('Run {0} is already being saved.', runId));
        break;
      case 'gone':
        void this.host.notifier.show('warning', vscode.l10n.t('Run {0} is no longer in the history.', runId));
        break;
      case 'unsettled':
        void showError(this.host, outcome.message);
        break;
    }
    return outcome;
  }

  /** One settle per run at a time: a second caller joins the first. */
  private settle(runId: string, mode: Mode, signal: AbortSignal): Promise<FinishOutcome> {
    const running = this.settling.get(runId);
    if (running) return running;
    const settling = this.finish(runId, mode, signal).finally(() => this.settling.delete(runId));
    this.settling.set(runId, settling);
    return settling;
  }

  private async finish(runId: string, mode: Mode, signal: AbortSignal): Promise<FinishOutcome> {
    const record = this.history.get(runId);
    if (!record) return { kind: 'gone' };
    if (record.status === 'saved') return { kind: 'saved', newly: [] };
    if (!(await this.leases.claim(runId))) return { kind: 'busy' };
    try {
      if (record.options.private) {
        const message = vscode.l10n.t('The wait for this private run ended, and Runflow does not keep the results of private runs.');
        await this.history.update(runId, (r) => ({ ...r, status: 'interrupted', message }));
        return { kind: 'unsettled', message };
      }
      // On activation nobody asked for anything: no key prompt, the run waits for a key.
      const key = mode === 'fetch' ? await requireApiKey(this.host) : await this.host.keys.get();
      if (!key) return { kind: 'noKey' };
      await this.history.update(runId, (r) => ({ ...r, status: 'inFlight', message: undefined }));
      const client = createClient(this.host, key);
      const run = await client.waitForRun(runId, { signal });
      const outputs = (run.output?.outputs ?? []).filter((o) => o.type === 'image');
      const newly: vscode.Uri[] = [];
      for (const [index, output] of outputs.entries()) {
        const variant = index + 1;
        if (this.history.get(runId)?.outputs.some((o) => o.variant === variant)) continue;
        const image = await client.fetchOutput(output, { signal });
        const saved = await this.saveVariant(record, run, variant, image);
        if (saved.isNew) newly.push(saved.uri);
        await this.history.update(runId, (r) => withOutput(r, variant, saved.uri));
      }
      await this.history.update(runId, (r) => asSaved(r, run.cost));
      return { kind: 'saved', newly };
    } catch (e) {
      if (signal.aborted) {
        // The window is closing: the run stays in flight for the next activation. A canceled fetch: stopped waiting again.
        if (mode === 'fetch') await this.history.update(runId, (r) => ({ ...r, status: 'stoppedWaiting', message: undefined }));
        return { kind: 'stopped' };
      }
      // A network or server failure on activation is tried again on the next one.
      const retryLater = mode === 'resume' && e instanceof RunflowError && e.retryable;
      await this.history.update(runId, (r) => (retryLater ? { ...r, message: userMessage(e) } : afterError(r, e)));
      return { kind: 'unsettled', message: userMessage(e) };
    } finally {
      await this.leases.release(runId);
    }
  }

  /** Saves one variant beside the original unless an interrupted save already put it there. */
  private async saveVariant(
    record: RunRecord,
    run: Run,
    variant: number,
    image: { bytes: Uint8Array; type: 'png' | 'jpeg' | 'webp' },
  ): Promise<{ uri: vscode.Uri; isNew: boolean }> {
    const folder = vscode.Uri.parse(record.outputFolder);
    const [original, ...references] = record.inputs.map((u) => vscode.Uri.parse(u));
    const stem = stemOf(baseName(original));
    const ext = fileExtension(image.type);
    const existing = await findSavedVariant(folder, stem, ext, record.runId, variant, image.bytes);
    if (existing) return { uri: existing, isNew: false };
    const request = { image: original, references, prompt: record.prompt, options: record.options, mask: record.masked || undefined };
    const sidecar = writeSidecars() ? () => sidecarFor(request, run, variant - 1) : undefined;
    return { uri: await saveBesideOriginal(folder, stem, ext, image.bytes, sidecar), isNew: true };
  }

  dispose(): void {
    this.closing.abort();
    clearTimeout(this.recheck);
    this.leases.dispose();
  }
}

function names(uris: readonly vscode.Uri[]): string {
  return uris.map(baseName).join(', ');
}
