import * as vscode from 'vscode';
import { EDIT_IMAGE_TOOL, type Host } from '../platform/host';

/** What the tool runs: in the heavy part, loaded on first use. */
export interface AgentToolEntryPoints {
  prepareEditImage(input: unknown): Promise<vscode.PreparedToolInvocation>;
  invokeEditImage(host: Host, input: unknown, token: vscode.CancellationToken): Promise<vscode.LanguageModelToolResult>;
}

/** The agent tool (package.json: contributes.languageModelTools). */
export function registerAgentTool(host: Host, heavy: () => AgentToolEntryPoints): vscode.Disposable[] {
  return [
    vscode.lm.registerTool<unknown>(EDIT_IMAGE_TOOL, {
      prepareInvocation: (options) => heavy().prepareEditImage(options.input),
      invoke: (options, token) => heavy().invokeEditImage(host, options.input, token),
    }),
  ];
}
