import * as vscode from 'vscode';
import { estimateCost, formatUsd } from '../shared/cost';

/** What a batch is estimated to cost before it starts. */
export interface BatchCostQuestion {
  /** The words shown in the confirmation, the estimate included. */
  message: string;
  totalUsd: number;
}

/** Resolves true when the user agrees to spend the estimate. */
export type BatchCostConfirmation = (question: BatchCostQuestion) => Promise<boolean>;

export function batchCostQuestion(pricePerImage: number, imageCount: number, numImages: number): BatchCostQuestion {
  // The panel's estimate, for every image's outputs.
  const totalUsd = estimateCost(pricePerImage, imageCount * numImages);
  return {
    totalUsd,
    message:
      numImages === 1
        ? vscode.l10n.t('Edit {0} images for about {1}? ({0} images × 1 output × {2})', imageCount, formatUsd(totalUsd), formatUsd(pricePerImage))
        : vscode.l10n.t('Edit {0} images for about {1}? ({0} images × {2} outputs × {3})', imageCount, formatUsd(totalUsd), numImages, formatUsd(pricePerImage)),
  };
}

const askWithModal: BatchCostConfirmation = async (question) => {
  const run = vscode.l10n.t('Run Batch');
  const answer = await vscode.window.showWarningMessage(
    question.message,
    { modal: true, detail: vscode.l10n.t('Each output image is billed, and a run still bills if you cancel while it runs.') },
    run,
  );
  return answer === run;
};

let confirmation: BatchCostConfirmation = askWithModal;

/** Asks (modally) before an expensive batch. */
export function confirmBatchCost(question: BatchCostQuestion): Promise<boolean> {
  return confirmation(question);
}

/**
 * Tests cannot answer a modal dialog from the extension host, so the test exports swap the
 * question for a function of theirs; undefined restores the modal.
 */
export function replaceBatchCostConfirmation(replacement: BatchCostConfirmation | undefined): void {
  confirmation = replacement ?? askWithModal;
}
