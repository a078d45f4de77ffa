import * as vscode from 'vscode';
import type { Host } from '../platform/host';
import { EditPanel } from './editPanel';
import { baseName } from '../image/outputNames';

/** "Re-open in Edit Panel": the run's image and references, with its prompt and options filled in (not its mask). */
export async function reopenInPanel(host: Host, runId: string): Promise<EditPanel | undefined> {
  const record = await host.history.find(runId);
  if (!record) return undefined;
  const [image, ...references] = record.inputs.map((u) => vscode.Uri.parse(u));
  try {
    await vscode.workspace.fs.stat(image);
  } catch {
    void host.notifier.show('error', vscode.l10n.t('{0} no longer exists, so the edit cannot be re-opened.', baseName(image)));
    return undefined;
  }
  return EditPanel.createOrShow(host, image, references, { prompt: record.prompt, options: record.options });
}
