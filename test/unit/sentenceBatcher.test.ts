// SentenceBatcher (bulk/sentenceBatcher.ts), against a fake pool whose batches the test answers by hand: each document
// gets its sentences' entities back in its own order whatever order the batches finish in; sentences added in one turn
// of the event loop are sorted by length together, `window` batches' worth at a time; at least one batch per tagger;
// no more is sent while every tagger holds `depth` batches, and the backlog is sent as batches come back; a failed
// batch or an abort rejects every document still waiting, and every later one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { abortReason, SentenceBatcher, type BatcherOptions } from '../../server/src/bulk/sentenceBatcher';
import type { TaggingBackend } from '../../server/src/bulk/backend';
import type { EntityPrediction } from '../../server/src/types';

interface Call {
  texts: string[];
  signal?: AbortSignal;
  answer(results?: EntityPrediction[][]): void;
  fail(error: Error): void;
}

/** The part of a TaggingBackend the batcher uses: size, busy (batches not yet answered) and tagSentences(). */
class FakePool {
  busy = 0;
  readonly calls: Call[] = [];
  constructor(readonly size: number) {}

  tagSentences(texts: string[], signal?: AbortSignal): Promise<EntityPrediction[][]> {
    this.busy++; // synchronously, as TaggerPool.tagSentences counts the request before its first await
    return new Promise((resolve, reject) => {
      let open = true;
      const settle = (): boolean => {
        if (!open) return false;
        open = false;
        this.busy--;
        return true;
      };
      this.calls.push({
        texts,
        signal,
        answer: (results = texts.map(entityFor)) => settle() && resolve(results),
        fail: (error) => settle() && reject(error),
      });
    });
  }

  /** The batches sent so far, as their texts. */
  get sent(): string[][] {
    return this.calls.map((c) => c.texts);
  }
}

/** One entity per sentence, naming it, so a result shows which sentence it came from. */
const entityFor = (text: string): EntityPrediction[] => [{ start: 0, end: text.length, label: `L${text.length}`, text, confidence: 1 }];

function batcher(pool: FakePool, options: BatcherOptions, signal?: AbortSignal): SentenceBatcher {
  return new SentenceBatcher(pool as unknown as TaggingBackend, options, signal);
}

/** Lets the batcher's setImmediate flush (and the promise callbacks before it) run. */
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));
const turns = async (n = 3): Promise<void> => {
  for (let i = 0; i < n; i++) await turn();
};

/** Records how a promise settled, without awaiting it. */
function watch<T>(p: Promise<T>): { state: 'pending' | 'resolved' | 'rejected'; value?: T; error?: unknown } {
  const w: { state: 'pending' | 'resolved' | 'rejected'; value?: T; error?: unknown } = { state: 'pending' };
  p.then(
    (value) => Object.assign(w, { state: 'resolved', value }),
    (error) => Object.assign(w, { state: 'rejected', error }),
  );
  return w;
}

test('one burst is sorted by length across documents; each document gets its own sentence order back', async () => {
  const pool = new FakePool(1);
  const b = batcher(pool, { batchSize: 2, window: 4, depth: 2 });
  const a = watch(b.tagSentences(['aaaa', 'a']));
  const c = watch(b.tagSentences(['aaa', 'aa', 'aaaaa']));
  assert.equal(pool.calls.length, 0, 'nothing is sent before the next turn of the event loop');
  assert.equal(b.backlog, 5);
  await turns();
  // 5 sentences (<= 2 x 4) sorted together: ceil(5 / 2) = 3 batches of at most 2, shortest first.
  assert.deepEqual(pool.sent, [['a', 'aa'], ['aaa', 'aaaa'], ['aaaaa']]);
  assert.equal(b.backlog, 0);
  // Answer the batches last to first: a document resolves only once all its sentences are back.
  pool.calls[2].answer();
  await turns();
  assert.equal(c.state, 'pending');
  pool.calls[1].answer();
  await turns();
  assert.equal(a.state, 'pending');
  assert.equal(c.state, 'pending');
  pool.calls[0].answer();
  await turns();
  assert.deepEqual(a.value, [entityFor('aaaa'), entityFor('a')]);
  assert.deepEqual(c.value, [entityFor('aaa'), entityFor('aa'), entityFor('aaaaa')]);
});

test('equal lengths keep their arrival order, across documents', async () => {
  const pool = new FakePool(1);
  const b = batcher(pool, { batchSize: 10, window: 1, depth: 1 });
  void b.tagSentences(['xx', 'y']);
  void b.tagSentences(['zz', 'w']);
  await turns();
  assert.deepEqual(pool.sent, [['y', 'w', 'xx', 'zz']]);
});

