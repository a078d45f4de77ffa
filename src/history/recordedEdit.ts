import * as vscode from 'vscode';
import type { Run } from '../runflow';
import { runEdit, EditCanceledError, type EditJobDeps, type EditRequest, type EditResult } from '../edit/editJob';
import type { RunFinisher } from './runFinisher';
import type { RunLease, RunRecord } from './runRecord';
import { afterError, asSaved, withOutput } from './recordChanges';

/**
 * `runEdit` with its run kept in the history: recorded before the first poll, each output as it
 * lands, then how it ended. A wait that stopped without the user asking (the panel closed) is
 * handed to the finisher, the same code that resumes runs after a reload.
 */
export async function runRecordedEdit(
  finisher: RunFinisher,
  request: EditRequest,
  deps: EditJobDeps,
  stoppedByUser: () => boolean,
): Promise<EditResult> {
  const { history, leases } = finisher;
  let runId: string | undefined;
  try {
    const result = await runEdit(request, {
      ...deps,
      onRunCreated: (run) => {
        runId = run.id;
        // The in-memory write happens now, before runEdit's first poll; the disk write follows.
        void history.put(newRecord(request, run, leases.hold(run.id)));
        deps.onRunCreated?.(run);
      },
      onSaved: (variant, output) => {
        if (runId) void history.update(runId, (r) => withOutput(r, variant, output));
        deps.onSaved?.(variant, output);
      },
    });
    // Settled before the claim goes, so no resume ever sees this run in flight without an owner.
    await history.update(result.runId, (r) => asSaved(r, result.cost));
    await leases.release(result.runId);
    return result;
  } catch (e) {
    if (runId) {
      const handOver = e instanceof EditCanceledError && !stoppedByUser();
      if (!handOver) await history.update(runId, (r) => afterError(r, e));
      await leases.release(runId);
      if (handOver) void finisher.resume(runId);
    }
    throw e;
  }
}

function newRecord(request: EditRequest, run: Run, lease: RunLease): RunRecord {
  return {
    runId: run.id,
    clientRef: run.clientRef,
    inputs: [request.image, ...request.references].map((u) => u.toString()),
    masked: request.mask !== undefined,
    prompt: request.prompt,
    options: request.options,
    outputFolder: vscode.Uri.joinPath(request.image, '..').toString(),
    status: 'inFlight',
    createdAt: Date.now(),
    cost: run.cost,
    outputs: [],
    lease,
  };
}
