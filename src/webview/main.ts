/**
 * The panels' webview entry (one bundle for both): builds the edit page on the host's first `init`
 * or the batch page on `batchInit`, and routes every host message, validated against the protocol,
 * to it.
 */
import './parts/components';
import { parseToWebview } from '../shared/protocol';
import { BatchPanel } from './batch/batchPanel';
import { EditPanel } from './edit/editPage';
import { h } from './parts/dom';
import { setStrings, t } from './parts/strings';
import { settle } from './parts/requests';
import { post } from './parts/vscodeApi';

const root = document.getElementById('app')!;
root.replaceChildren(h('p', { class: 'loading' }, t('app.loading')));
let panel: EditPanel | undefined;
/** Batch mode ("Edit Each Image…") shares this bundle: its host sends `batchInit` instead of `init`. */
let batch: BatchPanel | undefined;

window.addEventListener('message', (event: MessageEvent) => {
  const message = parseToWebview(event.data);
  if (!message) {
    console.warn('Edit panel: dropped a message outside the protocol', event.data);
    return;
  }
  // An answer, or an error naming a request, settles that request; an answer to none is dropped.
  if ((message.type === 'answer' || message.type === 'error') && settle(message)) return;
  if (message.type === 'answer') {
    console.warn('Edit panel: dropped an answer to no request of this page', message.requestId);
    return;
  }
  if (message.type === 'batchInit') {
    setStrings(message.strings);
    batch ??= new BatchPanel(root, message);
  } else if (batch) {
    if (message.type === 'batchItem' || message.type === 'batchState' || message.type === 'error') batch.handle(message);
  } else if (message.type === 'error' && !panel) {
    // The host could not even show the image (not an image, unreadable): say so instead of "Loading…".
    root.replaceChildren(h('p', { id: 'error', class: 'error', role: 'alert' }, message.message));
  } else if (message.type === 'batchItem' || message.type === 'batchState') {
    console.warn('Edit panel: dropped a batch message', message.type);
  } else if (message.type !== 'init') panel?.handle(message);
  else if (panel) panel.apply(message);
  else {
    // Strings first: every part takes its texts as it is built.
    setStrings(message.strings);
    panel = new EditPanel(root, message);
  }
});

post({ type: 'ready' });
