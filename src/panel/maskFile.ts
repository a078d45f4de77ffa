import * as vscode from 'vscode';
import { sniffImageType } from '../runflow';
import { baseName, maskFileName, stemOf } from '../image/outputNames';
import { saveNewFile } from '../edit/saver';

/**
 * A mask file as a data: URI for the webview, which reads it in either convention (transparent =
 * edit, or on an opaque file white = edit) and scales one of another size to the image's.
 */
export async function readMaskFile(uri: vscode.Uri): Promise<{ dataUri: string; name: string }> {
  const bytes = await vscode.workspace.fs.readFile(uri);
  const type = sniffImageType(bytes);
  if (!type) {
    throw new Error(
      vscode.l10n.t('{0} is not a PNG, JPEG or WebP image. A mask is an image: transparent, or white on black, where the image should change.', baseName(uri)),
    );
  }
  return { dataUri: `data:image/${type};base64,${Buffer.from(bytes).toString('base64')}`, name: baseName(uri) };
}

/** Writes a mask the panel exported beside `image` as `<stem>.mask.png` (never over a file); returns its name. */
export async function exportMaskFile(image: vscode.Uri, png: Uint8Array): Promise<string> {
  if (sniffImageType(png) !== 'png') throw new Error(vscode.l10n.t('The mask could not be exported: the panel sent no PNG image.'));
  const stem = stemOf(baseName(image));
  return baseName(await saveNewFile(vscode.Uri.joinPath(image, '..'), (n) => maskFileName(stem, n), png));
}
