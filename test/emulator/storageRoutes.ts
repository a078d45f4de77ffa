// The storage origin (a different host in production): presigned upload PUTs, asset files and
// signed output files. It speaks like an object store: XML errors, no API key.
import { Readable } from 'node:stream';
import { uploadPath, type AssetStore } from './assets';
import type { FaultBook } from './faults';
import { BodyTooLargeError, readBody, storageErrorReply, type Reply } from './http';
import { outputFileName } from './runJson';
import type { RunStore } from './runs';
import type { Handler, RequestContext } from './server';
import type { UrlSigner } from './signing';

export interface StorageDeps {
  assets: AssetStore;
  runs: RunStore;
  faults: FaultBook;
  signer: UrlSigner;
}

/** Size of the body the `output_body: 'oversize'` fault streams (generated lazily). */
export const OVERSIZE_BODY_BYTES = 256 * 1024 * 1024;

function oversizeStream(): Readable {
  const chunk = Buffer.alloc(64 * 1024, 0x41);
  let left = OVERSIZE_BODY_BYTES;
  return new Readable({
    read() {
      const n = Math.min(left, chunk.length);
      left -= n;
      this.push(n > 0 ? chunk.subarray(0, n) : null);
    },
  });
}

function signatureProblem(ctx: RequestContext, path: string, signer: UrlSigner): Reply | undefined {
  const check = signer.check(path, ctx.url.searchParams);
  if (check === 'expired') return storageErrorReply(403, 'AccessDenied', 'Request has expired');
  if (check === 'invalid')
    return storageErrorReply(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
  return undefined;
}

export function storageHandler(deps: StorageDeps): Handler {
  async function putUpload(ctx: RequestContext, id: string): Promise<Reply> {
    const injected = deps.faults.takeUploadPutStatus();
    if (injected) return storageErrorReply(injected.status, 'InjectedFault', `Injected status ${injected.status}`);
    // The presigned URL is the credential; a second auth mechanism is refused, as S3 does.
    if (ctx.headers.authorization !== undefined) {
      return storageErrorReply(
        400,
        'InvalidArgument',
        'Only one auth mechanism allowed; the presigned URL already carries credentials, do not send an Authorization header.',
      );
    }
    const problem = signatureProblem(ctx, uploadPath(id), deps.signer);
    if (problem) return problem;
    const upload = deps.assets.upload(id);
    if (!upload) return storageErrorReply(404, 'NoSuchUpload', 'The upload does not exist.');
    const contentType = ctx.headers['content-type'];
    if (contentType !== upload.mimeType) {
      return storageErrorReply(400, 'InvalidContentType', `Content-Type must be ${upload.mimeType} as declared, got ${contentType ?? 'none'}.`);
    }
    let data: Buffer;
    try {
      data = await readBody(ctx.req, upload.sizeBytes);
    } catch (err) {
      if (err instanceof BodyTooLargeError) return storageErrorReply(400, 'EntityTooLarge', `The body is larger than the declared ${upload.sizeBytes} bytes.`);
      throw err;
    }
    if (data.length !== upload.sizeBytes) {
      return storageErrorReply(400, 'IncompleteBody', `The body has ${data.length} bytes; ${upload.sizeBytes} were declared.`);
    }
    upload.data = data;
    return { status: 200, headers: { etag: `"${upload.id}"` } };
  }

  function getAsset(ctx: RequestContext, id: string): Reply {
    const problem = signatureProblem(ctx, ctx.url.pathname, deps.signer);
    if (problem) return problem;
    const asset = deps.assets.asset(id);
    if (!asset) return storageErrorReply(404, 'NoSuchKey', 'The specified key does not exist.');
    return { status: 200, headers: { 'content-type': asset.mimeType }, body: asset.data };
  }

  function getOutput(ctx: RequestContext, runId: string, fileName: string): Reply {
    if (deps.faults.areOutputsExpired()) return storageErrorReply(403, 'AccessDenied', 'Request has expired');
    const problem = signatureProblem(ctx, ctx.url.pathname, deps.signer);
    if (problem) return { ...problem, runId };
    const run = deps.runs.get(runId);
    const index = run ? run.outputs.findIndex((img, i) => outputFileName(run, img, i) === fileName) : -1;
    if (!run || index < 0) return { ...storageErrorReply(404, 'NoSuchKey', 'The specified key does not exist.'), runId };
    const image = run.outputs[index];
    const junk = deps.faults.takeOutputBody();
    const headers = { 'content-type': image.contentType };
    if (junk?.body === 'not_image') return { status: 200, headers, body: '<html><body>Service temporarily unavailable</body></html>', runId };
    if (junk?.body === 'oversize') {
      return { status: 200, headers: { ...headers, 'content-length': String(OVERSIZE_BODY_BYTES) }, body: oversizeStream(), runId };
    }
    return { status: 200, headers, body: image.data, runId };
  }

  return async (ctx) => {
    const path = ctx.url.pathname;
    let m: RegExpExecArray | null;
    if (ctx.method === 'PUT' && (m = /^\/uploads\/([^/]+)$/.exec(path))) return putUpload(ctx, m[1]);
    if (ctx.method === 'GET' && (m = /^\/assets\/([^/]+)\/[^/]+$/.exec(path))) return getAsset(ctx, m[1]);
    if (ctx.method === 'GET' && (m = /^\/outputs\/([^/]+)\/([^/]+)$/.exec(path))) return getOutput(ctx, m[1], m[2]);
    return storageErrorReply(404, 'NoSuchKey', 'The specified key does not exist.');
  };
}
