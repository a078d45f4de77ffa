/**
 * The webview protocol, as one place to import from: the shared parts, each panel's messages, and
 * the union of both panels' (the one webview bundle serves both; tests observe either).
 */
import * as z from 'zod/mini';
import { ToBatchHost, ToBatchWebview } from './batchPanelMessages';
import { ToEditHost, ToEditWebview } from './editPanelMessages';
import { parseWith } from './messageParts';

export * from './messageParts';
export * from './editPanelMessages';
export * from './batchPanelMessages';

export const ToWebview = z.union([ToEditWebview, ToBatchWebview]);
export type ToWebview = ToEditWebview | ToBatchWebview;
export type ToHost = ToEditHost | ToBatchHost;

export const parseToWebview = (message: unknown): ToWebview | undefined => parseWith(ToWebview, message);
