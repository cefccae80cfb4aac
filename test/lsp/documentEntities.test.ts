// The per-document entity cache: only sentences an edit changed go to the model; a newer version cancels an older
// request; a model change drops cached entities.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { EntityPrediction } from '../../server/src/types';
import { DocumentEntities, type DocumentAnalysis } from '../../server/src/lsp/documentEntities';
import { ModelHost, type CancellableTagger } from '../../server/src/lsp/modelHost';

/** Finds "aspirin"; records every batch it is asked to tag; optionally holds requests until released. */
class CountingTagger implements CancellableTagger {
  readonly modelName = 'counting';
  readonly labels = ['DRUG'];
  readonly batches: string[][] = [];
  readonly urgent: boolean[] = [];
  hold = false;
  private held: Array<() => void> = [];

  async tagSentences(sentences: string[], signal?: AbortSignal, urgent = false): Promise<EntityPrediction[][]> {
    this.batches.push(sentences);
    this.urgent.push(urgent);
    if (this.hold) {
      await new Promise<void>((resolve, reject) => {
        this.held.push(resolve);
        signal?.addEventListener('abort', () => reject(new Error('aborted')));
      });
    }
    return sentences.map((s) =>
      [...s.matchAll(/aspirin/g)].map((m) => ({ start: m.index!, end: m.index! + 7, text: 'aspirin', label: 'DRUG', confidence: 0.9 })),
    );
  }

  release(count = this.held.length): void {
    for (const resolve of this.held.splice(0, count)) resolve();
  }

  get waiting(): number {
    return this.held.length;
  }

  dispose(): void {}
}

async function setup() {
  const tagger = new CountingTagger();
  const model = new ModelHost({ error: () => {}, log: () => {}, changed: () => {} }, async () => tagger);
  await model.load('/any');
  const docs = new Map<string, TextDocument>();
  const analyses: DocumentAnalysis[] = [];
  const entities = new DocumentEntities(model, {
    debounceMs: 5,
    maxFileSize: () => 1_000_000,
    document: (uri) => docs.get(uri),
    analyzed: (a) => analyses.push(a),
    busy: () => {},
    log: () => {},
  });
  return { tagger, model, docs, entities, analyses };
}

const TEXT = 'First sentence about aspirin. Second sentence here.\n\nA new paragraph with aspirin again. Last one.';

test('an edit re-tags only the sentence it changed', async () => {
  const { tagger, docs, entities } = await setup();
  const uri = 'untitled:a';
  docs.set(uri, TextDocument.create(uri, 'plaintext', 1, TEXT));
  const first = await entities.current(uri);
  assert.equal(tagger.batches.length, 1);
  assert.equal(tagger.batches[0].length, 4);
  assert.deepEqual(first!.entities.map((e) => TEXT.slice(e.start, e.end)), ['aspirin', 'aspirin']);

  const edited = TextDocument.update(docs.get(uri)!, [{ range: { start: { line: 0, character: 37 }, end: { line: 0, character: 37 } }, text: 'aspirin ' }], 2);
  docs.set(uri, edited);
  const second = await entities.current(uri);
  assert.deepEqual(tagger.batches[1], ['Second aspirin sentence here.']);
  assert.deepEqual(second!.entities.map((e) => edited.getText().slice(e.start, e.end)), ['aspirin', 'aspirin', 'aspirin']);
  assert.equal(second!.version, 2);

  // the same text again (e.g. undo) needs no model call at all
  docs.set(uri, TextDocument.create(uri, 'plaintext', 3, TEXT));
  await entities.current(uri);
  assert.equal(tagger.batches.length, 2);
});

test('a newer version cancels the request of an older one', async () => {
  const { tagger, docs, entities } = await setup();
  const uri = 'untitled:b';
  tagger.hold = true;
  docs.set(uri, TextDocument.create(uri, 'plaintext', 1, 'Old text with aspirin.'));
  const old = entities.current(uri);
  await new Promise((r) => setTimeout(r, 5));
  docs.set(uri, TextDocument.create(uri, 'plaintext', 2, 'New text, no drug.'));
  entities.schedule(docs.get(uri)!); // aborts the held request of version 1 right away
  tagger.hold = false;
  const result = await old; // current() retries with the newest version
  assert.equal(result!.version, 2);
  assert.deepEqual(result!.entities, []);
  assert.deepEqual(tagger.batches.map((b) => b[0]), ['Old text with aspirin.', 'New text, no drug.']);
});

