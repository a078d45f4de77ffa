// The history on disk, shared by every window: two processes on one folder, writing at once, lose
// no record and settle each run exactly once. This file is also the worker: run with
// RUN_STORE_WORKER set, it plays one extension host.
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { DEFAULT_OPTIONS } from '../../../src/shared/options';
import { LEASE_STALE_MS, RunStore } from '../../../src/history/runStore';
import { RECORD_VERSION, readRecord, type RunRecord } from '../../../src/history/runRecord';

const SHARED_RUNS = 100;
const OWN_RECORDS = 50;

function record(id: string, status: RunRecord['status'] = 'inFlight'): RunRecord {
  return {
    version: RECORD_VERSION,
    id,
    idempotencyKey: `key-${id}`,
    runId: `run-${id}`,
    inputs: ['file:///w/photo.png'],
    masked: false,
    prompt: `edit ${id}`,
    options: { ...DEFAULT_OPTIONS },
    outputFolder: 'file:///w',
    status,
    createdAt: Date.now(),
    outputs: [],
  };
}

/** One extension host: records its own runs, and settles every shared run it can claim. */
async function worker(dir: string, name: string): Promise<void> {
  const store = new RunStore(dir);
  const owner = `${name}-${process.pid}`;
  // Nothing is settled before the other host has started too, so neither can take every run alone.
  await fs.writeFile(path.join(dir, `started-${name}`), '');
  const other = path.join(dir, `started-${name === 'a' ? 'b' : 'a'}`);
  for (let i = 0; i < 5000 && !(await fs.stat(other).catch(() => undefined)); i++) await new Promise((resolve) => setTimeout(resolve, 1));
  const own = Array.from({ length: OWN_RECORDS }, (_, i) =>
    store.put(record(`${name}-${i}`)).then(() => store.update(`${name}-${i}`, (r) => ({ ...r, message: 'touched' }))),
  );
  const settle = async (id: string): Promise<void> => {
    for (let attempt = 0; attempt < 2000; attempt++) {
      if (await store.claim(id, owner)) {
        try {
          const current = await store.get(id);
          if (current?.status !== 'inFlight') return;
          await fs.appendFile(path.join(dir, 'settled.log'), `${id} ${owner}\n`);
          // Settling takes a moment (a download, a save): long enough for the other host to meet this lease.
          await new Promise((resolve) => setTimeout(resolve, 2));
          await store.update(id, (r) => ({ ...r, status: 'saved', outputs: [{ variant: 1, uri: `file:///w/${id}.png` }] }));
          return;
        } finally {
          await store.release(id, owner);
        }
      }
      if ((await store.get(id))?.status === 'saved') return;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    throw new Error(`${owner} never saw ${id} settled`);
  };
  const ids = Array.from({ length: SHARED_RUNS }, (_, i) => `shared-${i}`);
  // The two hosts walk the shared runs one by one in opposite orders, so they meet in the middle
  // (and contend there), while their own records are written all at once.
  if (name === 'b') ids.reverse();
  const walk = async (): Promise<void> => {
    for (const id of ids) await settle(id);
  };
  await Promise.all([...own, walk()]);
}

if (process.env.RUN_STORE_WORKER) {
  const [dir, name] = process.env.RUN_STORE_WORKER.split('|');
  // Both hosts start together: each says it is ready, then waits for the word.
  new Promise((resolve) => {
    process.once('message', resolve);
    process.send?.('ready');
  })
    .then(() => worker(dir, name))
    .then(
      () => process.exit(0),
      (e) => {
        console.error(e);
        process.exit(1);
      },
    );
} else {
  test('two extension hosts on one storage, writing at once, lose no record and settle each run exactly once', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'run-store-'));
    try {
      const store = new RunStore(dir);
      for (let i = 0; i < SHARED_RUNS; i++) await store.put(record(`shared-${i}`));
      const children = ['a', 'b'].map((name) => fork(__filename, [], { env: { ...process.env, RUN_STORE_WORKER: `${dir}|${name}` }, stdio: 'inherit' }));
      const exits = children.map((child) => new Promise<number | null>((resolve) => child.on('exit', resolve)));
      await Promise.all(children.map((child) => new Promise((resolve) => child.once('message', resolve))));
      for (const child of children) child.send('go');
      assert.deepEqual(await Promise.all(exits), [0, 0]);
      const records = await store.list();
      assert.equal(records.length, SHARED_RUNS + 2 * OWN_RECORDS, 'no record lost');
      for (const name of ['a', 'b']) {
        const own = records.filter((r) => r.id.startsWith(`${name}-`));
        assert.equal(own.length, OWN_RECORDS);
        assert.ok(
          own.every((r) => r.message === 'touched'),
          'every update of every record kept',
        );
      }
      assert.ok(records.filter((r) => r.id.startsWith('shared-')).every((r) => r.status === 'saved'));
      const settled = (await fs.readFile(path.join(dir, 'settled.log'), 'utf8'))
        .trim()
        .split('\n')
        .map((line) => line.split(' ')[0]);
      assert.equal(settled.length, SHARED_RUNS, 'each shared run settled exactly once');
      assert.equal(new Set(settled).size, SHARED_RUNS);
      const settlers = new Set(
        (await fs.readFile(path.join(dir, 'settled.log'), 'utf8'))
          .trim()
          .split('\n')
          .map((line) => line.split(' ')[1].split('-')[0]),
      );
      assert.deepEqual([...settlers].sort(), ['a', 'b'], 'both hosts settled some: they really competed');
      assert.deepEqual(
        (await fs.readdir(path.join(dir, 'leases'))).filter((n) => !n.endsWith('.json')),
        [],
        'no stale or temporary lease file left',
      );
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  test('a lease is exclusive while renewed, and taken over once stale', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'run-store-'));
    try {
      const store = new RunStore(dir);
      const t0 = Date.now();
      assert.equal(await store.claim('r1', 'window-a', t0), true);
      assert.equal(await store.claim('r1', 'window-b', t0 + 1000), false, 'held by a live window');
      assert.equal(await store.heldElsewhere('r1', 'window-b', t0 + 1000), true);
      assert.equal(await store.renew('r1', 'window-a', t0 + 20_000), true);
      assert.equal(await store.claim('r1', 'window-b', t0 + 20_000 + LEASE_STALE_MS - 1), false, 'a renewal keeps it');
      assert.equal(await store.claim('r1', 'window-b', t0 + 20_000 + LEASE_STALE_MS + 1), true, 'a stale lease is taken over');
      assert.equal(await store.renew('r1', 'window-a', t0 + 60_000), false, 'the old holder learns it lost the lease');
      await store.release('r1', 'window-a');
      assert.equal(await store.heldElsewhere('r1', 'window-a', t0 + 60_000), true, 'a release by a non-holder does nothing');
      await store.release('r1', 'window-b');
      assert.equal(await store.claim('r1', 'window-a'), true);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  test('records are validated when read; a version-1 record migrates; a damaged file is skipped', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'run-store-'));
    try {
      const store = new RunStore(dir);
      await store.put(record('good'));
      await fs.writeFile(path.join(dir, 'runs', 'broken.json'), '{"version":2,"id":"broken"');
      await fs.writeFile(path.join(dir, 'runs', 'wrong.json'), JSON.stringify({ ...record('wrong'), status: 'exploded' }));
      assert.deepEqual(
        (await store.list()).map((r) => r.id),
        ['good'],
      );
      const v1 = {
        runId: 'b5f1c2d4-0000-4000-8000-000000000001',
        clientRef: 'c0ffee00-0000-4000-8000-000000000002',
        inputs: ['file:///w/photo.png'],
        masked: true,
        prompt: 'old',
        options: { ...DEFAULT_OPTIONS, numImages: 2, outputFormat: 'jpeg', imageSize: 'square', quality: 'low', matchOriginal: false },
        outputFolder: 'file:///w',
        status: 'stoppedWaiting',
        createdAt: 1,
        outputs: [],
        lease: { owner: 'x', at: 1 },
      };
      const migrated = readRecord(v1);
      assert.ok(migrated);
      assert.equal(migrated.version, RECORD_VERSION);
      assert.equal(migrated.id, v1.clientRef);
      assert.equal(migrated.runId, v1.runId);
      assert.equal(migrated.status, 'stoppedWaiting');
      assert.equal('lease' in migrated, false);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
}
