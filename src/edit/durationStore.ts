import type * as vscode from 'vscode';
import { DurationModel } from '../runflow';

const KEY = 'gptImageEdit.runDurations';

/** The learned run-time model (for smart polling), kept across sessions in global state. */
export function loadDurations(context: vscode.ExtensionContext): DurationModel {
  return DurationModel.fromJSON(context.globalState.get<unknown>(KEY));
}

export function saveDurations(context: vscode.ExtensionContext, model: DurationModel): void {
  void context.globalState.update(KEY, model.toJSON());
}
