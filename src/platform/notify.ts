import * as vscode from 'vscode';

/** 'input' is a question asked with an input box. */
export type Severity = 'info' | 'warning' | 'error' | 'input';
export interface ShownMessage {
  severity: Severity;
  message: string;
}

/**
 * Shows messages to the user. Every message also fires `onDidShowMessage`, which the extension
 * exports so that integration tests can assert on exactly what a user was told.
 */
export class Notifier implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<ShownMessage>();
  readonly onDidShowMessage = this.emitter.event;

  /** Asks with an input box; its prompt is reported like a message. */
  ask(options: vscode.InputBoxOptions): Thenable<string | undefined> {
    this.emitter.fire({ severity: 'input', message: options.prompt ?? options.title ?? '' });
    return vscode.window.showInputBox(options);
  }

  async show<T extends string>(severity: Exclude<Severity, 'input'>, message: string, ...actions: T[]): Promise<T | undefined> {
    this.emitter.fire({ severity, message });
    switch (severity) {
      case 'info':
        return vscode.window.showInformationMessage(message, ...actions);
      case 'warning':
        return vscode.window.showWarningMessage(message, ...actions);
      case 'error':
        return vscode.window.showErrorMessage(message, ...actions);
    }
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
