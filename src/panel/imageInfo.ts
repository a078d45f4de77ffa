import * as vscode from 'vscode';
import { createHash } from 'crypto';
import type { ImageInfo } from '../shared/protocol';
import { readImageSize } from '../image/imageSize';
import { baseName } from '../image/outputNames';
import { runBatch } from '../batch/batchQueue';

/**
 * What the webview needs to show a file: a resource URI with a version query (so a changed file
 * reloads, as the built-in image preview does), its name and pixel size; and a signature of its
 * content, which tells whether a mask painted on it still fits.
 */
export async function readImage(webview: vscode.Webview, uri: vscode.Uri): Promise<{ info: ImageInfo; signature: string }> {
  const [bytes, stat] = await Promise.all([vscode.workspace.fs.readFile(uri), vscode.workspace.fs.stat(uri)]);
  const size = readImageSize(bytes);
  if (!size) {
    throw new Error(vscode.l10n.t('{0} is not a PNG, JPEG or WebP image that can be read.', baseName(uri)));
  }
  const src = webview.asWebviewUri(uri).with({ query: `version=${stat.mtime}` });
  const signature = createHash('sha256').update(bytes).digest('hex').slice(0, 32);
  return { info: { uri: uri.toString(), name: baseName(uri), src: src.toString(), ...size }, signature };
}

/** The webview's view of an image file. */
export async function imageInfo(webview: vscode.Webview, uri: vscode.Uri): Promise<ImageInfo> {
  return (await readImage(webview, uri)).info;
}

/** The webview's view of many image files, in order, reading at most `readsAtOnce` at a time; the first failure rejects. */
export async function imageInfos(webview: vscode.Webview, uris: readonly vscode.Uri[], readsAtOnce: number): Promise<ImageInfo[]> {
  const outcomes = await runBatch(uris, { concurrency: readsAtOnce, signal: new AbortController().signal, work: (uri) => imageInfo(webview, uri) });
  const failed = outcomes.find((o) => o.status !== 'succeeded');
  if (failed) throw failed.error;
  return outcomes.map((o) => o.result!);
}
