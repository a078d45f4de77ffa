/**
 * The heavy part of the extension, required on first use by extension.ts: the Runflow client
 * (undici, zod), the edit panel and the edit job. Nothing here runs at activation.
 */
import * as vscode from 'vscode';
import type { Host } from './platform/host';
import { EditPanel } from './panel/editPanel';
import { BatchPanel } from './panel/batchPanel';
import { resolveEditTarget, resolveBatchTargets, isImageFile } from './panel/editTarget';
import { showError } from './platform/showError';
import { baseName } from './image/outputNames';
import { fetchResults, resumeInFlight as resumeRecorded } from './resume/recordedEdits';
import { reopenInPanel } from './panel/reopenInPanel';
import type { HeavyHistoryCommands } from './history/historyCommands';

export { setApiKey, clearApiKey } from './account/keyCommands';
export { prepareEditImage, invokeEditImage } from './agent/editImageTool';
export { testingApi } from './testingApi';

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

/** "Edit Each Image with GPT Image 2…": one prompt and one set of options, applied to each selected image. */
export async function editEachImage(host: Host, arg?: unknown, selection?: unknown): Promise<BatchPanel | undefined> {
  try {
    const images = await resolveBatchTargets(arg, selection);
    if (!images) return undefined;
    if (images.length === 0) {
      void host.notifier.show('error', vscode.l10n.t('Select PNG, JPEG or WebP images to edit each of them.'));
      return undefined;
    }
    return BatchPanel.createOrShow(host, images);
  } catch (e) {
    void showError(host, e);
    return undefined;
  }
}

export function revivePanel(host: Host, panel: vscode.WebviewPanel, state: unknown): void {
  EditPanel.revive(host, panel, state);
}

export function reviveBatchPanel(host: Host, panel: vscode.WebviewPanel, state: unknown): void {
  BatchPanel.revive(host, panel, state);
}

/** Settles the runs a reload, a crash or a closed panel left in flight; called on activation when there are any. */
export function resumeInFlight(host: Host): Promise<void> {
  return resumeRecorded(host);
}

/** The history view's actions that need the client or the panel. */
export function historyCommands(host: Host): HeavyHistoryCommands {
  return {
    reopenInPanel: (runId) => reopenInPanel(host, runId),
    fetchResults: (runId) => fetchResults(host, runId),
  };
}
