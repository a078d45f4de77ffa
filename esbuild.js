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
  return fs.readdirSync(dir, { recursive: true })
    .filter((f) => f.endsWith(suffix))
    .map((f) => path.join(dir, f));
}

const common = { bundle: true, logLevel: 'warning', sourcemap: production ? false : 'linked' };

const builds = [
  // The extension host loads dist/extension.js at activation; it requires dist/main.js (client,
  // zod, undici, panel) only when a command first needs it, so activation stays cheap.
  {
    ...common,
    entryPoints: { extension: 'src/extension.ts', main: 'src/main.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', './main.js'],
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
  const contexts = await Promise.all(
    builds.filter((b) => Object.keys(b.entryPoints).length > 0).map((b) => esbuild.context(b)),
  );
  if (watch) {
    await Promise.all(contexts.map((c) => c.watch()));
    return;
  }
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
