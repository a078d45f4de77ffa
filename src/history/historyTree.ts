import * as vscode from 'vscode';
import type { RunHistory } from './runHistory';
import { isFetchable, type RunRecord, type RunRecordStatus } from './runRecord';

export const HISTORY_VIEW_ID = 'gptImageEdit.history';

/** The "Runflow Edits" view: one item per recorded edit, newest first. Elements are the records. */
export class HistoryTree implements vscode.TreeDataProvider<RunRecord> {
  readonly onDidChangeTreeData: vscode.Event<void>;

  constructor(private readonly history: RunHistory) {
    this.onDidChangeTreeData = history.onDidChange;
  }

  async getChildren(element?: RunRecord): Promise<RunRecord[]> {
    return element ? [] : this.history.list();
  }

  getTreeItem(record: RunRecord): vscode.TreeItem {
    return historyItem(record);
  }
}

/** How a run looks in the view: its first output as the icon, the prompt, status, time and cost. */
export function historyItem(record: RunRecord): vscode.TreeItem {
  const item = new vscode.TreeItem(oneLine(record.prompt));
  item.id = record.id;
  const first = record.outputs[0];
  item.iconPath = first ? vscode.Uri.parse(first.uri) : new vscode.ThemeIcon(STATUS_ICONS[record.status]);
  const when = new Date(record.createdAt).toLocaleString();
  item.description = [statusText(record.status), when, record.cost === undefined ? undefined : `$${record.cost}`]
    .filter((part) => part !== undefined)
    .join(' · ');
  item.tooltip = [
    record.prompt,
    vscode.l10n.t('Status: {0}', statusText(record.status)),
    record.message,
    vscode.l10n.t('Created: {0}', when),
    record.cost === undefined ? undefined : vscode.l10n.t('Cost: ${0}', record.cost),
    record.runId ? vscode.l10n.t('Run: {0}', record.runId) : vscode.l10n.t('Reference: {0}', record.id),
  ]
    .filter((line) => line !== undefined)
    .join('\n');
  // Menus match these words with `viewItem =~ /\bword\b/`.
  item.contextValue = [
    'gptImageEditRun',
    record.outputs.length ? 'hasOutputs' : '',
    isFetchable(record) ? 'fetchable' : '',
    record.status === 'unknown' ? 'lookUp' : '',
  ]
    .filter(Boolean)
    .join(' ');
  if (first) item.command = { command: 'vscode.open', title: vscode.l10n.t('Open Outputs'), arguments: [vscode.Uri.parse(first.uri)] };
  return item;
}

const STATUS_ICONS: Record<RunRecordStatus, string> = {
  creating: 'loading~spin',
  unknown: 'question',
  inFlight: 'loading~spin',
  saved: 'check',
  stoppedWaiting: 'debug-pause',
  notSaved: 'warning',
  failed: 'error',
  interrupted: 'circle-slash',
};

function statusText(status: RunRecordStatus): string {
  switch (status) {
    case 'creating':
      return vscode.l10n.t('starting');
    case 'unknown':
      return vscode.l10n.t('outcome unknown');
    case 'inFlight':
      return vscode.l10n.t('running');
    case 'saved':
      return vscode.l10n.t('saved');
    case 'stoppedWaiting':
      return vscode.l10n.t('stopped waiting');
    case 'notSaved':
      return vscode.l10n.t('not saved');
    case 'failed':
      return vscode.l10n.t('failed');
    case 'interrupted':
      return vscode.l10n.t('results gone from Runflow');
  }
}

function oneLine(prompt: string): string {
  const line = prompt.replace(/\s+/g, ' ').trim();
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
}
