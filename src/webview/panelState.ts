import { PanelState } from '../shared/protocol';
import { getSavedState, saveState } from './vscodeApi';

/**
 * The panel's persisted state. Saved with setState on every change, so the panel comes back as it
 * was after being hidden or after a window reload (the host's serializer revives it from this).
 */
let current: PanelState | undefined = readSaved();

function readSaved(): PanelState | undefined {
  const parsed = PanelState.safeParse(getSavedState());
  return parsed.success ? parsed.data : undefined;
}

/** The state saved before this page loaded (or since), if it was valid. */
export function savedState(): PanelState | undefined {
  return current;
}

/** Replaces the state wholesale, for a new input image (`init`). */
export function resetState(state: PanelState): void {
  current = state;
  saveState(current);
}

/** Merges `patch` into the state and saves it; ignored before the first `init` sets the image. */
export function updateState(patch: Partial<PanelState>): void {
  if (!current) return;
  current = { ...current, ...patch };
  saveState(current);
}
