/**
 * Which files an agent may name: those whose real path lies inside an open workspace folder.
 * VS Code's folder match is textual (`Uri.file` keeps `..`, symlinks are not followed), so the
 * check here normalises the path, resolves every symlink, and walks the real file's ancestors
 * comparing each (device, inode) with the folders' own: no string comparison, so `a..b.png`
 * passes and case-insensitive file systems need no special case.
 */
import * as vscode from 'vscode';
import { constants as fsConstants, promises as fs, type Stats } from 'fs';
import * as path from 'path';

/** A file the check accepted: where it really is, and which file it was then. */
export interface WorkspaceFile {
  /** The real path's URI (for `file:`), or the normalised URI of a virtual workspace. */
  uri: vscode.Uri;
  /** Relative to its workspace folder, as the person reads it. */
  path: string;
  /** For `file:`, the checked file's identity: a file switched after the check is refused. */
  identity?: { dev: number; ino: number };
}

/** Why a path is not a workspace file. */
export type PathRefusal = { reason: 'outside' } | { reason: 'missing'; path: string } | { reason: 'folder'; path: string };

/**
 * Resolves an agent's path (relative to the first workspace folder, absolute, or a URI) to a file
 * inside a workspace folder. A virtual (non-`file:`) workspace refuses a symlink, which it cannot
 * resolve.
 */
export async function resolveWorkspaceFile(given: string): Promise<WorkspaceFile | PathRefusal> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  const uri = parseGiven(given, folders);
  if (!uri || folders.length === 0) return { reason: 'outside' };
  const normalised = uri.with({ path: path.posix.normalize(uri.path) });
  return normalised.scheme === 'file' ? resolveLocal(normalised, folders) : resolveVirtual(normalised, folders);
}

/** Whether `file` is still the file that was checked: same real path, same identity. */
export async function isUnchanged(file: WorkspaceFile): Promise<boolean> {
  if (!file.identity) return true;
  try {
    const real = await fs.realpath(file.uri.fsPath);
    const stat = await fs.stat(real);
    return real === file.uri.fsPath && sameFile(stat, file.identity);
  } catch {
    return false;
  }
}

/** Reads a checked file from its real path without following a link put there since the check. */
export async function readWorkspaceFile(file: WorkspaceFile): Promise<Uint8Array> {
  if (!file.identity) return vscode.workspace.fs.readFile(file.uri);
  const handle = await fs.open(file.uri.fsPath, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW);
  try {
    if (!sameFile(await handle.stat(), file.identity)) throw new Error(vscode.l10n.t('{0} changed while it was being read.', file.path));
    return new Uint8Array(await handle.readFile());
  } finally {
    await handle.close();
  }
}

/** Whether a folder (where outputs go) lies inside a workspace folder, by its real path. */
export async function isWorkspaceFolder(folder: vscode.Uri): Promise<boolean> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folder.scheme !== 'file') return underVirtualFolder(folder, folders) !== undefined;
  try {
    return (await containingFolder(await fs.realpath(folder.fsPath), folders)) !== undefined;
  } catch {
    return false;
  }
}

function parseGiven(given: string, folders: readonly vscode.WorkspaceFolder[]): vscode.Uri | undefined {
  const windowsDrive = /^[a-z]:[\\/]/i.test(given);
  if (/^[a-z][a-z0-9+.-]+:/i.test(given) && !windowsDrive) {
    try {
      return vscode.Uri.parse(given, true);
    } catch {
      return undefined;
    }
  }
  if (given.startsWith('/') || windowsDrive) return vscode.Uri.file(given);
  return folders[0] && vscode.Uri.joinPath(folders[0].uri, given.replace(/\\/g, '/'));
}

async function resolveLocal(uri: vscode.Uri, folders: readonly vscode.WorkspaceFolder[]): Promise<WorkspaceFile | PathRefusal> {
  let real: string;
  try {
    real = await fs.realpath(uri.fsPath);
  } catch {
    // Nothing there: say so only for a path that would be inside.
    const lexical = await containingFolder(uri.fsPath, folders, false);
    return lexical ? { reason: 'missing', path: vscode.workspace.asRelativePath(uri, false) } : { reason: 'outside' };
  }
  if (!(await containingFolder(real, folders))) return { reason: 'outside' };
  const file = vscode.Uri.file(real);
  const shown = vscode.workspace.asRelativePath(file, false);
  const stat = await fs.stat(real);
  if (stat.isDirectory()) return { reason: 'folder', path: shown };
  return { uri: file, path: shown, identity: { dev: stat.dev, ino: stat.ino } };
}

/**
 * The workspace folder whose real directory is `real` or one of its ancestors, compared by
 * identity. With `exists` false, `real` is a path that may not exist: its parent is walked.
 */
async function containingFolder(real: string, folders: readonly vscode.WorkspaceFolder[], exists = true): Promise<vscode.WorkspaceFolder | undefined> {
  const roots: { folder: vscode.WorkspaceFolder; stat: Stats }[] = [];
  for (const folder of folders) {
    if (folder.uri.scheme !== 'file') continue;
    try {
      roots.push({ folder, stat: await fs.stat(await fs.realpath(folder.uri.fsPath)) });
    } catch {
      // A folder that is gone contains nothing.
    }
  }
  let at = exists ? real : path.dirname(real);
  for (;;) {
    const stat = await fs.stat(at).catch(() => undefined);
    const match = stat && roots.find((root) => sameFile(root.stat, stat));
    if (match) return match.folder;
    const parent = path.dirname(at);
    if (parent === at) return undefined;
    at = parent;
  }
}

async function resolveVirtual(uri: vscode.Uri, folders: readonly vscode.WorkspaceFolder[]): Promise<WorkspaceFile | PathRefusal> {
  if (!underVirtualFolder(uri, folders)) return { reason: 'outside' };
  const shown = vscode.workspace.asRelativePath(uri, false);
  let stat: vscode.FileStat;
  try {
    stat = await vscode.workspace.fs.stat(uri);
  } catch {
    return { reason: 'missing', path: shown };
  }
  // A link there cannot be resolved to where it points, so it is not taken.
  if (stat.type & vscode.FileType.SymbolicLink) return { reason: 'outside' };
  if (stat.type & vscode.FileType.Directory) return { reason: 'folder', path: shown };
  return { uri, path: shown };
}

/** The folder of the same scheme and authority whose normalised path is a whole-segment prefix of `uri`'s. */
function underVirtualFolder(uri: vscode.Uri, folders: readonly vscode.WorkspaceFolder[]): vscode.WorkspaceFolder | undefined {
  const target = path.posix.normalize(uri.path);
  return folders.find((folder) => {
    if (folder.uri.scheme !== uri.scheme || folder.uri.authority !== uri.authority) return false;
    const root = path.posix.normalize(folder.uri.path).replace(/\/+$/, '');
    return target === root || target.startsWith(`${root}/`);
  });
}

function sameFile(a: { dev: number; ino: number }, b: { dev: number; ino: number }): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}
