/**
 * Requests the page awaits, paired with the host's answers: each gets an id, and the promise it
 * returns resolves with the host's answer or rejects with the host's error for that id. The ids
 * are this page's: a reloaded page starts again, and the host answers no request of a page before.
 */
import type * as z from 'zod/mini';
import type { EditAnswers } from '../../shared/editPanelMessages';
import type { AnswerMessage, ErrorAction, ErrorMessage, ToHost } from '../../shared/protocol';
import { post } from './vscodeApi';

/** Both panels' requests (the batch page sends only the shared ones). */
type Answers = typeof EditAnswers;
type RequestName = keyof Answers & string;
type RequestOf<K extends RequestName> = Omit<Extract<ToHost, { type: K }>, 'requestId'>;
export type AnswerOf<K extends RequestName> = z.infer<Answers[K]>;

/** The host's error for a request: its message, its fix and the fields it names. */
export class RequestError extends Error {
  readonly action: ErrorAction | undefined;
  readonly fields: string[];

  constructor(error: ErrorMessage) {
    super(error.message);
    this.action = error.action;
    this.fields = error.fields;
  }
}

interface Pending {
  resolve(answer: unknown): void;
  reject(error: RequestError): void;
}

const pending = new Map<number, Pending>();
let nextId = 1;

/** Posts `message` as a request; its promise settles with the host's answer or error. */
export function request<K extends RequestName>(message: RequestOf<K> & { type: K }): Promise<AnswerOf<K>> {
  const requestId = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(requestId, { resolve: resolve as (answer: unknown) => void, reject });
    post({ ...message, requestId } as ToHost);
  });
}

/** Settles the request `message` answers; false when it answers none of this page's (an error of the panel's own). */
export function settle(message: AnswerMessage<Answers> | ErrorMessage): boolean {
  const waiting = message.requestId === undefined ? undefined : pending.get(message.requestId);
  if (!waiting) return false;
  pending.delete(message.requestId!);
  if (message.type === 'error') waiting.reject(new RequestError(message));
  else waiting.resolve(message);
  return true;
}
