import * as vscode from 'vscode';
import { RunflowError, type RunflowClient, type RunflowClientOptions } from '../runflow';
import type { Host } from '../host';
import { createClient } from '../clientFactory';
import { requireApiKey } from '../keyCommands';
import { writeSidecars } from '../config';
import { EditBusyError, EditJob, EditStoppedError, type JobServices, type StopReason } from '../edit/editJob';
import { baseName } from '../edit/outputNames';
import { loadDurations, saveDurations } from '../edit/durationStore';
import { showError, userMessage } from '../showError';
import { RunLeases } from './runLeases';
import { LEASE_STALE_MS } from './runStore';
import { isUnsettled } from './runRecord';

/** How settling a recorded edit ended. `busy`: another window (or another call here) is settling it. */
export type FinishOutcome =
  | { kind: 'saved'; newly: vscode.Uri[] }
  | { kind: 'busy' }
  | { kind: 'gone' }
  | { kind: 'noKey' }
  | { kind: 'stopped'; message: string }
  | { kind: 'unsettled'; message: string };

type Mode = 'resume' | 'fetch';

const finishers = new WeakMap<Host, RunFinisher>();

/**
 * What every edit job of this window shares (the leases, the window's shutdown signal), and the
 * callers that start a job from a record: the activation-time resume of edits left unsettled by
 * a reload, a crash or a closed window, and "Fetch Results". Exactly once comes from the job.
 */
export class RunFinisher implements vscode.Disposable {
  readonly leases: RunLeases;
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
    this.leases = new RunLeases(host.history.store);
  }

  /** Aborted (reason 'shutdown') when the window closes: jobs stop and stay resumable. */
  get shutdown(): AbortSignal {
    return this.closing.signal;
  }

  /** A signal for one job: the user's stop, or the window's shutdown. */
  jobSignal(userStop: AbortSignal): AbortSignal {
    return AbortSignal.any([userStop, this.closing.signal]);
  }

  /** The services a job of this window runs with. */
  services(client: RunflowClient, chooseOtherFolder: JobServices['chooseOtherFolder'] = async () => undefined): JobServices {
    return {
      history: this.host.history,
      leases: this.leases,
      client,
      durations: loadDurations(this.host.context),
      writeSidecars: writeSidecars(),
      chooseOtherFolder,
    };
  }

  /** A client with this key for the configured API (with the shared options, e.g. a rate-limit gate). */
  client(apiKey: string, shared: Pick<RunflowClientOptions, 'rateLimitGate' | 'onRetryWait'> = {}): RunflowClient {
    return createClient(this.host, apiKey, shared);
  }

  /** The activation entry point: settles every unsettled edit that no live window is settling. */
  async resumeInFlight(): Promise<void> {
    const unsettled = (await this.host.history.list()).filter(isUnsettled);
    const outcomes = await Promise.all(unsettled.map((r) => this.resume(r.id)));
    // Edits another window is settling: look again once its lease would have gone stale.
    if (outcomes.some((o) => o.kind === 'busy')) {
      clearTimeout(this.recheck);
      this.recheck = setTimeout(() => void this.resumeInFlight(), LEASE_STALE_MS);
      this.recheck.unref?.();
    }
  }

  /** Settles one edit (named by its id or its run's) in the background, telling the user only what got saved. */
  async resume(ref: string): Promise<FinishOutcome> {
    const id = (await this.host.history.find(ref))?.id ?? ref;
    const outcome = await this.settle(id, 'resume', this.closing.signal);
    const runId = (await this.host.history.get(id))?.runId ?? id;
    if (outcome.kind === 'saved' && outcome.newly.length > 0) {
      void this.host.notifier.show('info', vscode.l10n.t('Saved {0} from run {1}, which was still going when its wait ended.', names(outcome.newly), runId));
    }
    return outcome;
  }

  /** "Fetch Results": saves the outputs of an edit whose wait was stopped or whose saving failed. */
  async fetchResults(ref: string): Promise<FinishOutcome> {
    const found = await this.host.history.find(ref);
    const id = found?.id ?? ref;
    const runId = found?.runId ?? ref;
    const outcome = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Fetching the results of run {0}', runId), cancellable: true },
      (_progress, token) => {
        const canceled = new AbortController();
        token.onCancellationRequested(() => canceled.abort('user' satisfies StopReason));
        return this.settle(id, 'fetch', this.jobSignal(canceled.signal));
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

  private async settle(id: string, mode: Mode, signal: AbortSignal): Promise<FinishOutcome> {
    const record = await this.host.history.get(id);
    if (!record) return { kind: 'gone' };
    if (record.status === 'saved') return { kind: 'saved', newly: [] };
    if (await this.leases.heldElsewhere(id)) return { kind: 'busy' };
    // On activation nobody asked for anything: no key prompt, the edit waits for a key.
    const key = mode === 'fetch' ? await requireApiKey(this.host) : await this.host.keys.get();
    if (!key) return { kind: 'noKey' };
    const services = this.services(this.client(key));
    const job = await EditJob.fromRecord(id, services);
    if (!job) return { kind: 'gone' };
    const newly: vscode.Uri[] = [];
    const listening = job.onEvent((e) => e.type === 'saved' && newly.push(e.uri));
    try {
      await job.run(signal);
      if (services.durations) saveDurations(this.host.context, services.durations);
      return { kind: 'saved', newly };
    } catch (e) {
      if (e instanceof EditBusyError) return { kind: 'busy' };
      if (e instanceof EditStoppedError) return { kind: 'stopped', message: e.message };
      // A network or server failure on activation is tried again on the next one.
      if (mode === 'resume' && e instanceof RunflowError && e.retryable && job.runId) {
        await this.host.history.update(id, (r) => ({ ...r, status: 'inFlight' }));
      }
      return { kind: 'unsettled', message: userMessage(e) };
    } finally {
      listening.dispose();
    }
  }

  dispose(): void {
    this.closing.abort('shutdown' satisfies StopReason);
    clearTimeout(this.recheck);
    this.leases.dispose();
  }
}

function names(uris: readonly vscode.Uri[]): string {
  return uris.map(baseName).join(', ');
}
