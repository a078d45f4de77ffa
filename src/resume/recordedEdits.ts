/**
 * Edits settled from their record: the activation-time resume of edits a reload, a crash or a
 * closed window left unsettled, and "Fetch Results". Each runs the recorded job through the edit
 * runner; exactly once comes from the job and its lease.
 */
import * as vscode from 'vscode';
import { RunflowError } from '../runflow';
import type { Host } from '../platform/host';
import { EditBusyError, EditStoppedError, type StopReason } from '../edit/editJob';
import { EditRunner } from '../edit/editRunner';
import { baseName } from '../image/outputNames';
import { showError, userMessage } from '../platform/showError';
import { LEASE_STALE_MS } from '../history/runStore';
import { isUnsettled } from '../history/runRecord';

/** How settling a recorded edit ended. `busy`: another window (or another call here) is settling it. */
export type FinishOutcome =
  | { kind: 'saved'; newly: vscode.Uri[] }
  | { kind: 'busy' }
  | { kind: 'gone' }
  | { kind: 'noKey' }
  | { kind: 'stopped'; message: string }
  | { kind: 'unsettled'; message: string };

type Mode = 'resume' | 'fetch';

const rechecks = new WeakMap<Host, NodeJS.Timeout>();

/** The activation entry point: settles every unsettled edit that no live window is settling. */
export async function resumeInFlight(host: Host): Promise<void> {
  const unsettled = (await host.history.list()).filter(isUnsettled);
  const outcomes = await Promise.all(unsettled.map((r) => resume(host, r.id)));
  // Edits another window is settling: look again once its lease would have gone stale.
  if (outcomes.some((o) => o.kind === 'busy')) {
    if (!rechecks.has(host)) host.context.subscriptions.push({ dispose: () => clearTimeout(rechecks.get(host)) });
    clearTimeout(rechecks.get(host));
    const recheck = setTimeout(() => void resumeInFlight(host), LEASE_STALE_MS);
    recheck.unref?.();
    rechecks.set(host, recheck);
  }
}

/** Settles one edit (named by its id or its run's) in the background, telling the user only what got saved. */
async function resume(host: Host, ref: string): Promise<FinishOutcome> {
  const id = (await host.history.find(ref))?.id ?? ref;
  const outcome = await settle(host, id, 'resume', new AbortController());
  const runId = (await host.history.get(id))?.runId ?? id;
  if (outcome.kind === 'saved' && outcome.newly.length > 0) {
    void host.notifier.show('info', vscode.l10n.t('Saved {0} from run {1}, which was still going when its wait ended.', names(outcome.newly), runId));
  }
  return outcome;
}

/** "Fetch Results": saves the outputs of an edit whose wait was stopped or whose saving failed. */
export async function fetchResults(host: Host, ref: string): Promise<FinishOutcome> {
  const found = await host.history.find(ref);
  const id = found?.id ?? ref;
  const runId = found?.runId ?? ref;
  const outcome = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Fetching the results of run {0}', runId), cancellable: true },
    (_progress, token) => {
      const canceled = new AbortController();
      token.onCancellationRequested(() => canceled.abort('user' satisfies StopReason));
      return settle(host, id, 'fetch', canceled);
    },
  );
  switch (outcome.kind) {
    case 'saved':
      void host.notifier.show(
        'info',
        outcome.newly.length > 0
          ? vscode.l10n.t('Saved {0} from run {1}.', names(outcome.newly), runId)
          : vscode.l10n.t('Nothing new to save: the results of run {0} are already saved.', runId),
      );
      break;
    case 'busy':
      void host.notifier.show('info', vscode.l10n.t('Run {0} is already being saved.', runId));
      break;
    case 'gone':
      void host.notifier.show('warning', vscode.l10n.t('Run {0} is no longer in the history.', runId));
      break;
    case 'unsettled':
      void showError(host, outcome.message);
      break;
  }
  return outcome;
}

async function settle(host: Host, id: string, mode: Mode, stop: AbortController): Promise<FinishOutcome> {
  const record = await host.history.get(id);
  if (!record) return { kind: 'gone' };
  if (record.status === 'saved') return { kind: 'saved', newly: [] };
  const runner = EditRunner.of(host);
  if (await runner.leases.heldElsewhere(id)) return { kind: 'busy' };
  // On activation nobody asked for anything: no key prompt, the edit waits for a key.
  const session = await runner.session({ askForKey: mode === 'fetch' });
  if (!session) return { kind: 'noKey' };
  const job = await session.fromRecord(id);
  if (!job) return { kind: 'gone' };
  const newly: vscode.Uri[] = [];
  const listening = job.onEvent((e) => e.type === 'saved' && newly.push(e.uri));
  try {
    await session.run(job, stop);
    return { kind: 'saved', newly };
  } catch (e) {
    if (e instanceof EditBusyError) return { kind: 'busy' };
    if (e instanceof EditStoppedError) return { kind: 'stopped', message: e.message };
    // A network or server failure on activation is tried again on the next one.
    if (mode === 'resume' && e instanceof RunflowError && e.retryable && job.runId) {
      await host.history.update(id, (r) => ({ ...r, status: 'inFlight' }));
    }
    return { kind: 'unsettled', message: userMessage(e) };
  } finally {
    listening.dispose();
  }
}

function names(uris: readonly vscode.Uri[]): string {
  return uris.map(baseName).join(', ');
}
