import * as vscode from 'vscode';
import { createHash, randomBytes } from 'crypto';
import { promises as disk } from 'node:fs';

/** The largest paint layer kept across reloads; a larger one is kept for this window only. */
export const MAX_STORED_PAINT_BYTES = 16 * 1024 * 1024;

const PAINT_URI_PREFIX = 'data:image/png;base64,';

/** Where a layer ended up: in its file, or (over the cap) in this window's memory only. */
export type PaintKept = 'file' | 'window';

/**
 * The mask editor's paint layer of each image, one PNG file per image in the extension's storage
 * for this workspace (the global storage when no folder is open). workspaceState held it as a data
 * URI, with no cap, read back whole with every stored panel. Writes for one image are queued, so
 * the last change is the one on disk.
 */
export class PaintFiles {
  /** Layers over the cap, by image, for as long as the window lives. */
  private static readonly windowOnly = new Map<string, string>();
  private static readonly queues = new Map<string, Promise<unknown>>();

  private readonly files: LayerFiles;

  private constructor(private readonly folder: vscode.Uri) {
    this.files = folder.scheme === 'file' ? onDisk : throughVsCode;
  }

  static of(context: vscode.ExtensionContext): PaintFiles {
    return new PaintFiles(vscode.Uri.joinPath(context.storageUri ?? context.globalStorageUri, 'paint'));
  }

  /** The layer kept for `image`, as a data URI; undefined when there is none (or its file is unreadable). */
  async read(image: vscode.Uri): Promise<string | undefined> {
    const key = image.toString();
    await PaintFiles.queues.get(key);
    const inWindow = PaintFiles.windowOnly.get(key);
    if (inWindow) return inWindow;
    try {
      return PAINT_URI_PREFIX + Buffer.from(await this.files.read(this.fileOf(image))).toString('base64');
    } catch {
      return undefined;
    }
  }

  /** Keeps `paint` as `image`'s layer (undefined removes it). */
  write(image: vscode.Uri, paint: string | undefined): Promise<PaintKept> {
    const key = image.toString();
    const queued = (PaintFiles.queues.get(key) ?? Promise.resolve()).catch(() => undefined).then(() => this.store(image, paint));
    PaintFiles.queues.set(key, queued);
    return queued;
  }

  /** The file of `image`'s layer, named by a hash of its URI. */
  fileOf(image: vscode.Uri): vscode.Uri {
    return vscode.Uri.joinPath(this.folder, `${createHash('sha256').update(image.toString()).digest('hex').slice(0, 32)}.png`);
  }

  private async store(image: vscode.Uri, paint: string | undefined): Promise<PaintKept> {
    const key = image.toString();
    const file = this.fileOf(image);
    const bytes = paint?.startsWith(PAINT_URI_PREFIX) ? Buffer.from(paint.slice(PAINT_URI_PREFIX.length), 'base64') : undefined;
    if (bytes && bytes.length > MAX_STORED_PAINT_BYTES) {
      PaintFiles.windowOnly.set(key, paint!);
      await this.files.remove(file);
      return 'window';
    }
    PaintFiles.windowOnly.delete(key);
    if (!bytes) {
      await this.files.remove(file);
      return 'file';
    }
    // A temp file renamed over the old one: a reload never reads half a layer.
    const temp = vscode.Uri.joinPath(this.folder, `.${randomBytes(6).toString('hex')}.tmp`);
    try {
      await this.files.write(temp, bytes);
      await this.files.rename(temp, file);
    } catch (e) {
      await this.files.remove(temp);
      throw e;
    }
    return 'file';
  }
}

/** The few file operations a layer needs; `remove` ignores a missing file, `write` makes the folder. */
interface LayerFiles {
  read(file: vscode.Uri): Promise<Uint8Array>;
  write(file: vscode.Uri, bytes: Uint8Array): Promise<void>;
  rename(from: vscode.Uri, to: vscode.Uri): Promise<void>;
  remove(file: vscode.Uri): Promise<void>;
}

/**
 * The extension host's own disk, through Node: a stroke's layer is on disk a millisecond after it
 * arrives. vscode.workspace.fs may go through the window, which a reload tears down first, so a
 * reload right after a stroke lost it.
 */
const onDisk: LayerFiles = {
  read: (file) => disk.readFile(file.fsPath),
  write: async (file, bytes) => {
    await disk.mkdir(vscode.Uri.joinPath(file, '..').fsPath, { recursive: true });
    await disk.writeFile(file.fsPath, bytes);
  },
  rename: (from, to) => disk.rename(from.fsPath, to.fsPath),
  remove: (file) => disk.rm(file.fsPath, { force: true }),
};

/** Storage that is not on the extension host's disk (a web editor's). */
const throughVsCode: LayerFiles = {
  read: (file) => Promise.resolve(vscode.workspace.fs.readFile(file)),
  write: async (file, bytes) => {
    await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(file, '..'));
    await vscode.workspace.fs.writeFile(file, bytes);
  },
  rename: (from, to) => Promise.resolve(vscode.workspace.fs.rename(from, to, { overwrite: true })),
  remove: (file) => Promise.resolve(vscode.workspace.fs.delete(file)).then(undefined, () => undefined),
};
