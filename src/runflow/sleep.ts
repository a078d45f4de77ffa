import { RunflowError } from './errors';

/** The error for a user abort. */
export function abortedError(): RunflowError {
  return new RunflowError('aborted', 'The request was canceled.');
}

/** Waits `ms`, rejecting with an 'aborted' RunflowError the moment `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortedError());
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortedError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
