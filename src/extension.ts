import * as vscode from 'vscode';
import { ApiKeyStore } from './apiKeyStore';
import { Log } from './log';
import { Notifier, type ShownMessage } from './notify';
import type * as Main from './main';
import type { ToWebview } from './shared/protocol';
import type { QuestionAnswer, QuestionKind } from './modalQuestion';
import { RunHistory } from './history/runHistory';
import { HistoryTree, HISTORY_VIEW_ID, historyItem } from './history/historyTree';
import { registerHistoryCommands } from './history/historyCommands';
import type { RunRecord } from './history/runRecord';
import { BATCH_PANEL_VIEW_TYPE, EDIT_IMAGE_TOOL, EDIT_PANEL_VIEW_TYPE, type Host } from './host';


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
  readonly testing?: {
    editPanel(image: vscode.Uri): EditPanelProbe | undefined;
    /** Revives an edit panel from `state` as the serializer does after a window reload; resolves with the new panel. */
    revivePanel(state: unknown): Promise<vscode.WebviewPanel>;
    /** The batch panel open for these images (in any order); it takes the same probe. */
    batchPanel(images: readonly vscode.Uri[]): EditPanelProbe | undefined;
    /** The agent tool's prepareInvocation, as VS Code calls it before asking the person (tests never see VS Code's dialogs). */
    prepareEditImage(input: unknown): Promise<vscode.PreparedToolInvocation>;
    /** The agent tool's invoke, as VS Code calls it once the person agreed to what prepareInvocation showed. */
    invokeEditImage(input: unknown, token?: vscode.CancellationToken): Promise<vscode.LanguageModelToolResult>;
    /** An image's panel draft as workspaceState holds it, and the file its paint layer goes to. */
    panelStorage(image: vscode.Uri): { raw: unknown; paintFile: vscode.Uri };
    /** Stores a panel draft as given, as an earlier version of the extension left it. */
    storePanelDraft(image: vscode.Uri, raw: unknown): Thenable<void>;
    /** How many images of each kind the image pipeline has decoded since it loaded. */
    decodeCounts(): Record<'original' | 'mask' | 'output' | 'saved', number>;
    /** Answers this kind of modal question instead of the dialog (which a test cannot click); undefined restores it. */
    replaceModalAnswer(kind: QuestionKind, answer: QuestionAnswer | undefined): void;
    history: {
      records(): Promise<RunRecord[]>;
      /** Stores a record as given: how a test leaves the state a crashed window would have left. */
      put(record: RunRecord): Promise<void>;
      /** The activation-time resume itself. */
      resumeInFlight(): Promise<void>;
      /** Leaves a lease on the edit as another window would: renewed `ageMs` ago. */
      leaseElsewhere(runId: string, ageMs: number): Promise<void>;
      releaseElsewhere(runId: string): Promise<void>;
      /** The view's item of the edit with this run id (or record id). */
      treeItem(runId: string): Promise<vscode.TreeItem | undefined>;
      /** Every value the extension keeps in global state and its history files, to scan for what must never be there. */
      storedState(): Promise<Record<string, unknown>>;
    };
  };
}


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
    void notifier.show('info', vscode.l10n.t('Using RUNFLOW_API_KEY from the environment, as no key is stored in VS Code. "GPT Image: Set API Key…" stores one instead.'));
  });
  const host: Host = { context, log, notifier, keys, history };
  context.subscriptions.push(
    log,
    notifier,
    history,
    vscode.window.registerTreeDataProvider(HISTORY_VIEW_ID, new HistoryTree(history)),
    ...registerHistoryCommands(history, () => loadMain().historyCommands(host)),
    vscode.commands.registerCommand('gptImageEdit.setApiKey', (key?: unknown) =>
      loadMain().setApiKey(host, typeof key === 'string' ? key : undefined),
    ),
    vscode.commands.registerCommand('gptImageEdit.clearApiKey', () => loadMain().clearApiKey(host)),
    vscode.commands.registerCommand('gptImageEdit.editImage', (uri?: unknown, uris?: unknown) =>
      loadMain().editImage(host, uri, uris),
    ),
    vscode.commands.registerCommand('gptImageEdit.editEachImage', (uri?: unknown, uris?: unknown) =>
      loadMain().editEachImage(host, uri, uris),
    ),
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
    testing:
      context.extensionMode === vscode.ExtensionMode.Production
        ? undefined
        : {
            editPanel: (image) => loadMain().panelFor(image),
            revivePanel: async (state) => {
              const panel = vscode.window.createWebviewPanel(EDIT_PANEL_VIEW_TYPE, 'Revived', vscode.ViewColumn.Beside);
              loadMain().revivePanel(host, panel, state);
              return panel;
            },
            batchPanel: (images) => loadMain().batchPanelFor(images),
            prepareEditImage: (input) => loadMain().prepareEditImage(input),
            invokeEditImage: (input, token) => loadMain().invokeEditImage(host, input, token ?? new vscode.CancellationTokenSource().token),
            replaceModalAnswer: (kind, answer) => loadMain().replaceModalAnswer(kind, answer),
            decodeCounts: () => ({ ...loadMain().imagePipeline().decodeCounts }),
            panelStorage: (image) => loadMain().panelViews(host).stored(image),
            storePanelDraft: (image, raw) => loadMain().panelViews(host).storeRaw(image, raw),
            history: {
              records: () => history.list(),
              put: (record) => history.put(record),
              resumeInFlight: () => loadMain().resumeInFlight(host),
              treeItem: async (runId) => {
                const record = await history.find(runId);
                return record && historyItem(record);
              },
              leaseElsewhere: async (runId, ageMs) => {
                const record = await history.find(runId);
                if (record) await history.store.claim(record.id, 'another-window', Date.now() - ageMs);
              },
              releaseElsewhere: async (runId) => {
                const record = await history.find(runId);
                if (record) await history.store.release(record.id, 'another-window');
              },
              storedState: async () => ({
                ...Object.fromEntries(context.globalState.keys().map((k) => [k, context.globalState.get(k)])),
                ...Object.fromEntries((await history.list()).map((r) => [`history/${r.id}`, r])),
              }),
            },
          },
  };
}

export function deactivate(): void {}
