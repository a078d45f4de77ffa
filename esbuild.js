// Builds every bundle: the extension (a light entry + the heavy part loaded on first use), the
// webview's browser bundle, and the test/emulator/bench bundles. `--production` minifies and
// drops source maps; `--watch` rebuilds on change.
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Every `*.ts` file directly inside a test folder that matches `suffix`. */
function entries(dir, suffix) {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true })
    .filter((f) => f.endsWith(suffix))
    .map((f) => path.join(dir, f));
}

const common = { bundle: true, logLevel: 'warning', sourcemap: production ? false : 'linked' };

/**
 * The image pipeline runs sharp's WebAssembly build on every platform, so the .vsix stays one
 * universal package and development runs the very codec that ships: sharp's loader of native
 * binaries is replaced by one that loads only `@img/sharp-wasm32`, which stays a folder of its own
 * (its Emscripten loader starts worker threads from its own file and reads the .wasm beside it).
 */
const sharpWasmOnly = {
  name: 'sharp-wasm-only',
  setup(build) {
    build.onLoad({ filter: /[\\/]sharp[\\/]dist[\\/]sharp\.cjs$/ }, () => ({
      contents: "module.exports = require('@img/sharp-wasm32/sharp.node');",
      loader: 'js',
    }));
  },
};
const SHARP_WASM_FILES = ['package.json', 'index.cjs', 'versions.json', 'LICENSE', 'lib'];

/** Puts `@img/sharp-wasm32` and its one dependency (bundled into a file) under dist/node_modules. */
async function copyWasmCodec() {
  const from = path.join('node_modules', '@img', 'sharp-wasm32');
  const to = path.join('dist', 'node_modules', '@img', 'sharp-wasm32');
  fs.rmSync(to, { recursive: true, force: true });
  for (const f of SHARP_WASM_FILES) fs.cpSync(path.join(from, f), path.join(to, f), { recursive: true });
  await esbuild.build({
    entryPoints: [path.join('node_modules', '@emnapi', 'runtime', 'index.js')],
    outfile: path.join('dist', 'node_modules', '@emnapi', 'runtime', 'index.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minify: true,
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
}

const builds = [
  // The extension host loads dist/extension.js at activation; it requires dist/main.js (client,
  // zod, panel) only when a command first needs it, so activation stays cheap.
  {
    ...common,
    entryPoints: { extension: 'src/extension.ts', main: 'src/main.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // dist/undici.js (the build below) is required at the first request.
    external: ['vscode', './main.js', './imagePipeline.js', './undici.js'],
    minify: production,
  },
  // Only the parts of undici the client uses (src/runflow/undici.ts).
  {
    ...common,
    entryPoints: { undici: 'src/runflow/undici.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minify: production,
  },
  // The image pipeline (sharp, WebAssembly): loaded by dist/main.js on its first image operation.
  {
    ...common,
    entryPoints: { imagePipeline: 'src/image/imagePipeline.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['@img/sharp-wasm32/*', '@img/sharp-*'],
    plugins: [sharpWasmOnly],
    // sharp's CommonJS build: its ES build finds files through import.meta.url, which a CJS bundle lacks.
    alias: { sharp: './node_modules/sharp/dist/index.cjs' },
    minify: production,
  },
  {
    ...common,
    entryPoints: { webview: 'src/webview/main.ts' },
    outdir: 'dist',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    minify: production,
    loader: { '.css': 'text' },
  },
  // Pages the UI tests load into a bare Chromium page (parts of the webview, built like it).
  {
    ...common,
    sourcemap: 'inline',
    entryPoints: entries('test/ui/fixtures', '.ts'),
    outbase: '.',
    outdir: 'dist-test',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    loader: { '.css': 'text' },
  },
  // Tests, the emulator and benchmarks: node_modules stay external and resolve at run time.
  {
    ...common,
    sourcemap: 'linked',
    entryPoints: [
      ...entries('test/unit', '.test.ts'),
      ...entries('test/ui', '.test.ts'),
      ...entries('bench', '.ts'),
      'test/emulator/cli.ts',
      'test/integration/index.ts',
      'test/vscode/run.ts',
      'test/vscode/start.ts',
      'test/vscode/electron.ts',
    ].filter((f) => fs.existsSync(f)),
    outbase: '.',
    outdir: 'dist-test',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external',
    external: ['vscode'],
  },
];

async function main() {
  const contexts = await Promise.all(builds.filter((b) => Object.keys(b.entryPoints).length > 0).map((b) => esbuild.context(b)));
  if (watch) {
    await copyWasmCodec();
    await Promise.all(contexts.map((c) => c.watch()));
    return;
  }
  await copyWasmCodec();
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
