// Child process of the activation figures: loads an extension bundle with a stub `vscode` module,
// calls `activate`, and prints {"ms": …, "loaded": [files under the bundle's folder it required]}:
// ms is require + activate; loaded also counts loads activation schedules for right after. With
// --first-use it then requires dist/main.js as the first command does (extension.ts `loadMain`)
// and adds "firstUseMs", the time of that require; loaded then includes what it pulled in.
// Usage: node dist-test/bench/activationProbe.js <path/to/extension.js> [--first-use]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import Module, { createRequire } from 'node:module';
import { dirname, join, resolve, sep } from 'node:path';

/** Anything: every property, call and `new` gives another stub, so any vscode API use works. */
function anything(): unknown {
  const props = new Map<PropertyKey, unknown>();
  return new Proxy(function stub() {}, {
    // `then` stays undefined so an awaited stub is not mistaken for a promise.
    get: (_, key) => (key === 'then' ? undefined : (props.get(key) ?? props.set(key, anything()).get(key))),
    apply: () => anything(),
    construct: () => anything() as object,
  });
}

// Bundles copy the module's own property names at require time, so every top-level name of the
// API must exist up front: they are read from the API's type declarations.
const apiNames = readFileSync(join(__dirname, '..', '..', 'node_modules', '@types', 'vscode', 'index.d.ts'), 'utf8').matchAll(
  /^\s*export (?:namespace|class|enum) (\w+)/gm,
);
const EXTENSION_MODE = { Production: 1, Development: 2, Test: 3 };
const vscodeStub = { ...Object.fromEntries([...apiNames].map((m) => [m[1], anything()])), ExtensionMode: EXTENSION_MODE };
/** An empty Memento: a fresh install with no saved state (no runs to resume). */
const emptyState = (): unknown => ({
  keys: () => [],
  get: (_: string, fallback?: unknown) => fallback,
  update: async () => undefined,
  setKeysForSync: () => undefined,
});
// Global storage is a real, empty folder: the history keeps one file per edit there.
const globalStorageUri = { fsPath: mkdtempSync(join(tmpdir(), 'gpt-image-edit-probe-')) };
process.on('exit', () => rmSync(globalStorageUri.fsPath, { recursive: true, force: true }));
const context = new Proxy(
  { subscriptions: [], extensionMode: EXTENSION_MODE.Production, globalState: emptyState(), workspaceState: emptyState(), globalStorageUri } as Record<
    PropertyKey,
    unknown
  >,
  {
    get: (target, key) => (key in target ? target[key] : (target[key] = anything())),
  },
);

type Resolver = (request: string, ...rest: unknown[]) => string;
const moduleInternals = Module as unknown as { _resolveFilename: Resolver; _cache: Record<string, unknown> };
const resolveFilename = moduleInternals._resolveFilename;
moduleInternals._resolveFilename = function (this: unknown, request, ...rest) {
  return request === 'vscode' ? 'vscode' : resolveFilename.call(this, request, ...rest);
};
moduleInternals._cache.vscode = { id: 'vscode', filename: 'vscode', loaded: true, exports: vscodeStub };

const bundle = resolve(process.argv[2] ?? '');
const load = createRequire(bundle);
const started = performance.now();
const extension = load(bundle) as { activate: (context: unknown) => unknown };
extension.activate(context);
const ms = performance.now() - started;
let firstUseMs: number | undefined;
if (process.argv[3] === '--first-use') {
  const firstUse = performance.now();
  load(join(dirname(bundle), 'main.js'));
  firstUseMs = performance.now() - firstUse;
}
// The history watches its folder, which keeps the process alive: its disposables are disposed once
// the work activation schedules (a look for unsettled edits in that empty folder) has had time to run.
setTimeout(() => {
  for (const d of context.subscriptions as { dispose?: () => void }[]) d.dispose?.();
}, 200);
// Read at exit, so a load that activation only schedules (a timer, a promise) is counted too.
process.on('exit', () => {
  const loaded = Object.keys(moduleInternals._cache).filter((f) => f.startsWith(dirname(bundle) + sep));
  process.stdout.write(JSON.stringify({ ms, loaded, firstUseMs }));
});
