/**
 * The heavy part of the extension, required on first use by extension.ts: the Runflow client
 * (undici, zod), the edit panel and the edit job. Nothing here runs at activation.
 */
import * as vscode from 'vscode';
import type { Host } from './extension';
import { EditPanel } from './panel/editPanel';
import { resolveEditTarget, isImageFile } from './editTarget';
import { showError } from './showError';
import { baseName } from './edit/editJob';

export { setApiKey, clearApiKey } from './keyCommands';

/** "Edit Image with GPT Image 2…": opens (or reveals) the edit panel beside the image. */
export async function editImage(host: Host, arg?: unknown, selection?: unknown): Promise<EditPanel | undefined> {
  try {
    const target = await resolveEditTarget(arg, selection);
    if (!target) return undefined;
    if (!isImageFile(target.image)) {
      void host.notifier.show('error', vscode.l10n.t('{0} is not a PNG, JPEG or WebP image.', baseName(target.image)));
      return undefined;
    }
    return EditPanel.createOrShow(host, target.image, target.references);
  } catch (e) {
    void showError(host, e);
    return undefined;
  }
}

export function revivePanel(host: Host, panel: vscode.WebviewPanel, state: unknown): void {
  EditPanel.revive(host, panel, state);
}

/** The open panel for an image, for tests that drive the host side without the DOM. */
export function panelFor(image: vscode.Uri): EditPanel | undefined {
  return EditPanel.find(image);
}
