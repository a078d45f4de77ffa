import * as vscode from 'vscode';

/** Counts one settled image; `failed` when it did not end done. */
export type SettledReporter = (failed: boolean) => void;

/**
 * ONE progress notification for a whole batch ("7 of 20 done"), whatever its size; its Cancel
 * calls `cancel`. `work` calls the reporter once per image that settles.
 */
export function withBatchNotification<T>(total: number, cancel: () => void, work: (settled: SettledReporter) => Promise<T>): Thenable<T> {
  return vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: total === 1 ? vscode.l10n.t('Editing 1 image') : vscode.l10n.t('Editing {0} images', total),
      cancellable: true,
    },
    (progress, token) => {
      token.onCancellationRequested(cancel);
      let done = 0;
      let failed = 0;
      const summary = (): string =>
        failed > 0 ? vscode.l10n.t('{0} of {1} done, {2} failed', done, total, failed) : vscode.l10n.t('{0} of {1} done', done, total);
      progress.report({ message: summary() });
      return work((didFail) => {
        done++;
        if (didFail) failed++;
        progress.report({ increment: 100 / total, message: summary() });
      });
    },
  );
}
