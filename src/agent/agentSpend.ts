import * as vscode from 'vscode';
import { agentAskAboveUsd } from '../settings/config';
import { formatUsd } from '../shared/cost';
import { askModal } from '../platform/modalQuestion';

/**
 * What agents have been allowed to spend in this window (the extension host lives as long as the
 * window). Past the user's gptImageEdit.agent.askAboveUsd every call is asked about with the
 * extension's own modal, whatever VS Code's auto-approval of the tool says.
 */
let spentUsd = 0;

/** Counts an edit's estimate, asking first when it would take the window past the cap; undefined when allowed, else the answer for the agent. */
export async function allowAgentSpend(estimateUsd: number): Promise<string | undefined> {
  const cap = agentAskAboveUsd();
  const before = spentUsd;
  if (before + estimateUsd > cap) {
    const allowed = await askModal({
      kind: 'agentSpend',
      message: vscode.l10n.t('Agents have spent about {0} in this window; this edit adds {1}. Allow?', formatUsd(before), formatUsd(estimateUsd)),
      detail: vscode.l10n.t(
        'Above {0} (setting gptImageEdit.agent.askAboveUsd) every agent edit is asked about. Each output image is billed to your Runflow account.',
        formatUsd(cap),
      ),
      confirm: vscode.l10n.t('Allow'),
    });
    if (!allowed) {
      return vscode.l10n.t(
        'Not run: the user declined. This edit would take agent edits in this window past the {0} the user allows without asking (setting gptImageEdit.agent.askAboveUsd).',
        formatUsd(cap),
      );
    }
  }
  // Counted at once, so calls made together cannot each slip under the cap.
  spentUsd += estimateUsd;
  return undefined;
}

/** Gives back an allowed estimate whose edit made no run (it failed before its create went out). */
export function refundAgentSpend(estimateUsd: number): void {
  spentUsd = Math.max(0, spentUsd - estimateUsd);
}
