import * as vscode from 'vscode';

const SECRET_ID = 'gptImageEdit.runflowApiKey';

/** Thrown when the OS keyring behind SecretStorage fails, so the user is told instead of losing the key. */
export class SecretStorageError extends Error {}

/**
 * The Runflow key lives only in SecretStorage. RUNFLOW_API_KEY in the editor's environment is a
 * fallback for headless setups (the local demo), read only when nothing is stored.
 */
export class ApiKeyStore {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  async get(): Promise<string | undefined> {
    return (await this.stored()) || environmentKey();
  }

  /** The key kept in SecretStorage, if any (the environment's is not). */
  async stored(): Promise<string | undefined> {
    try {
      return (await this.secrets.get(SECRET_ID)) || undefined;
    } catch (e) {
      throw new SecretStorageError(describe('read', e));
    }
  }

  async store(key: string): Promise<void> {
    try {
      await this.secrets.store(SECRET_ID, key);
    } catch (e) {
      throw new SecretStorageError(describe('save', e));
    }
  }

  async delete(): Promise<void> {
    try {
      await this.secrets.delete(SECRET_ID);
    } catch (e) {
      throw new SecretStorageError(describe('delete', e));
    }
  }
}

/** RUNFLOW_API_KEY from the editor's environment, the fallback when no key is stored. */
export function environmentKey(): string | undefined {
  return process.env.RUNFLOW_API_KEY || undefined;
}

function describe(verb: string, e: unknown): string {
  const detail = e instanceof Error ? e.message : String(e);
  return vscode.l10n.t(
    'VS Code could not {0} the Runflow API key in its secret storage ({1}). On Linux this usually means no keyring is running: install and unlock gnome-keyring or KWallet, then try again.',
    verb,
    detail,
  );
}
