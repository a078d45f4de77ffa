/**
 * The extension's test-only API: what integration tests drive and observe. It loads with the
 * heavy part (main.js), and only when the extension does not run in production.
 */
import * as vscode from 'vscode';
import type { ToWebview } from './shared/protocol';
import { EDIT_PANEL_VIEW_TYPE, type Host } from './platform/host';
import { replaceModalAnswer, type QuestionAnswer, type QuestionKind } from './platform/modalQuestion';
import { historyItem } from './history/historyTree';
import type { ManualClock } from './platform/clock';
import type { RunRecord } from './history/runRecord';
import { imagePipeline } from './image/pipeline';
import { EditPanel } from './panel/editPanel';
import { BatchPanel } from './panel/batchPanel';
import { PanelViewStore } from './panel/editPanelViews';
import { invokeEditImage, prepareEditImage } from './agent/editImageTool';
import { resumeInFlight } from './resume/recordedEdits';

/** The host side of an open edit panel, as tests drive it without the webview's DOM. */
export interface EditPanelProbe {
  /** Handles a message exactly as if the webview had posted it (validated the same way). */
  receive(message: unknown): Promise<void>;
  readonly onDidPost: vscode.Event<ToWebview>;
  readonly panel: vscode.WebviewPanel;
}

export interface TestingApi {
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
  /** Moves the test build's clock on (later look-ups fall due); throws outside test builds. */
  advanceClock(ms: number): void;
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
}

export function testingApi(host: Host): TestingApi {
  const { context, history } = host;
  return {
    editPanel: (image) => EditPanel.find(image),
    revivePanel: async (state) => {
      const panel = vscode.window.createWebviewPanel(EDIT_PANEL_VIEW_TYPE, 'Revived', vscode.ViewColumn.Beside);
      EditPanel.revive(host, panel, state);
      return panel;
    },
    batchPanel: (images) => BatchPanel.find(images),
    prepareEditImage: (input) => prepareEditImage(input),
    invokeEditImage: (input, token) => invokeEditImage(host, input, token ?? new vscode.CancellationTokenSource().token),
    replaceModalAnswer: (kind, answer) => replaceModalAnswer(kind, answer),
    decodeCounts: () => ({ ...imagePipeline().decodeCounts }),
    advanceClock: (ms) => {
      // Not instanceof: the clock was made by extension.js, this runs in main.js (another copy of the class).
      const manual = host.clock as Partial<ManualClock>;
      if (typeof manual.advance !== 'function') throw new Error('Only a test build has a clock to move on.');
      manual.advance(ms);
    },
    panelStorage: (image) => new PanelViewStore(context).stored(image),
    storePanelDraft: (image, raw) => new PanelViewStore(context).storeRaw(image, raw),
    history: {
      records: () => history.list(),
      put: (record) => history.put(record),
      resumeInFlight: () => resumeInFlight(host),
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
  };
}
