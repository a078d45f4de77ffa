// ESLint: typescript-eslint's recommended rules, and the house's floors (docs/architecture.md).
// `npm run lint` runs it with the formatter's check; `npm test` runs that.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const src = path.join(path.dirname(fileURLToPath(import.meta.url)), 'src');

/**
 * Each room of src/ (a folder, or a file at the root) on its floor: a module imports only from its
 * own room or a lower floor, so no import runs back up and no two rooms import each other. The
 * entry is the top floor: nothing imports it.
 */
const FLOORS = {
  'extension.ts': 10,
  'main.ts': 9,
  'testingApi.ts': 8,
  agent: 7,
  account: 7,
  resume: 7,
  panel: 6,
  batch: 5,
  edit: 4,
  image: 2.5,
  platform: 3.5,
  history: 3.3,
  settings: 3.2,
  runflow: 2,
  webview: 1.5,
  shared: 1,
};

/** A file's room: its folder under src/, or the file itself at the root. */
function roomOf(file) {
  const relative = path.relative(src, file);
  if (relative.startsWith('..')) return undefined;
  return relative.includes(path.sep) ? relative.split(path.sep)[0] : relative;
}

/** The room `specifier` (relative to `file`) lands in: `x` may be `x.ts` or `x/index.ts`. */
function targetRoom(file, specifier) {
  const target = path.resolve(path.dirname(file), specifier);
  const room = roomOf(target);
  return room !== undefined && !(room in FLOORS) && `${room}.ts` in FLOORS ? `${room}.ts` : room;
}

const house = {
  rules: {
    floors: {
      meta: {
        type: 'problem',
        messages: { up: "{{from}} (floor {{fromFloor}}) may not import {{to}} (floor {{toFloor}}): imports go down the house's floors (eslint.config.mjs)." },
      },
      create(context) {
        const from = roomOf(context.filename);
        if (from === undefined) return {};
        const check = (node) => {
          const specifier = node.source?.value;
          if (typeof specifier !== 'string' || !specifier.startsWith('.')) return;
          const to = targetRoom(context.filename, specifier);
          if (to === undefined || to === from) return;
          const [fromFloor, toFloor] = [FLOORS[from], FLOORS[to]];
          if (fromFloor === undefined || toFloor === undefined || toFloor >= fromFloor) {
            context.report({ node: node.source, messageId: 'up', data: { from, to, fromFloor: String(fromFloor), toFloor: String(toFloor) } });
          }
        };
        return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check };
      },
    },
  },
};

/** Only the edit runner (src/edit/editRunner.ts) makes a client and a job's services: every edit is assembled in one place. */
const ONE_EDIT_ASSEMBLER = {
  'no-restricted-syntax': [
    'error',
    { selector: "NewExpression[callee.name='RunflowClient']", message: 'Clients are made by the edit runner (createClient in src/edit/editRunner.ts).' },
  ],
  '@typescript-eslint/no-restricted-imports': [
    'error',
    {
      patterns: [
        {
          group: ['**/history/runLeases', '**/edit/durationStore'],
          allowTypeImports: true,
          message: "A job's services are assembled by the edit runner (src/edit/editRunner.ts).",
        },
      ],
    },
  ],
};

export default tseslint.config(
  { ignores: ['dist/**', 'dist-test/**', 'node_modules/**', '.tools/**', '.test-output/**', '.scratch/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // `void promise` marks a promise deliberately not awaited.
      'no-void': 'off',
    },
  },
  // Tests load suites in order and the built bundles by path (dist/imagePipeline.js), with require.
  { files: ['test/**/*.ts', 'bench/**/*.ts'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
  { files: ['src/**/*.ts'], plugins: { house }, rules: { 'house/floors': 'error', ...ONE_EDIT_ASSEMBLER } },
  { files: ['src/edit/editRunner.ts'], rules: { 'no-restricted-syntax': 'off', '@typescript-eslint/no-restricted-imports': 'off' } },
  { files: ['src/runflow/**/*.ts'], rules: { 'no-restricted-syntax': 'off' } },
  {
    files: ['src/runflow/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'The API client runs without VS Code.' }] }] },
  },
  {
    files: ['src/shared/**/*.ts', 'src/webview/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'The webview and the shared modules run without VS Code.' }],
          patterns: [{ group: ['node:*'], message: 'The webview and the shared modules run without Node.' }],
        },
      ],
    },
  },
);
