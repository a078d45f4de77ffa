import * as vscode from 'vscode';
import { createHash, randomBytes } from 'crypto';

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

  private constructor(private readonly folder: vscode.Uri) {}

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
      return PAINT_URI_PREFIX + Buffer.from(await vscode.workspace.fs.readFile(this.fileOf(image))).toString('base64');
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
      await vscode.workspace.fs.delete(file).then(undefined, () => undefined);
      return 'window';
    }
    PaintFiles.windowOnly.delete(key);
    if (!bytes) {
      await vscode.workspace.fs.delete(file).then(undefined, () => undefined);
      return 'file';
    }
    // A temp file renamed over the old one: a reload never reads half a layer.
    const temp = vscode.Uri.joinPath(this.folder, `.${randomBytes(6).toString('hex')}.tmp`);
    await vscode.workspace.fs.createDirectory(this.folder);
    try {
      await vscode.workspace.fs.writeFile(temp, bytes);
      await vscode.workspace.fs.rename(temp, file, { overwrite: true });
    } catch (e) {
      await vscode.workspace.fs.delete(temp).then(undefined, () => undefined);
      throw e;
    }
    return 'file';
  }
}
