// One listening origin (API or storage): logs each request, applies request faults and latency
// around the route handler, and closes every socket on close() so a test process can exit.
import { createServer, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ErrorShape, FaultBook, RequestFault } from './faults';
import { drain, sendReply, verbatimHeaders, type Reply } from './http';
import type { RequestLog } from './requestLog';
import type { Origin } from './types';

export interface RequestContext {
  req: IncomingMessage;
  method: string;
  url: URL;
  headers: Record<string, string>;
}

export type Handler = (ctx: RequestContext) => Promise<Reply>;

export interface OriginServerOptions {
  origin: Origin;
  host: string;
  port: number;
  handle: Handler;
  /** Test-control routes: no log, no faults, no latency. */
  admin?: { prefix: string; handle: Handler };
  latencyMs: number;
  faults: FaultBook;
  log: RequestLog;
  /** Makes the idempotency store forget a key (a fault's `forgetsKey`). */
  forgetIdempotencyKey?: (key: string) => void;
}

export interface OriginServer {
  readonly url: string;
  close(): Promise<void>;
}

const DEFAULT_FAULT_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  402: 'INSUFFICIENT_CREDIT',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  422: 'VALIDATION_ERROR',
  429: 'RATE_LIMITED',
  503: 'MODEL_UNAVAILABLE',
};

/** An API error answer (`{code, message, errors}`) in `shape`; any other answer as it is. */
function shapedError(reply: Reply, shape: ErrorShape): Reply {
  if (shape === 'flat' || reply.status < 400 || (typeof reply.body !== 'string' && !Buffer.isBuffer(reply.body))) return reply;
  let error: { code?: string; message?: string; errors?: { field?: string; code?: string; message: string }[] | null };
  try {
    error = JSON.parse(String(reply.body));
  } catch {
    return reply;
  }
  if (typeof error?.message !== 'string') return reply;
  const detail = error.errors?.length
    ? error.errors.map((e) => ({ loc: ['body', ...(e.field ?? '').split('.').filter(Boolean)], msg: e.message, type: e.code ?? 'value_error' }))
    : error.message;
  return { ...reply, body: JSON.stringify(shape === 'nested' ? { error } : { detail }) };
}

/** The answer a fault gives instead of the handler's, if it is that kind of fault. */
function cannedReply(fault: RequestFault): Reply | undefined {
  switch (fault.kind) {
    case 'status': {
      const code = fault.code ?? DEFAULT_FAULT_CODES[fault.status] ?? (fault.status >= 500 ? 'INTERNAL_ERROR' : 'ERROR');
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (fault.retryAfterSec !== undefined) headers['retry-after'] = String(fault.retryAfterSec);
      const body = JSON.stringify({ code, message: fault.message ?? `Injected ${fault.status}`, errors: null });
      return { status: fault.status, headers, body };
    }
    case 'malformed_json':
      return { status: 200, headers: { 'content-type': 'application/json' }, body: '{"id":"3f6c1e0a-8d2b-4c1e-9f3a-1b2c3d4e5f60","status_code":"que' };
    case 'non_json_error':
      return { status: fault.status, headers: { 'content-type': 'text/html; charset=utf-8' }, body: fault.body };
    default:
      return undefined;
  }
}

export async function startOriginServer(opts: OriginServerOptions): Promise<OriginServer> {
  const sockets = new Set<Socket>();
  // Aborted on close so pending delays do not keep the process alive.
  const closing = new AbortController();

  async function wait(ms: number): Promise<boolean> {
    if (ms <= 0) return true;
    try {
      await sleep(ms, undefined, { signal: closing.signal });
      return true;
    } catch {
      return false;
    }
  }

  async function onRequest(req: IncomingMessage, ctx: RequestContext): Promise<Reply | undefined> {
    const path = ctx.url.pathname;
    if (opts.admin && path.startsWith(opts.admin.prefix)) return opts.admin.handle(ctx);

    const entry = opts.log.record({
      origin: opts.origin,
      method: ctx.method,
      path,
      query: Object.fromEntries(ctx.url.searchParams),
      headers: ctx.headers,
    });
    const fault = opts.faults.takeRequestFault(opts.origin, ctx.method, path);
    if (fault?.kind === 'reset' && fault.when === 'before') {
      req.socket.destroy();
      return undefined;
    }
    const canned = fault && cannedReply(fault);
    const afterHandling = fault !== undefined && 'afterHandling' in fault && fault.afterHandling === true;
    const handled = !canned || afterHandling ? await opts.handle(ctx) : undefined;
    const key = ctx.headers['idempotency-key'];
    if (fault?.kind === 'status' && afterHandling && fault.forgetsKey && key) opts.forgetIdempotencyKey?.(key);
    const reply = canned ?? handled!;
    entry.runId = handled?.runId ?? reply.runId;
    await drain(req);
    if (fault?.kind === 'delay' && !(await wait(fault.ms))) return undefined;
    if (!(await wait(opts.latencyMs))) return undefined;
    // 'after': the request took effect, but the client never learns the outcome.
    if (fault?.kind === 'reset') {
      req.socket.destroy();
      return undefined;
    }
    entry.status = reply.status;
    return opts.origin === 'api' ? shapedError(reply, opts.faults.errorsShaped) : reply;
  }

  const server = createServer((req, res) => {
    const ctx: RequestContext = {
      req,
      method: (req.method ?? 'GET').toUpperCase(),
      url: new URL(req.url ?? '/', 'http://emulator'),
      headers: verbatimHeaders(req),
    };
    onRequest(req, ctx)
      .then((reply) => reply && !res.destroyed && sendReply(res, reply))
      .catch((err: unknown) => {
        if (res.headersSent) res.destroy();
        else sendReply(res, { status: 500, headers: { 'content-type': 'text/plain' }, body: `emulator error: ${String(err)}` });
      });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('emulator: no TCP address');

  return {
    url: `http://${opts.host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        closing.abort();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
