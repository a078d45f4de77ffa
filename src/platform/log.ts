import * as vscode from 'vscode';

/** Anything that looks like a Runflow key or a bearer token. */
const SECRET_PATTERN = /\b(rf_(?:live|test)_[A-Za-z0-9_-]+)|(Bearer\s+)\S+/g;

/** Removes keys and bearer tokens from text bound for a log or a message. */
export function redact(text: string, knownSecrets: readonly string[] = []): string {
  let out = text;
  for (const secret of knownSecrets) {
    if (secret) out = out.split(secret).join('[redacted]');
  }
  return out.replace(SECRET_PATTERN, (_m, _key, bearer) => (bearer ? `${bearer}[redacted]` : '[redacted]'));
}

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

/** The extension's log: a LogOutputChannel (level set with "Developer: Set Log Level…") that redacts keys. */
export class Log implements vscode.Disposable {
  private readonly channel = vscode.window.createOutputChannel('GPT Image Edit', { log: true });
  private readonly secrets = new Set<string>();

  /** Remembers a secret so that it is masked wherever it appears. */
  addSecret(secret: string): void {
    this.secrets.add(secret);
  }

  write(level: LogLevel, message: string): void {
    this.channel[level](redact(message, [...this.secrets]));
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}
