// The request log tests read: every request on both origins, recorded on arrival.
import type { LoggedRequest } from './types';

export class RequestLog {
  /** Cleared in place so a caller holding `emulator.requests` keeps seeing new entries. */
  readonly entries: LoggedRequest[] = [];

  /** Records an arriving request; the caller fills in `status` and `runId` once answered. */
  record(entry: Omit<LoggedRequest, 'status' | 'at'>): LoggedRequest {
    const logged: LoggedRequest = { ...entry, status: 0, at: Date.now() };
    this.entries.push(logged);
    return logged;
  }

  clear(): void {
    this.entries.length = 0;
  }
}
