// A minimal `vscode` module for unit-testing extension files in plain Node: an output channel
// (src/log.ts), and file URIs with `workspace.fs` over the real disk, so src/edit/saver.ts runs as
// it is. Must be imported before them: esbuild keeps import order.
import Module from 'node:module';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

class Uri {
  private constructor(
    readonly scheme: string,
    readonly path: string,
  ) {}
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
    return `${this.scheme}://${this.path}`;
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
  readFile: (uri: Uri) => fs.readFile(uri.fsPath).then((b) => new Uint8Array(b), (e) => Promise.reject(asFsError(e))),
  writeFile: (uri: Uri, bytes: Uint8Array) => fs.writeFile(uri.fsPath, bytes).catch((e) => Promise.reject(asFsError(e))),
  delete: (uri: Uri) => fs.rm(uri.fsPath).catch((e) => Promise.reject(asFsError(e))),
  stat: (uri: Uri) => fs.stat(uri.fsPath).then((s) => ({ size: s.size }), (e) => Promise.reject(asFsError(e))),
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

const stub = {
  Uri,
  FileSystemError,
  FileType: { File: 1, Directory: 2 },
  workspace: { fs: workspaceFs },
  window: {
    createOutputChannel: () => ({ trace() {}, debug() {}, info() {}, warn() {}, error() {}, show() {}, dispose() {} }),
  },
};

const loader = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
const original = loader._load;
loader._load = function (request: string, ...rest: unknown[]) {
  if (request === 'vscode') return stub;
  return original.call(this, request, ...rest);
};
