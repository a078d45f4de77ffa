import * as vscode from 'vscode';

/**
 * The file in `folder` that already holds variant `variant` of run `runId`, if an earlier save got
 * that far (a crash can fall between a file landing and its record being updated): an output whose
 * sidecar names this run and variant, or, for an output without a sidecar, one with the same bytes.
 */
export async function findSavedVariant(
  folder: vscode.Uri,
  stem: string,
  ext: string,
  runId: string,
  variant: number,
  bytes: Uint8Array,
): Promise<vscode.Uri | undefined> {
  let entries: [string, vscode.FileType][];
  try {
    entries = await vscode.workspace.fs.readDirectory(folder);
  } catch {
    return undefined; // No folder: nothing saved there (saving will say why it cannot).
  }
  const names = new Set(entries.map(([name]) => name));
  for (const name of names) {
    if (!isNamedAfter(name, stem, ext)) continue;
    const output = vscode.Uri.joinPath(folder, name);
    const sidecar = names.has(`${name}.json`) ? await readSidecar(vscode.Uri.joinPath(folder, `${name}.json`)) : undefined;
    if (sidecar ? sidecar.runId === runId && sidecar.variant === variant : await sameBytes(output, bytes)) return output;
  }
  return undefined;
}

async function readSidecar(uri: vscode.Uri): Promise<{ runId?: unknown; variant?: unknown } | undefined> {
  try {
    const parsed: unknown = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)));
    return typeof parsed === 'object' && parsed !== null ? parsed : undefined;
  } catch {
    return undefined; // Unreadable: judge the output by its bytes instead.
  }
}

async function sameBytes(uri: vscode.Uri, bytes: Uint8Array): Promise<boolean> {
  // Most outputs differ in size: compare sizes before reading anything.
  if ((await vscode.workspace.fs.stat(uri)).size !== bytes.length) return false;
  return Buffer.from(await vscode.workspace.fs.readFile(uri)).equals(bytes);
}

/** Outputs are named `<stem>.….<ext>` (see outputNames.ts); names compare case-insensitively, as the saver's do. */
function isNamedAfter(name: string, stem: string, ext: string): boolean {
  const lower = name.toLowerCase();
  return lower.startsWith(`${stem.toLowerCase()}.`) && lower.endsWith(`.${ext.toLowerCase()}`);
}
