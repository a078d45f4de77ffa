// /__emulator/*: test control over HTTP for processes that cannot call the emulator object
// (the extension host, the CLI emulator). No key needed, never logged.
import { ZodError } from 'zod';
import type { Fault } from './faults';
import { jsonReply, readBody, type Reply } from './http';
import type { Handler } from './server';
import type { EmulatorRunView, LoggedRequest } from './types';

export const ADMIN_PREFIX = '/__emulator/';

export interface AdminDeps {
  inject(faults: Fault | Fault[]): number;
  reset(): void;
  requests(): LoggedRequest[];
  runs(): EmulatorRunView[];
}

export function adminHandler(deps: AdminDeps): Handler {
  async function injectFrom(body: Buffer): Promise<Reply> {
    try {
      return jsonReply(200, { injected: deps.inject(JSON.parse(body.toString('utf8')) as Fault | Fault[]) });
    } catch (err) {
      const message = err instanceof ZodError ? err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') : String(err);
      return jsonReply(400, { code: 'BAD_FAULT', message, errors: null });
    }
  }

  return async (ctx) => {
    const route = `${ctx.method} ${ctx.url.pathname.slice(ADMIN_PREFIX.length)}`;
    const body = await readBody(ctx.req, 1024 * 1024);
    switch (route) {
      case 'POST faults':
        return injectFrom(body);
      case 'POST reset':
        deps.reset();
        return jsonReply(200, { ok: true });
      case 'GET requests':
        return jsonReply(200, deps.requests());
      case 'GET runs':
        return jsonReply(200, deps.runs());
      default:
        return jsonReply(404, { code: 'NOT_FOUND', message: `No emulator route ${route}.`, errors: null });
    }
  };
}
