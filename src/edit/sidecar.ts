import { EDIT_MODEL_ID, isFlagged, type Run } from '../runflow';
import type { EditOptions } from '../shared/options';
import type { SidecarResult } from './resultFinisher';

/** What `<output>.json` records: enough to trace and reproduce a result, never the key. */
export interface Sidecar {
  model: string;
  prompt: string;
  options: EditOptions;
  /** File names of the edited image, then the references. */
  inputs: string[];
  /** SHA-256 of the original as it was sent (hex), when recorded. */
  originalSha256?: string;
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
  /** How the model's output became this file (its raw size, compositing, the measurement); absent when saved as it came. */
  result?: SidecarResult;
}

/** The sidecar of variant `variant` of `run`, for an edit of `inputs` (file names). */
export function sidecarFor(
  edit: { prompt: string; options: EditOptions; inputs: string[]; masked: boolean; clientRef: string; originalSha256?: string },
  run: Run,
  variant: number,
  result?: SidecarResult,
): Sidecar {
  return {
    model: EDIT_MODEL_ID,
    prompt: edit.prompt,
    options: edit.options,
    inputs: edit.inputs,
    ...(edit.originalSha256 ? { originalSha256: edit.originalSha256 } : {}),
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
    ...(result ? { result } : {}),
  };
}
