// A minimal `vscode` module for unit-testing extension files that import it only for types or
// an output channel (src/log.ts). Must be imported before them: esbuild keeps import order.
import Module from 'node:module';

const stub = {
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
