import * as vscode from 'vscode';
import { RunflowError } from '../runflow';
import { EditCanceledError } from '../edit/editJob';
import { userMessage } from '../showError';
import type { RunRecord } from './runRecord';

/** The record with one more output saved; the folder follows where outputs really went. */
export function withOutput(record: RunRecord, variant: number, output: vscode.Uri): RunRecord {
  const outputs = [...record.outputs.filter((o) => o.variant !== variant), { variant, uri: output.toString() }];
  return {
    ...record,
    outputs: outputs.sort((a, b) => a.variant - b.variant),
    outputFolder: vscode.Uri.joinPath(output, '..').toString(),
  };
}

/** The record once every output the run returned is saved. */
export function asSaved(record: RunRecord, cost: string | undefined): RunRecord {
  const missing = record.options.numImages - record.outputs.length;
  return {
    ...record,
    status: 'saved',
    cost: cost ?? record.cost,
    message: missing > 0 ? vscode.l10n.t('The model did not return {0} of the requested images.', missing) : undefined,
  };
}

/** The record after its wait, download or save ended with `error`. */
export function afterError(record: RunRecord, error: unknown): RunRecord {
  if (error instanceof EditCanceledError) return { ...record, status: 'stoppedWaiting', message: error.message };
  const failed = error instanceof RunflowError && (error.kind === 'run_failed' || error.kind === 'run_canceled');
  return { ...record, status: failed ? 'failed' : 'notSaved', message: userMessage(error) };
}
