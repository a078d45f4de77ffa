import { RunflowClient, type RunflowClientOptions } from './runflow';
import { apiBaseUrl } from './config';
import type { Host } from './host';

/**
 * A client for the configured API with this key; the key is also registered for log redaction.
 * `shared.rateLimitGate` lets several clients (a batch and its retries) pause together on a 429.
 */
export function createClient(host: Host, apiKey: string, shared: Pick<RunflowClientOptions, 'rateLimitGate'> = {}): RunflowClient {
  host.log.addSecret(apiKey);
  return new RunflowClient({
    baseUrl: apiBaseUrl(),
    apiKey,
    log: (level, message) => host.log.write(level, message),
    ...shared,
  });
}
