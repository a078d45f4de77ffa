import * as vscode from 'vscode';
import type { Host } from '../platform/host';
import { baseName } from '../image/outputNames';

/** Asked when an image's folder is read-only; through the notifier, so the question is reported like every other message. */
export async function askForFolder(host: Host, image: vscode.Uri): Promise<vscode.Uri | undefined> {
  const choose = vscode.l10n.t('Choose Folder…');
  const answer = await host.notifier.show(
    'warning',
    vscode.l10n.t('The folder of {0} is read-only. Save the edited images somewhere else?', baseName(image)),
    choose,
  );
  if (answer !== choose) return undefined;
  const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: vscode.l10n.t('Save Here') });
  return picked?.[0];
}
