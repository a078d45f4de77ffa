import type { ToHost } from '../../shared/protocol';

/** The part of the webview API VS Code injects that the panel uses. */
interface VsCodeApi {
  postMessage(message: unknown): void;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** acquireVsCodeApi may be called only once per page, so the whole webview shares this one. */
const api = acquireVsCodeApi();

/** Posts a message to the host; typed so only messages of the protocol can be sent. */
export function post(message: ToHost): void {
  api.postMessage(message);
}

export function saveState(state: unknown): void {
  api.setState(state);
}
