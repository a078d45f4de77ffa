import * as vscode from 'vscode';
import { RunflowError, sniffImageType } from '../runflow';
import { readImageSize } from './imageSize';

/** PNG colour types 4 and 6 carry alpha; other types only with a tRNS chunk. */
export function hasAlphaChannel(png: Uint8Array): boolean {
  const colorType = png[25];
  return colorType === 4 || colorType === 6 || Buffer.from(png).includes('tRNS');
}

/**
 * Checks a mask against the image it applies to before anything is uploaded or billed: a PNG with
 * alpha, the image's exact size (OpenAI's convention; Runflow does not document a check of its own).
 * Throws a 'validation' RunflowError naming `mask_url`, like the API's own 422.
 */
export function checkMask(mask: Uint8Array, image: Uint8Array): void {
  const refuse = (message: string): never => {
    throw new RunflowError('validation', message, { fieldErrors: [{ field: 'mask_url', message }], retryable: false });
  };
  if (sniffImageType(mask) !== 'png') refuse(vscode.l10n.t('The mask is not a PNG. A mask must be a PNG with transparency where the image should change.'));
  if (!hasAlphaChannel(mask)) refuse(vscode.l10n.t('The mask has no alpha channel. A mask must be transparent where the image should change.'));
  const maskSize = readImageSize(mask);
  const imageSize = readImageSize(image);
  if (maskSize && imageSize && (maskSize.width !== imageSize.width || maskSize.height !== imageSize.height)) {
    refuse(
      vscode.l10n.t(
        'The mask is {0}×{1} but the image is {2}×{3}; a mask must be the same size as the image. Paint the mask again or pick a matching file.',
        maskSize.width, maskSize.height, imageSize.width, imageSize.height,
      ),
    );
  }
}
