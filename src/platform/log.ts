import * as vscode from 'vscode';
import { API_KEY_PATTERN } from '../runflow/accountLinks';

/** Removes keys and bearer tokens from text bound for a log or a message. */
export function redact(text: string, knownSecrets: readonly string[] = []): string {
  let out = text;
  for (const secret of knownSecrets) {
    if (secret) out = out.split(secret).join('[redacted]');
  }
  return out.replace(API_KEY_PATTERN, '[redacted]').replace(/(Bearer\s+)\S+/g, '$1[redacted]');
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
