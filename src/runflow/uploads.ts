import { RunflowError, errorFromResponse } from './errors';
import type { HttpTransport } from './http';
import { mimeOf, sniffImageType, type ImageType } from './imageType';
import { formatMb, INLINE_INPUT_LIMIT, MAX_INPUT_BYTES } from './limits';
import { retrying, retryTransient, retryUnbilled, type RetryContext } from './retry';
import { parseAsset, parseAssetUpload } from './schemas';

/** What an upload needs from the client. */
export interface UploadDeps {
  http: HttpTransport;
  retryContext: (signal?: AbortSignal) => RetryContext;
}

// A presigned PUT of up to 50 MiB on a slow uplink needs far longer than a JSON call.
const PUT_TIMEOUT_MS = 10 * 60 * 1000;

function fileBaseName(fileName: string, type: ImageType): string {
  const base = fileName.split(/[\\/]/).pop()?.trim() || 'image';
  return base.length > 200 ? `${base.slice(0, 190)}.${type}` : base;
}

/** Checks a local file can be a model input and returns its real type, before any request. */
function checkInput(bytes: Uint8Array, fileName: string): ImageType {
  const type = sniffImageType(bytes);
  const name = fileBaseName(fileName, 'png');
  if (!type) throw new RunflowError('not_an_image', `"${name}" is not a PNG, JPEG or WebP image, so it cannot be edited.`);
  if (bytes.length > MAX_INPUT_BYTES) {
    throw new RunflowError(
      'too_large',
      `"${name}" is ${formatMb(bytes.length)}; Runflow accepts input images up to ${formatMb(MAX_INPUT_BYTES)}. Use a smaller or downscaled copy.`,
    );
  }
  return type;
}

/** A `data:` URI of the bytes, for inputs small enough to travel inline. */
function toDataUri(bytes: Uint8Array, type: ImageType): string {
  return `data:${mimeOf(type)};base64,${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')}`;
}

/** How an uploaded asset is named as a model input: `runflow://assets/{id}`. */
export const ASSET_REF_PREFIX = 'runflow://assets/';

/** The asset id of a `runflow://assets/{id}` input; undefined for any other URL. */
export const assetIdOf = (url: string): string | undefined => (url.startsWith(ASSET_REF_PREFIX) ? url.slice(ASSET_REF_PREFIX.length) : undefined);

/**
 * A model input for local image bytes. `url` is what to send: a `data:` URI under 1 MiB, else the
 * uploaded asset's `runflow://assets/{id}` reference (resolved at dispatch, never expires), as
 * Runflow's SDK recommends. `signedUrl` is the asset's short-lived signed link, for an API that
 * refuses the reference (422).
 */
export interface ModelInput {
  url: string;
  signedUrl?: string;
}

/** A model input for local image bytes: inline under 1 MiB, else through Runflow's asset upload. */
export async function toInputUrl(deps: UploadDeps, bytes: Uint8Array, fileName: string, signal?: AbortSignal): Promise<ModelInput> {
  const type = checkInput(bytes, fileName);
  if (bytes.length < INLINE_INPUT_LIMIT) return { url: toDataUri(bytes, type) };
  const name = fileBaseName(fileName, type);
  try {
    return await uploadAsset(deps, bytes, name, type, signal);
  } catch (err) {
    // Presigned URLs expire; one fresh upload slot is worth a try before giving up.
    if (!(err instanceof UploadUrlExpired)) throw err;
    deps.http.log('info', 'The upload link expired before the upload finished; starting the upload again.');
    try {
      return await uploadAsset(deps, bytes, name, type, signal);
    } catch (again) {
      if (again instanceof UploadUrlExpired) {
        throw new RunflowError('forbidden', 'Runflow refused the image upload (the upload link was rejected twice). Try again.', { status: 403 });
      }
      throw again;
    }
  }
}

class UploadUrlExpired extends Error {}

async function uploadAsset(deps: UploadDeps, bytes: Uint8Array, name: string, type: ImageType, signal?: AbortSignal): Promise<ModelInput> {
  const { http } = deps;
  const mime = mimeOf(type);
  // Creating or confirming an upload slot bills nothing, but these are still POSTs: repeat them
  // only on answers that say the server did not finish them.
  const slot = await http.api({
    method: 'POST',
    path: 'v1/asset-uploads',
    json: { filename: name, mime_type: mime, size_bytes: bytes.length },
    signal,
    shouldRetry: retryUnbilled,
    parse: parseAssetUpload,
    what: 'the upload request',
  });
  const uploadUrl = http.requireStorageUrl(slot.uploadUrl, 'upload link from Runflow');
  await retrying(
    async () => {
      const answer = await http.exchange(
        { method: 'PUT', url: uploadUrl, auth: false, headers: { 'content-type': mime }, body: bytes, signal, timeoutMs: PUT_TIMEOUT_MS },
        'the upload storage',
      );
      if (answer.status === 403) throw new UploadUrlExpired();
      if (answer.status < 200 || answer.status >= 300) {
        throw errorFromResponse(answer.status, answer.text, answer.headers.get('retry-after'), (t) => http.redact(t));
      }
    },
    retryTransient,
    deps.retryContext(signal),
  );
  const asset = await http.api({
    method: 'POST',
    path: `v1/asset-uploads/${encodeURIComponent(slot.assetId)}/confirmations`,
    json: {},
    signal,
    shouldRetry: retryUnbilled,
    parse: parseAsset,
    what: 'the upload confirmation',
  });
  return { url: `${ASSET_REF_PREFIX}${asset.id}`, ...(asset.url ? { signedUrl: asset.url } : {}) };
}
