import * as vscode from 'vscode';
import { BILLING_URL, RunflowError } from '../runflow';
import { SecretStorageError } from './apiKeyStore';
import { redact } from './log';
import type { Host } from './host';

/** The words a user reads for any failure; never contains a key. */
export function userMessage(error: unknown): string {
  if (error instanceof RunflowError || error instanceof SecretStorageError) return redact(error.message);
  if (error instanceof Error) return redact(error.message);
  return redact(String(error));
}

/** Shows a failure with the action that fixes it (set the key again, open billing, show the log). */
export async function showError(host: Host, error: unknown): Promise<void> {
  const message = userMessage(error);
  host.log.write('error', message);
  const setKey = vscode.l10n.t('Set API Key…');
  const billing = vscode.l10n.t('Open Billing');
  const showLog = vscode.l10n.t('Show Log');
  const kind = error instanceof RunflowError ? error.kind : undefined;
  const actions = kind === 'unauthorized' ? [setKey] : kind === 'insufficient_credit' ? [billing] : [showLog];
  const choice = await host.notifier.show('error', message, ...actions);
  if (choice === setKey) await vscode.commands.executeCommand('gptImageEdit.setApiKey');
  else if (choice === billing) await vscode.env.openExternal(vscode.Uri.parse(BILLING_URL));
  else if (choice === showLog) host.log.show();
}