test('chunks tagged before a cancellation are kept: the next version asks only for the rest', async () => {
  const { tagger, docs, entities } = await setup();
  const uri = 'untitled:long';
  const sentences = Array.from({ length: 20 }, (_, i) => `Sentence ${i} mentions aspirin.`);
  tagger.hold = true;
  docs.set(uri, TextDocument.create(uri, 'plaintext', 1, sentences.join(' ')));
  const first = entities.current(uri);
  while (tagger.waiting < 3) await new Promise((r) => setTimeout(r, 1));
  assert.deepEqual(tagger.batches.map((b) => b.length), [8, 8, 4]);
  tagger.release(1); // the first chunk is answered ...
  await new Promise((r) => setTimeout(r, 5));
  docs.set(uri, TextDocument.create(uri, 'plaintext', 2, ['Typed.', ...sentences].join(' ')));
  entities.schedule(docs.get(uri)!); // ... then the user types: the rest is cancelled
  tagger.hold = false;
  tagger.release();
  const result = await first;
  assert.equal(result!.version, 2);
  assert.equal(result!.entities.length, 20);
  const asked = tagger.batches.slice(3).flat();
  assert.deepEqual(asked, ['Typed.', ...sentences.slice(8)]);
});

test('a range asked for while the whole document is being tagged is tagged on its own, urgently', async () => {
  const { tagger, docs, entities } = await setup();
  const uri = 'untitled:range';
  const paragraphs = Array.from({ length: 30 }, (_, i) => `Paragraph ${i} gives aspirin.`);
  const text = paragraphs.join('\n\n');
  tagger.hold = true;
  const document = TextDocument.create(uri, 'plaintext', 1, text);
  docs.set(uri, document);
  const whole = entities.current(uri);
  while (tagger.waiting === 0) await new Promise((r) => setTimeout(r, 1));
  await new Promise((r) => setTimeout(r, 5));
  const wholeRequests = tagger.waiting;
  assert.ok(wholeRequests >= 2);
  assert.equal(entities.ready(document), undefined);
  const from = text.indexOf('Paragraph 20');
  const visible = entities.inRange(document, from, from + 'Paragraph 20 gives aspirin.'.length);
  while (tagger.waiting <= wholeRequests) await new Promise((r) => setTimeout(r, 1));
  assert.deepEqual(tagger.batches[wholeRequests], ['Paragraph 20 gives aspirin.']);
  assert.deepEqual(tagger.urgent, [...Array(wholeRequests).fill(false), true]);
  tagger.hold = false;
  tagger.release();
  const found = await visible;
  assert.deepEqual(found.map((e) => [text.slice(e.start, e.end), e.start > from]), [['aspirin', true]]);
  await whole;
  assert.ok(entities.ready(document));
});

test('edits are debounced and published once', async () => {
  const { docs, entities, analyses } = await setup();
  const uri = 'untitled:c';
  for (let version = 1; version <= 5; version++) {
    docs.set(uri, TextDocument.create(uri, 'plaintext', version, `Give aspirin ${version}.`));
    entities.schedule(docs.get(uri)!);
  }
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(analyses.map((a) => a.version), [5]);
});

test('a model change drops cached entities', async () => {
  const { tagger, model, docs, entities } = await setup();
  const uri = 'untitled:d';
  docs.set(uri, TextDocument.create(uri, 'plaintext', 1, 'Give aspirin.'));
  await entities.current(uri);
  await model.load('/other');
  entities.reset();
  await entities.current(uri);
  assert.equal(tagger.batches.length, 2);
});

