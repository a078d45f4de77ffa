import * as vscode from 'vscode';
import { ApiKeyStore } from './apiKeyStore';
import { Log } from './log';
import { Notifier, type ShownMessage } from './notify';
import type * as Main from './main';
import type { TestingApi } from './testingApi';
import { RunHistory } from './history/runHistory';
import { HistoryTree, HISTORY_VIEW_ID } from './history/historyTree';
import { registerHistoryCommands } from './history/historyCommands';
import { BATCH_PANEL_VIEW_TYPE, EDIT_IMAGE_TOOL, EDIT_PANEL_VIEW_TYPE, type Host } from './host';

/** The extension's exports: enough for tests and automation to observe it, never the key. */
export interface GptImageEditApi {
  hasApiKey(): Promise<boolean>;
  /** Every message, question and error shown to the user. */
  readonly onDidShowMessage: vscode.Event<ShownMessage>;
  /** Only when running tests or in development, never in production. */
  readonly testing?: TestingApi;
}

export type { EditPanelProbe, TestingApi } from './testingApi';

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
  const history = new RunHistory(context.globalStorageUri.fsPath, context.globalState);
  const keys = new ApiKeyStore(context.secrets, () => {
    void notifier.show(
      'info',
      vscode.l10n.t('Using RUNFLOW_API_KEY from the environment, as no key is stored in VS Code. "GPT Image: Set API Key…" stores one instead.'),
    );
  });
  const host: Host = { context, log, notifier, keys, history };
  context.subscriptions.push(
    log,
    notifier,
    history,
    vscode.window.registerTreeDataProvider(HISTORY_VIEW_ID, new HistoryTree(history)),
    ...registerHistoryCommands(history, () => loadMain().historyCommands(host)),
    vscode.commands.registerCommand('gptImageEdit.setApiKey', (key?: unknown) => loadMain().setApiKey(host, typeof key === 'string' ? key : undefined)),
    vscode.commands.registerCommand('gptImageEdit.clearApiKey', () => loadMain().clearApiKey(host)),
    vscode.commands.registerCommand('gptImageEdit.editImage', (uri?: unknown, uris?: unknown) => loadMain().editImage(host, uri, uris)),
    vscode.commands.registerCommand('gptImageEdit.editEachImage', (uri?: unknown, uris?: unknown) => loadMain().editEachImage(host, uri, uris)),
    // The agent tool (package.json: contributes.languageModelTools); its work loads with main.js.
    vscode.lm.registerTool<unknown>(EDIT_IMAGE_TOOL, {
      prepareInvocation: (options) => loadMain().prepareEditImage(options.input),
      invoke: (options, token) => loadMain().invokeEditImage(host, options.input, token),
    }),
    vscode.window.registerWebviewPanelSerializer(EDIT_PANEL_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state) => loadMain().revivePanel(host, panel, state),
    }),
    vscode.window.registerWebviewPanelSerializer(BATCH_PANEL_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state) => loadMain().reviveBatchPanel(host, panel, state),
    }),
  );
  // Edits left unsettled by a reload, a crash or a closed window. Looked for after activation
  // returns; the heavy part loads only when there is something to resume.
  setTimeout(() => {
    history
      .hasUnsettled()
      .then((any) => (any ? loadMain().resumeInFlight(host) : undefined))
      .catch((e) => log.write('error', `Resuming runs failed: ${String(e)}`));
  }, 0);
  return {
    hasApiKey: async () => (await host.keys.get()) !== undefined,
    onDidShowMessage: notifier.onDidShowMessage,
    // The test-only API loads with the heavy part, and never in production.
    testing: context.extensionMode === vscode.ExtensionMode.Production ? undefined : loadMain().testingApi(host),
  };
}

export function deactivate(): void {}
