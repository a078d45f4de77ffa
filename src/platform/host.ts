import type * as vscode from 'vscode';
import type { Clock } from './clock';
import type { ApiKeyStore } from './apiKeyStore';
import type { Log } from './log';
import type { Notifier } from './notify';
import type { RunHistory } from '../history/runHistory';

/**
 * The few long-lived objects created at activation, handed to everything that needs them. Its own
 * module, so nothing imports the entry file.
 */
export interface Host {
  readonly context: vscode.ExtensionContext;
  readonly log: Log;
  readonly notifier: Notifier;
  readonly keys: ApiKeyStore;
  readonly history: RunHistory;
  /** Later look-ups wait on it; test builds move it on by hand. */
  readonly clock: Clock;
}

export const EDIT_PANEL_VIEW_TYPE = 'gptImageEdit.editPanel';
export const BATCH_PANEL_VIEW_TYPE = 'gptImageEdit.batchPanel';
/** The agent tool's name, as `package.json` declares it under `contributes.languageModelTools`. */
export const EDIT_IMAGE_TOOL = 'gptImageEdit_editImage';
