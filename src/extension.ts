import * as vscode from 'vscode';
import { ApiKeyStore } from './apiKeyStore';
import { Log } from './log';
import { Notifier, type ShownMessage } from './notify';
import type * as Main from './main';
import type { ToWebview } from './shared/protocol';

/** What the heavy part (dist/main.js) receives: the few objects created at activation. */
export interface Host {
  readonly context: vscode.ExtensionContext;
  readonly log: Log;
  readonly notifier: Notifier;
  readonly keys: ApiKeyStore;
}

/** The host side of an open edit panel, as tests drive it without the webview's DOM. */
export interface EditPanelProbe {
  /** Handles a message exactly as if the webview had posted it (validated the same way). */
  receive(message: unknown): Promise<void>;
  readonly onDidPost: vscode.Event<ToWebview>;
  readonly panel: vscode.WebviewPanel;
}

/** The extension's exports: enough for tests and automation to observe it, never the key. */
export interface GptImageEditApi {
  hasApiKey(): Promise<boolean>;
  /** Every message, question and error shown to the user. */
  readonly onDidShowMessage: vscode.Event<ShownMessage>;
  /** Only when running tests or in development, never in production. */
  readonly testing?: { editPanel(image: vscode.Uri): EditPanelProbe | undefined };
}

export const EDIT_PANEL_VIEW_TYPE = 'gptImageEdit.editPanel';

let main: typeof Main | undefined;

/** Loads the client, zod, undici and the panel only when a command first needs them. */
function loadMain(): typeof Main {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  main ??= require('./main.js') as typeof Main;
  return main;
}

export function activate(context: vscode.ExtensionContext): GptImageEditApi {
  const log = new Log();
  const notifier = new Notifier();
  const host: Host = { context, log, notifier, keys: new ApiKeyStore(context.secrets) };
  context.subscriptions.push(
    log,
    notifier,
    vscode.commands.registerCommand('gptImageEdit.setApiKey', (key?: unknown) =>
      loadMain().setApiKey(host, typeof key === 'string' ? key : undefined),
    ),
    vscode.commands.registerCommand('gptImageEdit.clearApiKey', () => loadMain().clearApiKey(host)),
    vscode.commands.registerCommand('gptImageEdit.editImage', (uri?: unknown, uris?: unknown) =>
      loadMain().editImage(host, uri, uris),
    ),
    vscode.window.registerWebviewPanelSerializer(EDIT_PANEL_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state) => loadMain().revivePanel(host, panel, state),
    }),
  );
  return {
    hasApiKey: async () => (await host.keys.get()) !== undefined,
    onDidShowMessage: notifier.onDidShowMessage,
    testing:
      context.extensionMode === vscode.ExtensionMode.Production
        ? undefined
        : { editPanel: (image) => loadMain().panelFor(image) },
  };
}

export function deactivate(): void {}
