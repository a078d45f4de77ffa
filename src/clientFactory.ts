import { RunflowClient } from './runflow';
import { apiBaseUrl } from './config';
import type { Host } from './extension';

/** A client for the configured API with this key; the key is also registered for log redaction. */
export function createClient(host: Host, apiKey: string): RunflowClient {
  host.log.addSecret(apiKey);
  return new RunflowClient({
    baseUrl: apiBaseUrl(),
    apiKey,
    log: (level, message) => host.log.write(level, message),
  });
}
