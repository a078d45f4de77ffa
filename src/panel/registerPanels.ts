import * as vscode from 'vscode';
import { BATCH_PANEL_VIEW_TYPE, EDIT_PANEL_VIEW_TYPE, type Host } from '../platform/host';

/** What the panels' commands and serializers run: in the heavy part, loaded on first use. */
export interface PanelEntryPoints {
  editImage(host: Host, arg?: unknown, selection?: unknown): Promise<unknown>;
  editEachImage(host: Host, arg?: unknown, selection?: unknown): Promise<unknown>;
  revivePanel(host: Host, panel: vscode.WebviewPanel, state: unknown): void;
  reviveBatchPanel(host: Host, panel: vscode.WebviewPanel, state: unknown): void;
}

/** "Edit Image…" and its panel, revived after a reload. */
export function registerEditPanel(host: Host, heavy: () => PanelEntryPoints): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('gptImageEdit.editImage', (uri?: unknown, uris?: unknown) => heavy().editImage(host, uri, uris)),
    vscode.window.registerWebviewPanelSerializer(EDIT_PANEL_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state) => heavy().revivePanel(host, panel, state),
    }),
  ];
}

/** "Edit Each Image…" and its panel, revived after a reload. */
export function registerBatchPanel(host: Host, heavy: () => PanelEntryPoints): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('gptImageEdit.editEachImage', (uri?: unknown, uris?: unknown) => heavy().editEachImage(host, uri, uris)),
    vscode.window.registerWebviewPanelSerializer(BATCH_PANEL_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state) => heavy().reviveBatchPanel(host, panel, state),
    }),
  ];
}
