/**
 * The edit-image tool for agents (Copilot's agent mode, `#editImage`, any extension through
 * `vscode.lm.invokeTool`): one more caller of the edit job the panel runs, so an agent's edit has
 * the same history, sidecars, exact compositing, cancellation and resume. prepareInvocation
 * resolves the request once and asks the person to agree to it; invoke runs exactly what was shown
 * (or refuses what was refused), and never throws for bad input: it answers with what went wrong,
 * in words the agent can act on.
 */
import * as vscode from 'vscode';
import { API_KEYS_URL, BILLING_URL } from '../runflow';
import type { Host } from '../platform/host';
import { EditStoppedError, type EditJob, type StopReason } from '../edit/editJob';
import { EditRunner, errorAction } from '../edit/editRunner';
import { askForFolder } from '../panel/askForFolder';
import { formatReportedCost } from '../shared/cost';
import { userMessage } from '../platform/showError';
import { changedSinceChecked, describeEstimate, resolveToolRequest, ToolRefusal, type ToolRequest } from './toolRequest';
import { PreparedRequests } from './preparedRequests';
import { allowAgentSpend, refundAgentSpend } from './agentSpend';
import { isWorkspaceFolder } from './workspaceFiles';

const prepared = new PreparedRequests<ToolRequest | ToolRefusal>();

/** What the person sees before agreeing: the cost, the outputs, the image, the mask and the prompt. */
export async function prepareEditImage(input: unknown): Promise<vscode.PreparedToolInvocation> {
  const request = await resolveToolRequest(input);
  prepared.remember(input, request);
  // Nothing to agree to: invoke answers with the refusal and sends nothing.
  if (request instanceof ToolRefusal) return { invocationMessage: vscode.l10n.t('Checking the image edit request…') };
  const { spec, imagePath } = request;
  // Ours first; every value from the request is escaped, so a prompt cannot add or restyle lines.
  const lines = [
    vscode.l10n.t('**Estimated cost:** {0}, billed to your Runflow account', describeEstimate(request)),
    vscode.l10n.t('**Outputs:** {0}, saved beside the original (nothing is overwritten)', spec.options.numImages),
    vscode.l10n.t('**Image:** {0}', plainMarkdown(imagePath)),
    ...(request.maskSummary
      ? [vscode.l10n.t("**Mask:** {0}; pixels outside it stay the original's", plainMarkdown(request.maskSummary))]
      : [vscode.l10n.t('**Mask:** none, the whole image may change')]),
    ...(request.referencePaths.length ? [vscode.l10n.t('**References:** {0}', request.referencePaths.map(plainMarkdown).join(', '))] : []),
    vscode.l10n.t('**Prompt:** {0}', plainMarkdown(spec.prompt)),
  ];
  const message = new vscode.MarkdownString(lines.join('  \n'));
  message.supportHtml = false;
  message.isTrusted = false;
  return {
    invocationMessage: vscode.l10n.t('Editing {0} with GPT Image 2…', imagePath),
    confirmationMessages: { title: vscode.l10n.t('Edit {0} with GPT Image 2?', imagePath), message },
  };
}

