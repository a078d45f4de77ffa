/** Where a Runflow user tops up their credit. */
export const BILLING_URL = 'https://app.runflow.io/settings/billing';
/** Where a Runflow user creates and scopes API keys (Settings → API Keys). */
export const API_KEYS_URL = 'https://app.runflow.io';
/** The key scopes the extension's requests need. */
export const NEEDED_SCOPES = ['runs:create', 'runs:read', 'assets:create'] as const;
