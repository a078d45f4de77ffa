// runBatch: start order, the concurrency bound, failures that do not stop others, abort.
// runStaged: a first stage that runs ahead of the work, within its bound.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runBatch, runStaged } from '../../../src/batch/batchQueue';

const tick = (ms = 1): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Work that records how many items are in flight and rejects with the signal's abort. */
function tracked(delayFor: (index: number) => number = () => 5) {
  let inFlight = 0;
  let maxInFlight = 0;
  const started: number[] = [];
  const work = async (item: number, index: number, signal: AbortSignal): Promise<number> => {
    started.push(index);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, delayFor(index));
        signal.addEventListener(
          'abort',
          () => {
            clearTimeout(timer);
            reject(new Error('aborted'));
          },
          { once: true },
        );
      });
      return item * 10;
    } finally {
      inFlight--;
    }
  };
  return { work, started, maxInFlight: () => maxInFlight };
}

test('items start in list order and outcomes come back in list order', async () => {
  const items = [1, 2, 3, 4, 5, 6, 7];
  // Later items finish first, so settling order differs from list order.
  const t = tracked((i) => (items.length - i) * 3);
  const settled: number[] = [];
  const outcomes = await runBatch(items, {
    concurrency: 3,
    signal: new AbortController().signal,
    work: t.work,
    onItemSettled: (o) => settled.push(o.index),
  });
  assert.deepEqual(t.started, [0, 1, 2, 3, 4, 5, 6]);
  assert.deepEqual(
    outcomes.map((o) => [o.index, o.status, o.result]),
    items.map((v, i) => [i, 'succeeded', v * 10]),
  );
  assert.notDeepEqual(settled, [0, 1, 2, 3, 4, 5, 6]);
  assert.equal(settled.length, items.length);
});

test('never more than `concurrency` items are in flight, and the bound is used', async () => {
  for (const concurrency of [1, 2, 4]) {
    const t = tracked((i) => 2 + (i % 3) * 4);
    let current = 0;
    let maxSeen = 0;
    await runBatch(
      Array.from({ length: 20 }, (_, i) => i),
      {
        concurrency,
        signal: new AbortController().signal,
        work: t.work,
        onItemStart: () => (maxSeen = Math.max(maxSeen, ++current)),
        onItemSettled: () => current--,
      },
    );
    assert.equal(t.maxInFlight(), concurrency);
    assert.equal(maxSeen, concurrency);
  }
});

test('more lanes than items: each item runs once', async () => {
  const t = tracked();
  const outcomes = await runBatch([1, 2], { concurrency: 8, signal: new AbortController().signal, work: t.work });
  assert.deepEqual(t.started, [0, 1]);
  assert.deepEqual(
    outcomes.map((o) => o.status),
    ['succeeded', 'succeeded'],
  );
});

test('a failing item does not stop the others; its error is kept', async () => {
  const boom = new Error('boom');
  const outcomes = await runBatch([0, 1, 2, 3, 4], {
    concurrency: 2,
    signal: new AbortController().signal,
    work: async (item) => {
      await tick();
      if (item === 1) throw boom;
      return item;
    },
  });
  assert.deepEqual(
    outcomes.map((o) => o.status),
    ['succeeded', 'failed', 'succeeded', 'succeeded', 'succeeded'],
  );
  assert.equal(outcomes[1].error, boom);
  assert.equal(outcomes[1].result, undefined);
});

test('abort: running work gets the abort and is canceled, nothing new starts', async () => {
  const controller = new AbortController();
  const t = tracked(() => 10_000);
  const startedAt: number[] = [];
  const batch = runBatch([0, 1, 2, 3, 4, 5], {
    concurrency: 2,
    signal: controller.signal,
    work: t.work,
    onItemStart: (i) => startedAt.push(i),
  });
  await tick(5);
  controller.abort();
  const outcomes = await batch;
  assert.deepEqual(startedAt, [0, 1]);
  assert.deepEqual(
    outcomes.map((o) => o.status),
    ['canceled', 'canceled', 'not_started', 'not_started', 'not_started', 'not_started'],
  );
  assert.ok(outcomes[0].error instanceof Error);
});

test('abort: work that finishes anyway still counts as succeeded', async () => {
  const controller = new AbortController();
  const outcomes = await runBatch([0, 1, 2], {
    concurrency: 1,
    signal: controller.signal,
    // Ignores the signal, like a save that is already past the point of no return.
    work: async (item) => {
      controller.abort();
      await tick();
      return item;
    },
  });
  assert.deepEqual(
    outcomes.map((o) => o.status),
    ['succeeded', 'not_started', 'not_started'],
  );
});

test('an already aborted signal starts nothing', async () => {
  const controller = new AbortController();
  controller.abort();
  let calls = 0;
  const outcomes = await runBatch([1, 2, 3], {
    concurrency: 2,
    signal: controller.signal,
    work: async () => ++calls,
  });
  assert.equal(calls, 0);
  assert.deepEqual(
    outcomes.map((o) => o.status),
    ['not_started', 'not_started', 'not_started'],
  );
});

