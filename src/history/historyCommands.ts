import * as vscode from 'vscode';
import type { RunHistory } from './runHistory';

/** The commands that need the heavy part (the client, the panel); loaded on first use. */
export interface HeavyHistoryCommands {
  reopenInPanel(runId: string): Promise<unknown>;
  fetchResults(runId: string): Promise<unknown>;
}

/** The history view's item and title actions. Item commands receive the item's run id. */
export function registerHistoryCommands(history: RunHistory, heavy: () => HeavyHistoryCommands): vscode.Disposable[] {
  const forRun = (action: (runId: string) => unknown) => (arg?: unknown) => (typeof arg === 'string' ? action(arg) : undefined);
  return [
    vscode.commands.registerCommand(
      'gptImageEdit.history.openOutputs',
      forRun(async (runId) => {
        for (const output of history.get(runId)?.outputs ?? []) {
          await vscode.commands.executeCommand('vscode.open', vscode.Uri.parse(output.uri), { preview: false });
        }
      }),
    ),
    vscode.commands.registerCommand(
      'gptImageEdit.history.reveal',
      forRun(async (runId) => {
        const record = history.get(runId);
        if (!record) return;
        const target = record.outputs[0]?.uri ?? record.inputs[0];
        await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.parse(target));
      }),
    ),
    vscode.commands.registerCommand('gptImageEdit.history.reopen', forRun((runId) => heavy().reopenInPanel(runId))),
    vscode.commands.registerCommand('gptImageEdit.history.fetchResults', forRun((runId) => heavy().fetchResults(runId))),
    vscode.commands.registerCommand('gptImageEdit.history.remove', forRun((runId) => history.remove([runId]))),
    // Runs in flight stay: they are still being settled, and their record is what makes that safe.
    vscode.commands.registerCommand('gptImageEdit.history.clear', () =>
      history.remove(history.list().filter((r) => r.status !== 'inFlight').map((r) => r.runId)),
    ),
  ];
}