test('incremental analysis after any edit equals a full analysis (property)', async () => {
  const fc = await import('fast-check');
  const piece = fc.constantFrom('aspirin', 'fever', 'Patient', 'took', 'it', '.', ' ', ' ', '\n', '\n\n', ' \n\n', '\t\n', 'Dr.', '. ', '\n```\n', '~~~');
  const textArb = fc.array(piece, { maxLength: 60 }).map((p) => p.join(''));
  const editArb = fc.tuple(fc.nat(), fc.nat({ max: 12 }), fc.array(piece, { maxLength: 4 }).map((p) => p.join('')));
  const incremental = await setup();
  const full = await setup();
  let n = 0;
  await fc.assert(
    fc.asyncProperty(textArb, fc.array(editArb, { minLength: 1, maxLength: 4 }), fc.constantFrom('plaintext', 'markdown'), async (initial, edits, languageId) => {
      const uri = `untitled:prop-${n++}`;
      let text = initial;
      let version = 1;
      incremental.docs.set(uri, TextDocument.create(uri, languageId, version, text));
      await incremental.entities.current(uri);
      for (const [at, length, insert] of edits) {
        const start = text.length ? at % (text.length + 1) : 0;
        const end = Math.min(text.length, start + length);
        text = text.slice(0, start) + insert + text.slice(end);
        incremental.docs.set(uri, TextDocument.create(uri, languageId, ++version, text));
        const got = await incremental.entities.current(uri);
        full.docs.set(uri, TextDocument.create(uri, languageId, version, text));
        full.entities.close(uri); // no basis: a full analysis
        const expected = await full.entities.current(uri);
        assert.deepEqual(got!.sentences, expected!.sentences, JSON.stringify(text));
        assert.deepEqual(
          got!.entities.map((e) => [e.start, e.end, e.label]),
          expected!.entities.map((e) => [e.start, e.end, e.label]),
        );
        // a range tagged on its own finds what the whole-document analysis finds there
        const from = (at * 7) % (text.length + 1);
        const to = Math.min(text.length, from + length * 3);
        const ranged = await full.entities.inRange(full.docs.get(uri)!, from, to);
        assert.deepEqual(
          ranged.map((e) => [e.start, e.end]),
          expected!.entities.filter((e) => e.end > from && e.start < to).map((e) => [e.start, e.end]),
        );
      }
    }),
    { numRuns: 300 },
  );
});

test('a model whose worker dies is reported once and dropped; a reload brings one back', async () => {
  const errors: string[] = [];
  const changes: Array<string | undefined> = [];
  let kill: ((error: Error) => void) | undefined;
  const model = new ModelHost(
    { error: (m) => errors.push(m), log: () => {}, changed: (t) => changes.push(t?.modelName) },
    async (_dir, onExit) => {
      kill = onExit;
      return new CountingTagger();
    },
  );
  await model.load('/m');
  const generation = model.generation;
  kill!(new Error('the inference worker exited (code 134)'));
  assert.equal(model.current, undefined);
  assert.ok(model.generation > generation);
  assert.equal(errors.length, 1);
  assert.match(errors[0], /"counting" stopped \(the inference worker exited \(code 134\)\)/);
  const reloaded = await model.load('/m');
  assert.equal(reloaded.modelName, 'counting');
  assert.deepEqual(changes, ['counting', undefined, 'counting']);
});

test('the worker starts without waiting for terms.tsv; a malformed terms.tsv stops it and is reported', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bioner-terms-'));
  try {
    writeFileSync(join(dir, 'terms.tsv'), 'chest pain\tDISEASE\nonlyoneword\n');
    const errors: string[] = [];
    const events: string[] = [];
    const tagger = new CountingTagger();
    tagger.dispose = () => void events.push('disposed');
    const model = new ModelHost({ error: (m) => errors.push(m), log: () => {}, changed: () => events.push('changed') }, async () => {
      events.push('started');
      return tagger;
    });
    const result = await model.load(dir);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(events, ['started', 'disposed']);
    assert.equal(model.current, undefined);
    assert.match(result.error ?? '', /terms\.tsv:2: /);
    assert.equal(errors.length, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a broken model directory is reported once, not again at every settings change', async () => {
  const errors: string[] = [];
  const model = new ModelHost({ error: (m) => errors.push(m), log: () => {}, changed: () => {} }, async () => {
    throw new Error('/bad/config.json: not valid JSON');
  });
  await model.load('/bad');
  await model.load('/bad');
  assert.equal(errors.length, 1);
  assert.match((await model.load('/bad', true)).error ?? '', /not valid JSON/);
  assert.equal(errors.length, 2);
});