test('an empty list resolves at once with no outcomes', async () => {
  assert.deepEqual(await runBatch([], { concurrency: 4, signal: new AbortController().signal, work: async () => 1 }), []);
});

test('a throwing onItemStart fails only that item', async () => {
  const outcomes = await runBatch([0, 1], {
    concurrency: 1,
    signal: new AbortController().signal,
    work: async (item) => item,
    onItemStart: (i) => {
      if (i === 0) throw new Error('listener');
    },
  });
  assert.deepEqual(
    outcomes.map((o) => o.status),
    ['failed', 'succeeded'],
  );
});

test('a throwing onItemSettled neither loses outcomes nor stops the batch', async () => {
  const outcomes = await runBatch([0, 1, 2], {
    concurrency: 2,
    signal: new AbortController().signal,
    work: async (item) => item,
    onItemSettled: () => {
      throw new Error('listener');
    },
  });
  assert.deepEqual(
    outcomes.map((o) => o.status),
    ['succeeded', 'succeeded', 'succeeded'],
  );
});

test("runStaged: an item's work starts after its first stage, which runs at most `ahead` items beyond the work started", async () => {
  const events: string[] = [];
  let workStarted = 0;
  let mostAhead = 0;
  let prepared = 0;
  const outcomes = await runStaged([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], {
    concurrency: 2,
    ahead: 3,
    signal: new AbortController().signal,
    prepare: async (_item, index) => {
      mostAhead = Math.max(mostAhead, index - workStarted);
      events.push(`prepare ${index}`);
      await tick(index === 0 ? 20 : 1);
      prepared++;
    },
    onPrepared: () => events.push(`all prepared (${prepared})`),
    work: async (item, index) => {
      assert.ok(events.includes(`prepare ${index}`), `item ${index} prepared before its work`);
      workStarted = Math.max(workStarted, index + 1);
      await tick(5);
      return item * 10;
    },
  });
  assert.deepEqual(
    outcomes.map((o) => o.result),
    [0, 10, 20, 30, 40, 50, 60, 70, 80, 90],
  );
  assert.ok(mostAhead <= 3, `the first stage ran ${mostAhead} items ahead`);
  assert.equal(events.filter((e) => e.startsWith('all prepared')).length, 1);
  assert.ok(events.indexOf('all prepared (10)') > events.indexOf('prepare 9'));
});

test('runStaged: a failed first stage leaves the item to its work; an abort stops both stages', async () => {
  const abort = new AbortController();
  const prepared: number[] = [];
  const outcomes = await runStaged([0, 1, 2, 3, 4, 5], {
    concurrency: 1,
    ahead: 10,
    signal: abort.signal,
    prepare: async (_item, index) => {
      prepared.push(index);
      if (index === 0) throw new Error('upload failed');
    },
    work: async (_item, index) => {
      if (index === 1) abort.abort();
      return index;
    },
  });
  assert.equal(outcomes[0].status, 'succeeded', 'the work still ran');
  assert.deepEqual(
    outcomes.slice(2).map((o) => o.status),
    ['not_started', 'not_started', 'not_started', 'not_started'],
  );
  assert.ok(prepared.length < 6, `the first stage stopped (${prepared.join(', ')})`);
});

test('an item that releases its lane lets the next one start while it finishes, and the batch waits for both', { timeout: 5_000 }, async () => {
  // With one lane, the first item finishes only once the second has started: a lane still held
  // by the first item would never start the second (the test then times out).
  let secondStarted!: () => void;
  const second = new Promise<void>((resolve) => (secondStarted = resolve));
  const settled: number[] = [];
  const outcomes = await runBatch([1, 2], {
    concurrency: 1,
    signal: new AbortController().signal,
    work: async (item, index, _signal, release) => {
      if (index === 1) {
        secondStarted();
        return item * 10;
      }
      release();
      await second;
      await tick();
      return item * 10;
    },
    onItemSettled: (o) => settled.push(o.index),
  });
  assert.deepEqual(settled, [1, 0], 'the second settled while the first finished');
  assert.deepEqual(
    outcomes.map((o) => [o.status, o.result]),
    [
      ['succeeded', 10],
      ['succeeded', 20],
    ],
  );
});

test('released items: never more than `concurrency` unreleased, nor twice `concurrency` finishing past their release', async () => {
  let unreleased = 0;
  let finishing = 0;
  let maxUnreleased = 0;
  let maxFinishing = 0;
  const outcomes = await runStaged([...Array(20).keys()], {
    concurrency: 3,
    signal: new AbortController().signal,
    ahead: 4,
    prepare: () => tick(),
    work: async (item, _index, _signal, release) => {
      maxUnreleased = Math.max(maxUnreleased, ++unreleased);
      await tick();
      unreleased--;
      release();
      maxFinishing = Math.max(maxFinishing, ++finishing);
      // Finishing takes longer than running, so finished items would pile up without the bound.
      await tick(10);
      finishing--;
      return item;
    },
  });
  assert.deepEqual(
    outcomes.map((o) => o.result),
    [...Array(20).keys()],
  );
  assert.equal(maxUnreleased, 3);
  assert.ok(maxFinishing > 3 && maxFinishing <= 6, `${maxFinishing} finishing at once`);
});
