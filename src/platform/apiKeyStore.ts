import * as vscode from 'vscode';

const SECRET_ID = 'gptImageEdit.runflowApiKey';

/** Thrown when the OS keyring behind SecretStorage fails, so the user is told instead of losing the key. */
export class SecretStorageError extends Error {}

/**
 * The Runflow key lives only in SecretStorage. RUNFLOW_API_KEY in the editor's environment is a
 * fallback for headless setups (the local demo), read only when nothing is stored, and announced
 * the first time it is used in a window: a dev container can set it without the person knowing.
 */
export class ApiKeyStore {
  private announced = false;

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly announceEnvironmentKey: () => void,
  ) {}

  async get(): Promise<string | undefined> {
    const stored = await this.stored();
    if (stored) return stored;
    const fromEnvironment = environmentKey();
    if (fromEnvironment && !this.announced) {
      this.announced = true;
      this.announceEnvironmentKey();
    }
    return fromEnvironment;
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
