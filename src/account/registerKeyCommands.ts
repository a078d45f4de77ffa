import * as vscode from 'vscode';
import type { Host } from '../platform/host';

/** What the key commands run: in the heavy part, loaded on first use. */
export interface KeyCommandEntryPoints {
  setApiKey(host: Host, key?: string): Promise<unknown>;
  clearApiKey(host: Host): Promise<unknown>;
}

/** Set API Key (a key may come as the command's argument, which asks first) and Clear API Key. */
export function registerKeyCommands(host: Host, heavy: () => KeyCommandEntryPoints): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('gptImageEdit.setApiKey', (key?: unknown) => heavy().setApiKey(host, typeof key === 'string' ? key : undefined)),
    vscode.commands.registerCommand('gptImageEdit.clearApiKey', () => heavy().clearApiKey(host)),
  ];
}