test('only batchSize x window sentences are sorted together; the next window follows in arrival order', async () => {
  const pool = new FakePool(1);
  const b = batcher(pool, { batchSize: 2, window: 1, depth: 10 });
  const doc = b.tagSentences(['dddd', 'c', 'bbb', 'a']);
  await turns();
  assert.deepEqual(pool.sent, [['c', 'dddd'], ['a', 'bbb']]);
  for (const call of pool.calls) call.answer();
  assert.deepEqual(await doc, ['dddd', 'c', 'bbb', 'a'].map(entityFor));
});

test('sentences added in a later turn are not sorted with those already sent', async () => {
  const together = new FakePool(1);
  const t = batcher(together, { batchSize: 256, window: 4, depth: 2 });
  void t.tagSentences(['ccc']);
  void t.tagSentences(['a']);
  await turns();
  assert.deepEqual(together.sent, [['a', 'ccc']]);

  const apart = new FakePool(1);
  const s = batcher(apart, { batchSize: 256, window: 4, depth: 2 });
  void s.tagSentences(['ccc']);
  await turns();
  void s.tagSentences(['a']);
  await turns();
  assert.deepEqual(apart.sent, [['ccc'], ['a']]);
});

test('a small job is split so that every tagger gets a batch', async () => {
  // batches = max(ceil(n / batchSize), min(taggers, n)), sizes as even as possible (at most one apart).
  const cases: [taggers: number, sentences: number, sizes: number[]][] = [
    [2, 3, [2, 1]],
    [2, 1, [1]],
    [4, 8, [2, 2, 2, 2]],
    [3, 4, [2, 1, 1]],
    [4, 6, [2, 2, 1, 1]],
    [8, 9, [2, 1, 1, 1, 1, 1, 1, 1]],
  ];
  for (const [taggers, n, sizes] of cases) {
    const pool = new FakePool(taggers);
    const b = batcher(pool, { batchSize: 256, window: 4, depth: 2 });
    const texts = Array.from({ length: n }, (_, i) => 'x'.repeat(i + 1));
    const doc = b.tagSentences(texts);
    await turns();
    assert.deepEqual(pool.sent.map((s) => s.length), sizes, `${taggers} taggers, ${n} sentences`);
    assert.deepEqual(pool.sent.flat(), texts, 'every sentence sent once, shortest first');
    for (const call of pool.calls) call.answer();
    assert.deepEqual(await doc, texts.map(entityFor));
  }
});

test('a large burst: batches of at most batchSize, every sentence sent exactly once', async () => {
  const pool = new FakePool(2);
  const b = batcher(pool, { batchSize: 3, window: 2, depth: 100 });
  const texts = Array.from({ length: 20 }, (_, i) => 'w'.repeat(1 + ((i * 7) % 11)) + i);
  const doc = b.tagSentences(texts);
  await turns();
  // Windows of 3 x 2 = 6 sentences: 6, 6, 6, 2 -> 2 + 2 + 2 + 2 batches (the last: min(2 taggers, 2) = 2 of 1).
  assert.deepEqual(pool.sent.map((s) => s.length), [3, 3, 3, 3, 3, 3, 1, 1]);
  assert.deepEqual([...pool.sent.flat()].sort(), [...texts].sort());
  for (const batch of pool.sent) assert.deepEqual(batch, [...batch].sort((x, y) => x.length - y.length));
  for (const call of pool.calls) call.answer();
  assert.deepEqual(await doc, texts.map(entityFor));
});

test('over many shapes: no batch empty or over batchSize, each window cut into max(ceil(m / batchSize), min(taggers, m))', async () => {
  for (let taggers = 1; taggers <= 5; taggers++) {
    for (const batchSize of [1, 2, 3, 7]) {
      for (const window of [1, 3]) {
        for (const n of [1, 2, 5, 9, 22, 40]) {
          const pool = new FakePool(taggers);
          const b = batcher(pool, { batchSize, window, depth: 1000 });
          const texts = Array.from({ length: n }, (_, i) => `s${i}`);
          const doc = b.tagSentences(texts);
          await turns();
          const expected: number[] = [];
          for (let left = n; left > 0; left -= batchSize * window) {
            const m = Math.min(left, batchSize * window);
            expected.push(Math.max(Math.ceil(m / batchSize), Math.min(taggers, m)));
          }
          const label = `${taggers} taggers, batchSize ${batchSize}, window ${window}, ${n} sentences`;
          assert.equal(pool.calls.length, expected.reduce((x, y) => x + y, 0), label);
          for (const batch of pool.sent) assert.ok(batch.length >= 1 && batch.length <= batchSize, label);
          assert.deepEqual([...pool.sent.flat()].sort(), [...texts].sort(), label);
          for (const call of pool.calls) call.answer();
          assert.deepEqual(await doc, texts.map(entityFor), label);
        }
      }
    }
  }
});

