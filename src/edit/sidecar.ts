import { EDIT_MODEL_ID, isFlagged, type Run } from '../runflow';
import type { EditOptions } from '../shared/options';

/** What `<output>.json` records: enough to trace and reproduce a result, never the key. */
export interface Sidecar {
  model: string;
  prompt: string;
  options: EditOptions;
  /** File names of the edited image, then the references. */
  inputs: string[];
  mask: boolean;
  /** 1-based, as the history numbers variants. */
  variant: number;
  runId: string;
  clientRef: string;
  /** Runflow flagged this output as possibly unsafe (its `nsfw_detected`). */
  nsfwDetected: boolean;
  seed: number | string | null;
  cost: string | null;
  createdAt: string | null;
  completedAt: string | null;
  durationMs: number | null;
}

/** The sidecar of variant `variant` of `run`, for an edit of `inputs` (file names). */
export function sidecarFor(
  edit: { prompt: string; options: EditOptions; inputs: string[]; masked: boolean; clientRef: string },
  run: Run,
  variant: number,
): Sidecar {
  return {
    model: EDIT_MODEL_ID,
    prompt: edit.prompt,
    options: edit.options,
    inputs: edit.inputs,
    mask: edit.masked,
    variant,
    runId: run.id,
    clientRef: edit.clientRef,
    nsfwDetected: isFlagged(run.output, variant - 1),
    seed: run.output?.seed ?? null,
    cost: run.cost ?? null,
    createdAt: run.createdAt ?? null,
    completedAt: run.completedAt ?? null,
    durationMs: run.durationMs ?? null,
  };
}
