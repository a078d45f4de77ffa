import * as vscode from 'vscode';

/**
 * The questions asked in a modal dialog before money moves or the key changes. Each has a kind, so
 * a test can answer it through the testing API: VS Code refuses to show dialogs to extension tests.
 */
export type QuestionKind = 'batchCost' | 'agentSpend' | 'keyFromArgument';

export interface ModalQuestion {
  kind: QuestionKind;
  message: string;
  detail: string;
  /** The button that agrees; closing the dialog declines. */
  confirm: string;
}

/** Resolves true when the user agrees. */
export type QuestionAnswer = (question: ModalQuestion) => Promise<boolean>;

const replacements = new Map<QuestionKind, QuestionAnswer>();

/** Asks in a modal dialog, whatever VS Code's auto-approval of tools says. */
export async function askModal(question: ModalQuestion): Promise<boolean> {
  const replacement = replacements.get(question.kind);
  if (replacement) return replacement(question);
  const answer = await vscode.window.showWarningMessage(question.message, { modal: true, detail: question.detail }, question.confirm);
  return answer === question.confirm;
}

/** For tests: answers questions of this kind with `answer` instead of the modal; undefined restores it. */
export function replaceModalAnswer(kind: QuestionKind, answer: QuestionAnswer | undefined): void {
  if (answer) replacements.set(kind, answer);
  else replacements.delete(kind);
}
