import type { BatchPanelState, PanelState } from '../../shared/protocol';
import { saveState } from './vscodeApi';

/**
 * What the webview keeps with setState: only which image the panel is for, so that VS Code can
 * hand it to the host's serializer after a window reload. Everything the panel shows is the
 * host's and comes back with `init`.
 */
export function rememberImage(imageUri: string): void {
  saveState({ imageUri } satisfies PanelState);
}

/** The batch panel's counterpart: which images it edits. */
export function rememberBatch(imageUris: string[]): void {
  saveState({ batchImages: imageUris } satisfies BatchPanelState);
}
