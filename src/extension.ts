import * as vscode from 'vscode';
import { ApiKeyStore } from './platform/apiKeyStore';
import { Log } from './platform/log';
import { Notifier, type ShownMessage } from './platform/notify';
import type * as Main from './main';
import type { TestingApi } from './testingApi';
import { RunHistory } from './history/runHistory';
import { registerHistory } from './history/historyCommands';
import type { Host } from './platform/host';
import { MANUAL_CLOCK_ENV, ManualClock, systemClock } from './platform/clock';
import { registerKeyCommands } from './account/registerKeyCommands';
import { registerBatchPanel, registerEditPanel } from './panel/registerPanels';
import { registerAgentTool } from './agent/registerAgentTool';

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
  // The integration tests' extension host (never a production build) moves later look-ups on by hand.
  const manual = context.extensionMode !== vscode.ExtensionMode.Production && process.env[MANUAL_CLOCK_ENV] === '1';
  const clock = manual ? new ManualClock() : systemClock;
  const host: Host = { context, log, notifier, keys, history, clock };
  context.subscriptions.push(
    log,
    notifier,
    history,
    // Each feature registers itself; what it runs loads with main.js on first use.
    ...registerHistory(history, () => loadMain().historyCommands(host)),
    ...registerKeyCommands(host, loadMain),
    ...registerEditPanel(host, loadMain),
    ...registerBatchPanel(host, loadMain),
    ...registerAgentTool(host, loadMain),
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
