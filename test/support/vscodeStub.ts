// A minimal `vscode` module for running extension files in plain Node (unit tests, the soak, the
// benches): an output channel (src/platform/log.ts), file URIs with `workspace.fs` over the real disk,
// events, English l10n, and settings from a map (`setSettings`), so the edit runner, its jobs, the
// saver and the history run as they are. The image pipeline the product loads beside its bundle
// (src/image/pipeline.ts) is dist/imagePipeline.js, the built one (`node esbuild.js` first). Must be
// imported before those files: esbuild keeps import order.
import Module from 'node:module';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

class Uri {
  private constructor(
    readonly scheme: string,
    readonly path: string,
  ) {}
  static parse(text: string): Uri {
    const url = new URL(text);
    return new Uri(url.protocol.slice(0, -1), decodeURIComponent(url.pathname));
  }
  static file(p: string): Uri {
    return new Uri('file', path.resolve(p));
  }
  static joinPath(base: Uri, ...parts: string[]): Uri {
    return new Uri(base.scheme, path.posix.join(base.path, ...parts));
  }
  get fsPath(): string {
    return this.path;
  }
  with(change: { path?: string }): Uri {
    return new Uri(this.scheme, change.path ?? this.path);
  }
  toString(): string {
    return `${this.scheme}://${this.path.split('/').map(encodeURIComponent).join('/')}`;
  }
}

class FileSystemError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
  static FileExists(uri: Uri): FileSystemError {
    return new FileSystemError(`${uri.path} exists`, 'FileExists');
  }
}

/** Node errors as vscode.workspace.fs reports them. */
function asFsError(e: unknown): unknown {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'EEXIST') return new FileSystemError(String(e), 'FileExists');
  if (code === 'ENOENT') return new FileSystemError(String(e), 'FileNotFound');
  if (code === 'EACCES' || code === 'EPERM') return new FileSystemError(String(e), 'NoPermissions');
  return e;
}

const workspaceFs = {
  readFile: (uri: Uri) =>
    fs.readFile(uri.fsPath).then(
      (b) => new Uint8Array(b),
      (e) => Promise.reject(asFsError(e)),
    ),
  writeFile: (uri: Uri, bytes: Uint8Array) => fs.writeFile(uri.fsPath, bytes).catch((e) => Promise.reject(asFsError(e))),
  delete: (uri: Uri) => fs.rm(uri.fsPath).catch((e) => Promise.reject(asFsError(e))),
  stat: (uri: Uri) =>
    fs.stat(uri.fsPath).then(
      (s) => ({ size: s.size }),
      (e) => Promise.reject(asFsError(e)),
    ),
  readDirectory: async (uri: Uri) => (await fs.readdir(uri.fsPath, { withFileTypes: true })).map((d) => [d.name, d.isDirectory() ? 2 : 1]),
  // Without overwrite: a hard link fails if the target exists (atomically), then the source goes.
  rename: async (from: Uri, to: Uri, options: { overwrite?: boolean } = {}) => {
    try {
      if (options.overwrite) return await fs.rename(from.fsPath, to.fsPath);
      await fs.link(from.fsPath, to.fsPath);
      await fs.rm(from.fsPath);
    } catch (e) {
      throw asFsError(e);
    }
  },
};

class Disposable {
  constructor(private readonly onDispose: () => void) {}
  dispose(): void {
    this.onDispose();
  }
}

class EventEmitter<T> {
  private listeners = new Set<(e: T) => void>();
  readonly event = (listener: (e: T) => void): Disposable => {
    this.listeners.add(listener);
    return new Disposable(() => this.listeners.delete(listener));
  };
  fire(e: T): void {
    for (const listener of [...this.listeners]) listener(e);
  }
  dispose(): void {
    this.listeners.clear();
  }
}

/** Every line written to an output channel (the extension's log), for tests that scan what it says. */
export const loggedLines: string[] = [];

/** The settings `workspace.getConfiguration` answers with, by full name (e.g. `gptImageEdit.apiBaseUrl`). */
let settings: Record<string, unknown> = {};
export function setSettings(values: Record<string, unknown>): void {
  settings = { ...values };
}

const stub = {
  Uri,
  FileSystemError,
  FileType: { File: 1, Directory: 2 },
  Disposable,
  EventEmitter,
  ProgressLocation: { Notification: 15 },
  workspace: {
    fs: workspaceFs,
    getConfiguration: (section: string) => ({
      get: <T>(name: string, fallback?: T): T | undefined => (`${section}.${name}` in settings ? (settings[`${section}.${name}`] as T) : fallback),
      inspect: (name: string) => ({ globalValue: settings[`${section}.${name}`] }),
    }),
  },
  l10n: {
    t: (message: string, ...args: unknown[]) =>
      message.replace(/\{(\d+)\}/g, (whole, i: string) => (args[Number(i)] === undefined ? whole : String(args[Number(i)]))),
  },
  window: {
    createOutputChannel: () => {
      const write = (line: string) => void loggedLines.push(line);
      return { trace: write, debug: write, info: write, warn: write, error: write, show() {}, dispose() {} };
    },
  },
};

/** The built image pipeline, for src/image/pipeline.ts's `require(<its folder>/imagePipeline.js)`. */
const BUILT_PIPELINE = path.join(__dirname.slice(0, __dirname.lastIndexOf(`${path.sep}dist-test`)), 'dist', 'imagePipeline.js');

const loader = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
const original = loader._load;
loader._load = function (request: string, ...rest: unknown[]) {
  if (request === 'vscode') return stub;
  if (path.isAbsolute(request) && path.basename(request) === 'imagePipeline.js') return original.call(this, BUILT_PIPELINE, ...rest);
  return original.call(this, request, ...rest);
};
