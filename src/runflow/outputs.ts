import { RunflowError, errorFromResponse } from './errors';
import { MAX_ERROR_BODY_BYTES, linkedSignal, readBody, transportError, type HttpTransport } from './http';
import { sniffImageType, type ImageType } from './imageType';
import { DEFAULT_MAX_OUTPUT_BYTES, formatMb } from './limits';
import { retrying, retryTransient, type RetryContext } from './retry';
import type { RunOutput } from './schemas';
import { requireSafeRedirect } from './urls';

/** Options of `fetchOutput`. */
export interface FetchOutputOptions {
  signal?: AbortSignal;
  /** Refuse larger files (default 60 MiB). */
  maxBytes?: number;
  /** Limit for the whole download including retries (default 2 minutes). */
  timeoutMs?: number;
}

/** What a download needs from the client. */
export interface OutputDeps {
  http: HttpTransport;
  retryContext: (signal?: AbortSignal, deadline?: number) => RetryContext;
}

const DEFAULT_TIMEOUT_MS = 2 * 60 * 1000;
const MAX_REDIRECTS = 5;

function tooLarge(maxBytes: number): RunflowError {
  return new RunflowError('too_large', `The result image is larger than ${formatMb(maxBytes)}, so it was not downloaded.`);
}

function checkedImage(bytes: Uint8Array): { bytes: Uint8Array; type: ImageType } {
  const type = sniffImageType(bytes);
  if (!type) throw new RunflowError('not_an_image', 'The result file from Runflow is not a PNG, JPEG or WebP image, so it was not saved.');
  return { bytes, type };
}

/** Decodes a `data:` URI (sync_mode outputs), checking size before decoding. */
function decodeDataUri(uri: string, maxBytes: number): Uint8Array {
  const comma = uri.indexOf(',');
  if (comma < 0) throw new RunflowError('bad_response', 'Runflow returned a result data URI that cannot be read.');
  const meta = uri.slice(5, comma);
  const payload = uri.slice(comma + 1);
  const base64 = /;base64$/i.test(meta);
  if ((base64 ? Math.floor((payload.length * 3) / 4) : payload.length) > maxBytes) throw tooLarge(maxBytes);
  return base64 ? new Uint8Array(Buffer.from(payload, 'base64')) : new Uint8Array(Buffer.from(decodeURIComponent(payload), 'latin1'));
}

/** One download attempt, following redirects only to URLs that pass the same security check. */
async function downloadOnce(http: HttpTransport, start: URL, maxBytes: number, signal: AbortSignal | undefined, deadline: number): Promise<Uint8Array> {
  const link = linkedSignal(signal, deadline - Date.now());
  try {
    let url = start;
    for (let hop = 0; ; hop++) {
      const response = await http.open({ method: 'GET', url, auth: false, signal: link.signal }, 'the result storage', link.timedOut);
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        await response.body?.cancel().catch(() => undefined);
        if (hop >= MAX_REDIRECTS) throw new RunflowError('bad_response', 'The result link redirected too many times.');
        url = requireSafeRedirect(url, location, 'result link');
        continue;
      }
      if (response.status === 403 || response.status === 404 || response.status === 410) {
        await response.body?.cancel().catch(() => undefined);
        throw new RunflowError('expired_output', 'Runflow no longer serves this result link (its signed links have a limited life).', {
          status: response.status,
        });
      }
      if (response.status < 200 || response.status >= 300) {
        const text = new TextDecoder().decode(await readBody(response, MAX_ERROR_BODY_BYTES, true).catch(() => new Uint8Array(0)));
        throw errorFromResponse(response.status, text, response.headers.get('retry-after'), (t) => http.redact(t));
      }
      return await readBody(response, maxBytes).catch((err: unknown) => {
        throw err instanceof RunflowError && err.kind === 'too_large' ? tooLarge(maxBytes) : err;
      });
    }
  } catch (err) {
    if (err instanceof RunflowError) throw err;
    throw transportError(err, signal, link.timedOut(), 'the result storage', (t) => http.redact(t));
  } finally {
    link.dispose();
  }
}

/** Downloads one output image (https, loopback http or data: URI), size-capped and type-checked, without the API key. */
export async function fetchOutput(deps: OutputDeps, output: RunOutput, opts: FetchOutputOptions = {}): Promise<{ bytes: Uint8Array; type: ImageType }> {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  if (/^data:/i.test(output.url)) return checkedImage(decodeDataUri(output.url, maxBytes));
  const url = deps.http.requireStorageUrl(output.url, 'result link');
  const deadline = Date.now() + (opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const bytes = await retrying(() => downloadOnce(deps.http, url, maxBytes, opts.signal, deadline), retryTransient, deps.retryContext(opts.signal, deadline));
  return checkedImage(bytes);
}
