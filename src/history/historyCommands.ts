import * as vscode from 'vscode';
import { HistoryTree, HISTORY_VIEW_ID } from './historyTree';
import type { RunHistory } from './runHistory';
import { isUnsettled, type RunRecord } from './runRecord';

/** The commands that need the heavy part (the client, the panel); loaded on first use. */
export interface HeavyHistoryCommands {
  reopenInPanel(runId: string): Promise<unknown>;
  fetchResults(runId: string): Promise<unknown>;
}

/** The Runflow Edits view, and its item and title actions. Item commands receive the item's record (or its id). */
export function registerHistory(history: RunHistory, heavy: () => HeavyHistoryCommands): vscode.Disposable[] {
  // Tree items pass their record; a command line or a test may pass the record's id.
  const forRun = (action: (id: string) => unknown) => (arg?: unknown) => {
    const id = typeof arg === 'string' ? arg : (arg as RunRecord | undefined)?.id;
    return typeof id === 'string' ? action(id) : undefined;
  };
  return [
    vscode.window.registerTreeDataProvider(HISTORY_VIEW_ID, new HistoryTree(history)),
    vscode.commands.registerCommand(
      'gptImageEdit.history.openOutputs',
      forRun(async (runId) => {
        for (const output of (await history.find(runId))?.outputs ?? []) {
          await vscode.commands.executeCommand('vscode.open', vscode.Uri.parse(output.uri), { preview: false });
        }
      }),
    ),
    vscode.commands.registerCommand(
      'gptImageEdit.history.reveal',
      forRun(async (runId) => {
        const record = await history.find(runId);
        if (!record) return;
        const target = record.outputs[0]?.uri ?? record.inputs[0];
        await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.parse(target));
      }),
    ),
    vscode.commands.registerCommand(
      'gptImageEdit.history.reopen',
      forRun((runId) => heavy().reopenInPanel(runId)),
    ),
    vscode.commands.registerCommand(
      'gptImageEdit.history.fetchResults',
      forRun((runId) => heavy().fetchResults(runId)),
    ),
    // A record without a run id is looked up by its client_ref on the way to its results.
    vscode.commands.registerCommand(
      'gptImageEdit.history.lookUp',
      forRun((runId) => heavy().fetchResults(runId)),
    ),
    vscode.commands.registerCommand(
      'gptImageEdit.history.remove',
      forRun(async (ref) => history.remove([(await history.find(ref))?.id ?? ref])),
    ),
    // Runs in flight stay: they are still being settled, and their record is what makes that safe.
    vscode.commands.registerCommand('gptImageEdit.history.clear', async () =>
      history.remove((await history.list()).filter((r) => !isUnsettled(r)).map((r) => r.id)),
    ),
  ];
}
