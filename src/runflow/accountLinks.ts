/** Where a Runflow user tops up their credit. */
export const BILLING_URL = 'https://app.runflow.io/settings/billing';
/** Where a Runflow user creates and scopes API keys (Settings → API Keys). */
export const API_KEYS_URL = 'https://app.runflow.io/settings/api-keys';
/** Anything shaped like a Runflow key: `rf_live_…` and `rf_test_…` from the dashboard, `rfk_…` from the connect flow. */
export const API_KEY_PATTERN = /\brfk?_[A-Za-z0-9_-]{8,}/g;
/** The key scopes the extension's requests need. */
export const NEEDED_SCOPES = ['runs:create', 'runs:read', 'assets:create'] as const;
