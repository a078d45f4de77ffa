import * as vscode from 'vscode';
import { API_KEYS_URL, NEEDED_SCOPES, RunflowError } from '../runflow';
import { createClient } from '../edit/editRunner';
import { showError } from '../platform/showError';
import { environmentKey } from '../platform/apiKeyStore';
import { askModal } from '../platform/modalQuestion';
import type { Host } from '../platform/host';

/**
 * Asks for a key (unless one is given), checks it with Runflow and stores it.
 * Resolves true only when the key was accepted and saved; a rejected key leaves the old one in place.
 * A key given as the command's argument (by another extension, a command link, an agent) is
 * stored only once the person agrees to the account it names: that account would receive their
 * images and prompts.
 */
export async function setApiKey(host: Host, given?: string): Promise<boolean> {
  const key = (given ?? (await askForKey(host)))?.trim();
  if (!key) return false;
  try {
    const account = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Checking the Runflow API key…') },
      () => createClient(host, key).checkKey(),
    );
    if (given !== undefined && !(await agreesToGivenKey(account.email ?? account.name))) return false;
    await host.keys.store(key);
    host.log.write('info', 'API key checked and saved.');
    const who = account.email ?? account.name;
    const saved = who ? vscode.l10n.t('Runflow API key saved ({0}).', who) : vscode.l10n.t('Runflow API key saved.');
    const overrides = environmentKey() ? ` ${vscode.l10n.t('It is used instead of RUNFLOW_API_KEY from the environment.')}` : '';
    void host.notifier.show('info', saved + overrides);
    return true;
  } catch (e) {
    if (e instanceof RunflowError && e.kind === 'unauthorized') {
      void host.notifier.show(
        'error',
        vscode.l10n.t('Runflow rejected this API key, so it was not saved. Check it at {0} (Settings → API Keys) and set it again.', API_KEYS_URL),
      );
      return false;
    }
    if (e instanceof RunflowError && e.kind === 'forbidden') {
      // A 403 proves the key exists; it may only lack the scope to read the account.
      if (given !== undefined && !(await agreesToGivenKey(undefined))) return false;
      await host.keys.store(key);
      void host.notifier.show(
        'warning',
        vscode.l10n.t(
          'Runflow API key saved, but Runflow would not show its account (HTTP 403): the key may lack a scope. Edits need {0}; if they fail, create a key with these scopes at {1} (Settings → API Keys).',
          NEEDED_SCOPES.join(', '),
          API_KEYS_URL,
        ),
      );
      return true;
    }
    void showError(host, e);
    return false;
  }
}

/** The modal before a key given as an argument replaces the user's; `account` as /v1/auth/me named it. */
function agreesToGivenKey(account: string | undefined): Promise<boolean> {
  return askModal({
    kind: 'keyFromArgument',
    message: account
      ? vscode.l10n.t('A command asks to use the Runflow API key of {0} from now on. Use it?', account)
      : vscode.l10n.t('A command asks to use another Runflow API key from now on; Runflow would not name its account. Use it?'),
    detail: vscode.l10n.t('Your images and prompts would be sent to that account, and edits billed to it. If you did not ask for this, choose Cancel.'),
    confirm: vscode.l10n.t('Use This Key'),
  });
}

/** Removes the stored key. */
export async function clearApiKey(host: Host): Promise<void> {
  try {
    await host.keys.delete();
    void host.notifier.show(
      'info',
      environmentKey()
        ? vscode.l10n.t(
            'Runflow API key cleared from VS Code. RUNFLOW_API_KEY from the environment is still in use; unset it and restart VS Code to stop using it.',
          )
        : vscode.l10n.t('Runflow API key cleared.'),
    );
  } catch (e) {
    void showError(host, e);
  }
}

function askForKey(host: Host): Thenable<string | undefined> {
  return host.notifier.ask({
    title: vscode.l10n.t('Runflow API Key'),
    prompt: vscode.l10n.t("Paste your Runflow API key (from {0}, Settings → API Keys). It is kept in VS Code's secret storage.", API_KEYS_URL),
    placeHolder: 'rf_live_… / rfk_…',
    password: true,
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim() ? undefined : vscode.l10n.t('The key cannot be empty.')),
  });
}
