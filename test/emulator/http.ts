// HTTP building blocks shared by both origins: replies, Runflow-shaped errors, body reading.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer | Readable;
  /** The run this request concerned, for the request log. */
  runId?: string;
}

export interface FieldError {
  field?: string;
  code: string;
  message: string;
}

/** A Runflow error answer: `{code, message, errors}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errors: FieldError[] | null = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  toReply(): Reply {
    const reply = jsonReply(this.status, { code: this.code, message: this.message, errors: this.errors });
    return { ...reply, headers: { ...reply.headers, ...this.headers } };
  }
}

export function validationError(errors: FieldError[]): ApiError {
  return new ApiError(422, 'VALIDATION_ERROR', errors.map((e) => e.message).join('; '), errors);
}

export function jsonReply(status: number, value: unknown, runId?: string): Reply {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value), runId };
}

/** Errors on the storage origin look like an object store's (XML), not like the API's. */
export function storageErrorReply(status: number, code: string, message: string): Reply {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
  return { status, headers: { 'content-type': 'application/xml' }, body };
}

export class BodyTooLargeError extends Error {}

/** Reads the whole request body; rejects with BodyTooLargeError past `limit` bytes. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.resume(); // discard the rest so the answer can still be read by the client
      throw new BodyTooLargeError(`body exceeds ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Lets the client finish sending before we answer, so it reads the answer instead of an EPIPE. */
export async function drain(req: IncomingMessage): Promise<void> {
  if (req.readableEnded || req.destroyed) return;
  req.resume();
  await new Promise<void>((resolve) => {
    req.once('end', resolve);
    req.once('close', resolve);
  });
}

export function sendReply(res: ServerResponse, reply: Reply): void {
  const { body } = reply;
  const headers = { ...reply.headers };
  if (typeof body === 'string' || Buffer.isBuffer(body)) headers['content-length'] = String(Buffer.byteLength(body));
  res.writeHead(reply.status, headers);
  if (body instanceof Readable) {
    body.on('error', () => res.destroy());
    res.on('close', () => body.destroy());
    body.pipe(res);
  } else {
    res.end(body);
  }
}

/** Lower-case header names with their values exactly as sent (repeats joined with ", "). */
export function verbatimHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i].toLowerCase();
    const value = req.rawHeaders[i + 1];
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  return headers;
}
