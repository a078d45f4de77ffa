import * as vscode from 'vscode';
import { sniffImageType } from '../runflow';
import { baseName } from '../edit/outputNames';
import { hasAlphaChannel } from '../edit/mask';

/** A mask file as a data: URI for the webview, which checks its size against the image. */
export async function readMaskFile(uri: vscode.Uri): Promise<{ dataUri: string; name: string }> {
  const bytes = await vscode.workspace.fs.readFile(uri);
  if (sniffImageType(bytes) !== 'png') {
    throw new Error(vscode.l10n.t('{0} is not a PNG. A mask must be a PNG with transparency where the image should change.', baseName(uri)));
  }
  if (!hasAlphaChannel(bytes)) {
    throw new Error(vscode.l10n.t('{0} has no alpha channel. A mask must be transparent where the image should change.', baseName(uri)));
  }
  return { dataUri: `data:image/png;base64,${Buffer.from(bytes).toString('base64')}`, name: baseName(uri) };
}