/** Runs the edit prepareInvocation resolved through the job and answers with the saved files, the run id and the cost. */
export async function invokeEditImage(host: Host, input: unknown, token: vscode.CancellationToken): Promise<vscode.LanguageModelToolResult> {
  const request = prepared.take(input);
  if (!request) {
    return text(vscode.l10n.t('Not run: this request was not shown to the user for confirmation (or that was more than 2 minutes ago). Call the tool again.'));
  }
  if (request instanceof ToolRefusal) return text(request.message);
  const changed = (await changedSinceChecked(request)) ?? (await outputFolderRefusal(request));
  if (changed) return text(changed.message);
  // An agent's call asks for no key: the person sets one themselves.
  const session = await EditRunner.of(host).session({ askForKey: false, chooseOtherFolder: () => askForWorkspaceFolder(host, request) });
  if (!session) {
    return text(
      vscode.l10n.t(
        'No Runflow API key is set, so nothing was sent. Ask the user to run the command "GPT Image: Set API Key…" (a key is made at {0}, Settings → API Keys), then try again.',
        API_KEYS_URL,
      ),
    );
  }
  const declined = await allowAgentSpend(request.estimateUsd);
  if (declined) return text(declined);
  let job: EditJob;
  try {
    job = await session.start(request.spec);
  } catch (e) {
    refundAgentSpend(request.estimateUsd);
    return text(failure(e));
  }
  const stop = new AbortController();
  const canceling = token.onCancellationRequested(() => stop.abort('user' satisfies StopReason));
  try {
    // The agent's caller cancels through its token, not the notification.
    const result = await session.run(job, stop, { title: vscode.l10n.t('Editing {0} for an agent', request.imagePath), cancellable: false });
    const paths = result.saved.map((uri) => vscode.workspace.asRelativePath(uri, false));
    host.log.write('info', `Agent tool: run ${result.runId} saved ${paths.join(', ')}.`);
    const lines = [
      paths.length === 1
        ? vscode.l10n.t('Saved 1 edited image beside {0}: {1}.', request.imagePath, paths[0])
        : vscode.l10n.t('Saved {0} edited images beside {1}: {2}.', paths.length, request.imagePath, paths.join(', ')),
      vscode.l10n.t('Run id: {0}. Cost: {1}.', result.runId, result.cost ? formatReportedCost(result.cost) : vscode.l10n.t('not reported')),
      ...(result.missing === 1
        ? [vscode.l10n.t('The model returned 1 image fewer than asked for.')]
        : result.missing > 1
          ? [vscode.l10n.t('The model returned {0} images fewer than asked for.', result.missing)]
          : []),
      ...result.notes,
    ];
    return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(lines.join('\n')), ...(await imagePart(result.saved[0]))]);
  } catch (e) {
    if (!job.mayHaveRun) refundAgentSpend(request.estimateUsd);
    if (e instanceof EditStoppedError) {
      return text(
        vscode.l10n.t(
          'Stopped waiting for the edit of {0}. {1} It is kept in the GPT Image history, where the user can fetch its results.',
          request.imagePath,
          e.message,
        ),
      );
    }
    return text(failure(e));
  } finally {
    canceling.dispose();
  }
}

/** Outputs go beside the image: its folder must still be inside the workspace. */
async function outputFolderRefusal(request: ToolRequest): Promise<ToolRefusal | undefined> {
  const folder = vscode.Uri.joinPath(request.spec.image, '..');
  return (await isWorkspaceFolder(folder)) ? undefined : ToolRefusal.outside(request.imagePath);
}

/** The folder the person picks when the image's is read-only, held to the same rule as the image. */
async function askForWorkspaceFolder(host: Host, request: ToolRequest): Promise<vscode.Uri | undefined> {
  const picked = await askForFolder(host, request.spec.image);
  if (!picked || (await isWorkspaceFolder(picked))) return picked;
  void host.notifier.show(
    'warning',
    vscode.l10n.t("{0} is outside the workspace folders; an agent's edit is saved only inside them.", vscode.workspace.asRelativePath(picked, false)),
  );
  return undefined;
}

/**
 * A value shown as plain text in Markdown: each line break becomes a visible ⏎ and every ASCII
 * punctuation character is backslash-escaped (CommonMark allows it for all of them), so nothing
 * in it can start a line, a bold run, a link or an autolink.
 */
export function plainMarkdown(value: string): string {
  return value.replace(/\r\n|[\r\n\u0085\u2028\u2029]/g, ' ⏎ ').replace(/[!-/:-@[-\x60{-~]/g, (c) => `\\${c}`);
}

function failure(e: unknown): string {
  const message = userMessage(e);
  if (errorAction(e) === 'openBilling') {
    return vscode.l10n.t('The edit was not made: {0} The user can top up at {1}.', message, BILLING_URL);
  }
  return vscode.l10n.t('The edit was not made: {0}', message);
}

function text(message: string): vscode.LanguageModelToolResult {
  return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(message)]);
}

/** The first result as an image part, where this VS Code's API has them (LanguageModelDataPart, 1.105+). */
async function imagePart(uri: vscode.Uri | undefined): Promise<vscode.LanguageModelTextPart[]> {
  const DataPart = (vscode as unknown as { LanguageModelDataPart?: { image(data: Uint8Array, mime: string): unknown } }).LanguageModelDataPart;
  if (!uri || !DataPart) return [];
  const bytes = await vscode.workspace.fs.readFile(uri);
  const ext = uri.path.slice(uri.path.lastIndexOf('.') + 1).toLowerCase();
  const mime = ext === 'jpg' || ext === 'jpeg' ? 'image/jpeg' : ext === 'webp' ? 'image/webp' : 'image/png';
  return [DataPart.image(bytes, mime) as vscode.LanguageModelTextPart];
}
