// The house's rules, read from the imports of src/ (until the linter holds them): folders do not
// import each other, nothing imports the entry file, and only the edit runner assembles an edit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const src = path.join(__dirname, '../../../../src');

interface Import {
  from: string;
  to: string;
  /** The value names it binds (type-only names left out). */
  values: string[];
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(full) : entry.name.endsWith('.ts') ? [full] : [];
  });
}

function resolve(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(from), specifier);
  return [`${base}.ts`, path.join(base, 'index.ts')].find((candidate) => fs.existsSync(candidate));
}

const imports: Import[] = sourceFiles(src).flatMap((file) => {
  const text = fs.readFileSync(file, 'utf8');
  const found: Import[] = [];
  for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*'([^']+)'/gm)) {
    const to = resolve(file, m[4]);
    const names = m[3].replace(/[{}]/g, '').split(',').map((n) => n.trim()).filter(Boolean);
    const values = m[2] ? [] : names.filter((n) => !n.startsWith('type ')).map((n) => n.replace(/^\* as /, '').split(/\s+as\s+/)[0]);
    if (to) found.push({ from: file, to, values });
  }
  for (const m of text.matchAll(/require\('([^']+)'\)/g)) {
    const to = resolve(file, m[1]);
    if (to) found.push({ from: file, to, values: ['*'] });
  }
  return found;
});

/** A file's room: its folder under src/, or the file itself at the root. */
function room(file: string): string {
  const relative = path.relative(src, file);
  return relative.includes(path.sep) ? relative.split(path.sep)[0] : relative;
}

const relative = (file: string) => path.relative(src, file).split(path.sep).join('/');

test('no two rooms of src/ import each other', () => {
  const edges = new Map<string, string[]>();
  for (const i of imports) {
    const [a, b] = [room(i.from), room(i.to)];
    if (a !== b) edges.set(`${a} -> ${b}`, [...(edges.get(`${a} -> ${b}`) ?? []), `${relative(i.from)} -> ${relative(i.to)}`]);
  }
  const mutual = [...edges.keys()].filter((edge) => {
    const [a, b] = edge.split(' -> ');
    return a < b && edges.has(`${b} -> ${a}`);
  });
  assert.deepEqual(
    mutual.map((edge) => {
      const [a, b] = edge.split(' -> ');
      return { [edge]: edges.get(edge), [`${b} -> ${a}`]: edges.get(`${b} -> ${a}`) };
    }),
    [],
  );
});

test('nothing imports the entry file', () => {
  assert.deepEqual(imports.filter((i) => relative(i.to) === 'extension.ts').map((i) => relative(i.from)), []);
});

test('only the edit runner makes clients and the job\'s services', () => {
  const runner = 'edit/editRunner.ts';
  // A client is constructed from the RunflowClient class; the services need the leases and the durations.
  const makers = imports.filter(
    (i) =>
      i.values.length > 0 &&
      relative(i.from) !== runner &&
      !relative(i.from).startsWith('runflow/') &&
      ((relative(i.to).startsWith('runflow/') && i.values.includes('RunflowClient')) || ['history/runLeases.ts', 'edit/durationStore.ts'].includes(relative(i.to))),
  );
  assert.deepEqual(makers.map((i) => `${relative(i.from)} -> ${relative(i.to)}: ${i.values.join(', ')}`), []);
});