test('nothing more is sent while every tagger holds `depth` batches; answers release the backlog', async () => {
  const pool = new FakePool(1);
  const b = batcher(pool, { batchSize: 1, window: 1, depth: 2 });
  const doc = watch(b.tagSentences(['a', 'b', 'c', 'd', 'e']));
  await turns();
  assert.deepEqual(pool.sent, [['a'], ['b']]);
  assert.equal(b.backlog, 3);
  pool.calls[0].answer();
  await turns();
  assert.deepEqual(pool.sent, [['a'], ['b'], ['c']]);
  assert.equal(b.backlog, 2);
  pool.calls[1].answer();
  pool.calls[2].answer();
  await turns();
  assert.deepEqual(pool.sent.flat(), ['a', 'b', 'c', 'd', 'e']);
  assert.equal(b.backlog, 0);
  assert.equal(doc.state, 'pending');
  pool.calls[4].answer();
  pool.calls[3].answer();
  await turns();
  assert.deepEqual(doc.value, ['a', 'b', 'c', 'd', 'e'].map(entityFor));
});

test('no sentences: resolves to [] at once and sends nothing', async () => {
  const pool = new FakePool(1);
  const b = batcher(pool, { batchSize: 2, window: 1, depth: 1 });
  assert.deepEqual(await b.tagSentences([]), []);
  await turns();
  assert.equal(pool.calls.length, 0);
});

test('a sentence the tagger returned no result for gets no entities', async () => {
  const pool = new FakePool(1);
  const b = batcher(pool, { batchSize: 4, window: 1, depth: 1 });
  const doc = b.tagSentences(['bb', 'a']);
  await turns();
  pool.calls[0].answer([entityFor('a')]); // sorted: ['a', 'bb']; the answer stops short
  assert.deepEqual(await doc, [[], entityFor('a')]);
});

test('a failed batch rejects its documents, those still waiting and every later one, with the same error', async () => {
  const pool = new FakePool(1);
  const b = batcher(pool, { batchSize: 1, window: 1, depth: 1 });
  const first = watch(b.tagSentences(['a']));
  const split = watch(b.tagSentences(['bb', 'ccc'])); // 'bb' waits
  await turns();
  assert.deepEqual(pool.sent, [['a']]);
  assert.equal(b.backlog, 2);
  const boom = new Error('boom');
  pool.calls[0].fail(boom);
  await turns();
  assert.equal(first.error, boom);
  assert.equal(split.error, boom);
  assert.equal(b.backlog, 0);
  await assert.rejects(b.tagSentences(['later']), (e) => e === boom);
  await turns();
  assert.equal(pool.calls.length, 1, 'nothing sent after the failure');
});

test('a document with one sentence in a failed batch rejects even though its other batch succeeded', async () => {
  const pool = new FakePool(2);
  const b = batcher(pool, { batchSize: 1, window: 2, depth: 1 });
  const doc = watch(b.tagSentences(['a', 'bb']));
  await turns();
  assert.deepEqual(pool.sent, [['a'], ['bb']]);
  pool.calls[0].answer();
  pool.calls[1].fail(new Error('worker died'));
  await turns();
  assert.equal(doc.state, 'rejected');
  assert.equal((doc.error as Error).message, 'worker died');
});

test('aborting the signal rejects the waiting documents with its reason and passes the signal to the pool', async () => {
  const pool = new FakePool(1);
  const controller = new AbortController();
  const b = batcher(pool, { batchSize: 1, window: 1, depth: 1 }, controller.signal);
  const sent = watch(b.tagSentences(['a']));
  const waiting = watch(b.tagSentences(['b']));
  await turns();
  assert.equal(pool.calls[0].signal, controller.signal);
  const reason = new Error('Ctrl-C');
  controller.abort(reason);
  await turns();
  assert.equal(waiting.error, reason);
  assert.equal(b.backlog, 0);
  await assert.rejects(b.tagSentences(['c']), (e) => e === reason);
  // The batch already sent is the pool's to cancel (a WorkerTagger rejects with the signal's reason).
  assert.equal(sent.state, 'pending');
  pool.calls[0].fail(controller.signal.reason);
  await turns();
  assert.equal(sent.error, reason);
  assert.equal(pool.calls.length, 1, 'nothing sent after the abort');
});

test('a batcher made with an already aborted signal rejects at once; abortReason always gives an Error', async () => {
  const controller = new AbortController();
  controller.abort('not an Error');
  const pool = new FakePool(1);
  const b = batcher(pool, { batchSize: 1, window: 1, depth: 1 }, controller.signal);
  await assert.rejects(b.tagSentences(['a']), { message: 'aborted' });
  assert.equal(pool.calls.length, 0);
  const why = new Error('why');
  const c2 = new AbortController();
  c2.abort(why);
  assert.equal(abortReason(c2.signal), why);
  const c3 = new AbortController();
  c3.abort(); // the default reason, a DOMException AbortError, is an Error too
  assert.equal(abortReason(c3.signal).name, 'AbortError');
});
