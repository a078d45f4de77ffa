import * as vscode from 'vscode';
import type { ErrorAction, SharedRequest } from '../shared/messageParts';
import type { Host } from '../platform/host';
import { panelHtml, panelWebviewOptions } from './html';
import { BILLING_URL } from '../runflow';

/** The messages a panel handles itself: PanelHost handles openResult, revealResult and action alike for every panel. */
export type PanelMessage<In> = Exclude<In, { type: 'openResult' | 'revealResult' | 'action' }>;

/** What a panel's handler answers a request with (the answer's fields); nothing for a message the page does not await. */
export type AnswerFields = Record<string, unknown> | void;

/** A request being handled: its id, and which load of the page sent it. */
export interface Asked {
  readonly type: string;
  readonly requestId: number;
  readonly pageLoad: number;
}

/** A request the panel refuses with a message for the user (no prompt, no key): shown like an error, not logged as a fault. */
export class Refusal extends Error {
  constructor(
    message: string,
    readonly action?: ErrorAction,
    readonly fields: string[] = [],
  ) {
    super(message);
  }
}

/**
 * What the edit and batch panel hosts share: the webview wiring, zod validation of every message,
 * the files a panel showed (the only ones its messages may name) and posting to the webview.
 * A subclass handles its own messages, and says how an error is shown and what its Retry does.
 */
export abstract class PanelHost<In extends SharedRequest | { type: string }, Out> {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly postedEmitter = new vscode.EventEmitter<Out>();
  /** Every message posted to the webview, for tests and the key-hygiene scan. */
  readonly onDidPost = this.postedEmitter.event;
  /** Set once the webview says it is ready: nothing is posted to it before. */
  protected ready = false;
  /** Files this panel showed: the only ones its messages may name. */
  protected readonly shown = new Set<string>();
  /** Loads of the page so far (each says `ready`): a request is answered only to the load that sent it. */
  private pageLoads = 0;

  /** `label` names the panel in the log ("edit panel"); `files` are the ones it shows first. */
  protected constructor(
    protected readonly host: Host,
    readonly panel: vscode.WebviewPanel,
    private readonly label: string,
    files: readonly vscode.Uri[],
  ) {
    this.showFiles(files);
    panel.iconPath = vscode.Uri.joinPath(host.context.extensionUri, 'media', 'icon.png');
    panel.webview.html = panelHtml(panel.webview, host.context.extensionUri, panel.title);
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m) => this.receive(m)),
      this.postedEmitter,
    );
  }

  /** Disposed with the panel. */
  protected own(disposable: vscode.Disposable): void {
    this.disposables.push(disposable);
  }

  /**
   * Handles one message from the webview; anything that fails its schema is logged and dropped.
   * A request gets one answer or one error naming it, unless the page that sent it has reloaded
   * since: the new page's ids start again, so its answer is dropped and its error is the panel's.
   */
  async receive(raw: unknown): Promise<void> {
    const message = this.parse(raw);
    if (!message) {
      this.host.log.write('warn', this.droppedMessageWarning(raw));
      // A request the page awaits is refused, not left waiting for an answer that never comes.
      const requestId = typeof raw === 'object' && raw !== null ? (raw as { requestId?: unknown }).requestId : undefined;
      if (typeof requestId === 'number' && Number.isSafeInteger(requestId) && requestId >= 0) {
        const refusal = new Refusal(vscode.l10n.t('The panel sent a request that could not be read. Close the panel and open the image again.'));
        this.postError(refusal, { type: 'invalid', requestId, pageLoad: this.pageLoads });
      }
      return;
    }
    if (message.type === 'ready') this.pageLoads++;
    const requestId = (message as { requestId?: number }).requestId;
    const asked: Asked | undefined = requestId === undefined ? undefined : { type: message.type, requestId, pageLoad: this.pageLoads };
    try {
      const answer = await this.dispatch(message);
      if (asked && this.stillAsking(asked)) this.post({ type: 'answer', request: asked.type, requestId: asked.requestId, ...answer } as Out);
    } catch (e) {
      this.postError(e, asked && this.stillAsking(asked) ? asked : undefined);
    }
  }

  /** Whether the page that sent `asked` is still the one shown. */
  private stillAsking(asked: Asked): boolean {
    return asked.pageLoad === this.pageLoads;
  }

  /** Opening or revealing a result and running an error's fix are alike in every panel. */
  private async dispatch(message: In): Promise<AnswerFields> {
    const shared = message as SharedRequest;
    switch (shared.type) {
      case 'openResult':
        await vscode.commands.executeCommand('vscode.open', this.knownUri(shared.uri), { viewColumn: vscode.ViewColumn.Active });
        return;
      case 'revealResult':
        await vscode.commands.executeCommand('revealInExplorer', this.knownUri(shared.uri));
        return;
      case 'action':
        return this.runAction(shared.action);
      default:
        return this.handle(message as PanelMessage<In>);
    }
  }

  /** This panel's own message module: a message that fails it is logged and dropped. */
  protected abstract parse(raw: unknown): In | undefined;

  /** Handles every other valid message, answering a request with its answer's fields; what it throws is shown through postError. */
  protected abstract handle(message: PanelMessage<In>): Promise<AnswerFields>;

  /** Logs `e` and shows it in the webview, as the answer to request `asked` if it came from one the page still awaits. */
  protected abstract postError(e: unknown, asked?: Asked): void;

  /** Runs the fix an error offered (its button in the webview). */
  private async runAction(action: ErrorAction): Promise<void> {
    switch (action) {
      case 'setApiKey':
        await vscode.commands.executeCommand('gptImageEdit.setApiKey');
        return;
      case 'openBilling':
        await vscode.env.openExternal(vscode.Uri.parse(BILLING_URL));
        return;
      case 'showLog':
        this.host.log.show();
        return;
      case 'retry':
        return this.retryAction();
    }
  }

  /** What the Retry an error offered does. */
  protected abstract retryAction(): Promise<void>;

  /** What the log says when a message fails its schema. */
  protected droppedMessageWarning(_raw: unknown): string {
    return `Dropped an invalid message from the ${this.label}.`;
  }

  /**
   * Records `files` as shown and lets the webview load only the extension's media/dist and their
   * folders.
   */
  protected showFiles(files: readonly vscode.Uri[]): void {
    for (const file of files) this.shown.add(file.toString());
    this.panel.webview.options = panelWebviewOptions(this.host.context.extensionUri, files);
  }

  /** A URI from the webview, accepted only if the host itself showed that file in this panel. */
  protected knownUri(uri: string): vscode.Uri {
    if (!this.shown.has(uri)) throw new Error(`The ${this.label} asked for a file it was never shown: ${uri.slice(0, 200)}`);
    return vscode.Uri.parse(uri, true);
  }

  protected post(message: Out): void {
    this.postedEmitter.fire(message);
    if (this.ready) void this.panel.webview.postMessage(message);
  }

  /** Disposes the panel's listeners (last added first), then the panel itself. */
  dispose(): void {
    // Work ending after this (a run's wait stops on abort) must not post to the disposed webview.
    this.ready = false;
    while (this.disposables.length) this.disposables.pop()?.dispose();
    this.panel.dispose();
  }
}
