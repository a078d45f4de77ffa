import * as vscode from 'vscode';
import { estimateCost, formatUsd } from '../shared/cost';
import { askModal } from '../platform/modalQuestion';

/** What a batch is estimated to cost before it starts. */
export interface BatchCostQuestion {
  /** The words shown in the confirmation, the estimate included. */
  message: string;
  totalUsd: number;
}

export function batchCostQuestion(pricePerImage: number, imageCount: number, numImages: number): BatchCostQuestion {
  // The panel's estimate, for every image's outputs.
  const totalUsd = estimateCost(pricePerImage, imageCount * numImages);
  return {
    totalUsd,
    message:
      numImages === 1
        ? vscode.l10n.t('Edit {0} images for about {1}? ({0} images × 1 output × {2})', imageCount, formatUsd(totalUsd), formatUsd(pricePerImage))
        : vscode.l10n.t(
            'Edit {0} images for about {1}? ({0} images × {2} outputs × {3})',
            imageCount,
            formatUsd(totalUsd),
            numImages,
            formatUsd(pricePerImage),
          ),
  };
}

/** Asks (modally) before an expensive batch; resolves true when the user agrees to spend the estimate. */
export function confirmBatchCost(question: BatchCostQuestion): Promise<boolean> {
  return askModal({
    kind: 'batchCost',
    message: question.message,
    detail: vscode.l10n.t('Each output image is billed, and a run still bills if you cancel while it runs.'),
    confirm: vscode.l10n.t('Run Batch'),
  });
}
