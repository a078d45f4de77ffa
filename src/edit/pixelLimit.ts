import * as vscode from 'vscode';
import { MAX_INPUT_PIXELS, readImageSize } from '../image/imageSize';

/**
 * Why an image is too large for the editor, read from its header so nothing is decoded; undefined
 * when it is within MAX_INPUT_PIXELS (or the header is unreadable, which the decoder then reports).
 */
export function pixelLimitMessage(name: string, bytes: Uint8Array): string | undefined {
  const size = readImageSize(bytes);
  if (!size || size.width * size.height <= MAX_INPUT_PIXELS) return undefined;
  const megapixels = ((size.width * size.height) / 1_000_000).toFixed(1);
  return vscode.l10n.t('{0} is {1} MP; the editor handles up to {2} MP.', name, megapixels, MAX_INPUT_PIXELS / 1_000_000);
}
