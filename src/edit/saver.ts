import * as vscode from 'vscode';
import { randomBytes } from 'crypto';
import { lowestFreeNumber, outputName } from '../image/outputNames';

/** Serialises saves per folder so two runs finishing at once never pick the same name. */
const folderLocks = new Map<string, Promise<unknown>>();

async function underFolderLock<T>(folder: vscode.Uri, work: () => Promise<T>): Promise<T> {
  const key = folder.toString();
  const previous = folderLocks.get(key) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(work);
  folderLocks.set(key, next);
  try {
    return await next;
  } finally {
    if (folderLocks.get(key) === next) folderLocks.delete(key);
  }
}

/** Where an output landed; `sidecarError` says why its sidecar could not be written, if so. */
export interface SavedOutput {
  uri: vscode.Uri;
  sidecarError?: string;
}

/**
 * Writes `bytes` as `<stem>.edited-<n>.<ext>` in `folder` with the lowest n whose output name and
 * sidecar name (`<output>.json`) are both free, never overwriting anything: the bytes go to a
 * hidden temporary file first and are renamed into place, so a failure (full disk, permissions)
 * never leaves a half file. A sidecar that fails after the image landed is reported, not thrown:
 * the image is saved and must be recorded as such.
 */
export async function saveBesideOriginal(
  folder: vscode.Uri,
  stem: string,
  ext: string,
  bytes: Uint8Array,
  sidecar?: (output: vscode.Uri) => unknown,
): Promise<SavedOutput> {
  return underFolderLock(folder, async () => {
    const taken = await namesIn(folder);
    const target = await renameIntoFreeName(folder, stem, bytes, (tried) => {
      if (tried) taken.add(tried.toLowerCase());
      return outputName(stem, lowestFreeNumber(stem, ext, taken), ext);
    });
    if (!sidecar) return { uri: target };
    try {
      await writeSidecar(target, sidecar(target));
      return { uri: target };
    } catch (e) {
      return { uri: target, sidecarError: e instanceof Error ? e.message : String(e) };
    }
  });
}

/**
 * Writes `bytes` in `folder` under the first free name of `nameFor(1)`, `nameFor(2)`…, never
 * overwriting anything and never leaving a half file (as saveBesideOriginal).
 */
export async function saveNewFile(folder: vscode.Uri, nameFor: (n: number) => string, bytes: Uint8Array): Promise<vscode.Uri> {
  return underFolderLock(folder, async () => {
    const taken = await namesIn(folder);
    let n = 0;
    return renameIntoFreeName(folder, nameFor(1), bytes, () => {
      do n++;
      while (taken.has(nameFor(n).toLowerCase()));
      return nameFor(n);
    });
  });
}

/**
 * Writes `bytes` to a hidden temporary file, then renames it to `nextName(undefined)`; when that
 * name was taken meanwhile (another window, a sync tool), to `nextName(taken)`, and so on.
 */
async function renameIntoFreeName(folder: vscode.Uri, label: string, bytes: Uint8Array, nextName: (taken: string | undefined) => string): Promise<vscode.Uri> {
  const temp = vscode.Uri.joinPath(folder, `.${label}.${randomBytes(6).toString('hex')}.tmp`);
  await writeOrClean(temp, bytes);
  try {
    let tried: string | undefined;
    for (;;) {
      const name = nextName(tried);
      const target = vscode.Uri.joinPath(folder, name);
      try {
        await vscode.workspace.fs.rename(temp, target, { overwrite: false });
        return target;
      } catch (e) {
        if (e instanceof vscode.FileSystemError && e.code === 'FileExists') {
          tried = name;
          continue;
        }
        throw e;
      }
    }
  } finally {
    await deleteQuietly(temp);
  }
}

/** `<output>.json` beside the output; never over an existing file (its name was checked free). */
async function writeSidecar(output: vscode.Uri, content: unknown): Promise<void> {
  const target = output.with({ path: `${output.path}.json` });
  const temp = output.with({ path: `${output.path}.${randomBytes(6).toString('hex')}.tmp` });
  await writeOrClean(temp, new TextEncoder().encode(JSON.stringify(content, null, 2) + '\n'));
  try {
    await vscode.workspace.fs.rename(temp, target, { overwrite: false });
  } finally {
    await deleteQuietly(temp);
  }
}

async function writeOrClean(uri: vscode.Uri, bytes: Uint8Array): Promise<void> {
  try {
    await vscode.workspace.fs.writeFile(uri, bytes);
  } catch (e) {
    await deleteQuietly(uri);
    throw e;
  }
}

async function deleteQuietly(uri: vscode.Uri): Promise<void> {
  try {
    await vscode.workspace.fs.delete(uri, { useTrash: false });
  } catch {
    // Already gone (renamed into place, or never created).
  }
}

async function namesIn(folder: vscode.Uri): Promise<Set<string>> {
  const entries = await vscode.workspace.fs.readDirectory(folder);
  return new Set(entries.map(([name]) => name.toLowerCase()));
}
