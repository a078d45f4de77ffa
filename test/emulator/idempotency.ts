// Idempotency-Key handling: the same key and body replay the first answer; another body is a 409.
import { ApiError, type Reply } from './http';

interface IdempotencyRecord {
  fingerprint: string;
  /** Pending while the first request is still being handled, so a concurrent retry waits for it. */
  answer: Promise<Reply>;
}

/** Key order must not make two equal bodies differ. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

function fingerprintOf(method: string, path: string, body: Buffer): string {
  const text = body.toString('utf8');
  try {
    return `${method} ${path} ${canonical(JSON.parse(text))}`;
  } catch {
    return `${method} ${path} ${text}`;
  }
}

export class IdempotencyStore {
  private readonly records = new Map<string, IdempotencyRecord>();

  /** Runs `handle` once per key; later calls with that key replay its answer or get a 409. */
  async run(key: string, method: string, path: string, body: Buffer, handle: () => Promise<Reply>): Promise<Reply> {
    const fingerprint = fingerprintOf(method, path, body);
    const existing = this.records.get(key);
    if (existing) {
      if (existing.fingerprint !== fingerprint) {
        throw new ApiError(409, 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used with a different request body.');
      }
      const first = await existing.answer;
      return { ...first, headers: { ...first.headers, 'idempotent-replayed': 'true' } };
    }
    const answer = handle();
    this.records.set(key, { fingerprint, answer });
    return answer;
  }

  /** Drops what `key` answered: the next request with it is handled as new. */
  forget(key: string): void {
    this.records.delete(key);
  }

  clear(): void {
    this.records.clear();
  }
}
