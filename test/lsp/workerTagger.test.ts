// The inference worker thread: loads a model, tags by id, cancels stale requests, reports a broken model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../server/src/errors';
import { CancelledError, WorkerTagger } from '../../server/src/tagging/workerTagger';

const lexicon = join(__dirname, '..', 'fixtures', 'models', 'lexicon');

test('tags sentences in the worker with sentence-relative offsets', async () => {
  const tagger = await WorkerTagger.start(lexicon);
  try {
    assert.equal(tagger.modelName, 'test-lexicon');
    assert.deepEqual(tagger.labels, ['DISEASE', 'DRUG']);
    const [first, second] = await tagger.tagSentences(['Ivacaftor treats cystic fibrosis.', 'No entity here.']);
    assert.deepEqual(
      first.map((e) => [e.text, e.label, e.start, e.end]),
      [['Ivacaftor', 'DRUG', 0, 9], ['cystic fibrosis', 'DISEASE', 17, 32]],
    );
    assert.deepEqual(second, []);
  } finally {
    tagger.dispose();
  }
});

test('a cancelled request rejects with CancelledError and later requests still answer', async () => {
  const tagger = await WorkerTagger.start(lexicon, { chunkSize: 1 });
  try {
    const many = Array.from({ length: 2000 }, (_, i) => `Patient ${i} took aspirin for fever.`);
    const stale = tagger.request(many);
    const fresh = tagger.request(['Naloxone was given.']);
    tagger.cancel(stale.id);
    await assert.rejects(stale.result, CancelledError);
    const [[entity]] = await fresh.result;
    assert.equal(entity.text, 'Naloxone');
    assert.equal(tagger.pendingCount, 0);

    const controller = new AbortController();
    const aborted = tagger.tagSentences(many, controller.signal);
    controller.abort();
    await assert.rejects(aborted, CancelledError);
  } finally {
    tagger.dispose();
  }
});

test('a broken model directory rejects start with the loader UserError', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bioner-broken-'));
  writeFileSync(join(dir, 'config.json'), '{ "kind": "lexicon", ');
  await assert.rejects(WorkerTagger.start(dir), (error: unknown) => {
    assert.ok(error instanceof UserError);
    assert.match((error as Error).message, /config\.json: not valid JSON/);
    return true;
  });
  await assert.rejects(WorkerTagger.start(join(dir, 'missing')), /config\.json is missing/);
});

test('dispose rejects pending requests and terminates the worker', async () => {
  const tagger = await WorkerTagger.start(lexicon);
  const pending = tagger.tagSentences(Array.from({ length: 5000 }, () => 'aspirin'));
  tagger.dispose();
  await assert.rejects(pending, /disposed/);
  await assert.rejects(tagger.tagSentences(['aspirin']), /disposed/);
});

test("what the model code prints in the worker goes to stderr, never to the owner's stdout", async () => {
  const { spawnSync } = await import('node:child_process');
  const dir = mkdtempSync(join(tmpdir(), 'bioner-print-'));
  const script = join(dir, 'printing-worker.js');
  // A stand-in worker that prints before answering as a real one would.
  writeFileSync(
    script,
    `const { parentPort } = require('node:worker_threads');
     console.log('noise from the model');
     parentPort.postMessage({ type: 'ready', modelName: 'printer', labels: [] });`,
  );
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', '-e', `require(${JSON.stringify(join(__dirname, '..', '..', 'server', 'src', 'tagging', 'workerTagger.ts'))}).WorkerTagger.start('.', { workerScript: ${JSON.stringify(script)} }).then((t) => setTimeout(() => t.dispose(), 100))`],
    { encoding: 'utf8' },
  );
  assert.equal(run.stdout, '');
  assert.match(run.stderr, /noise from the model/);
});

test('urgent requests are answered before queued ordinary ones', async () => {
  const tagger = await WorkerTagger.start(lexicon, { chunkSize: 1 });
  try {
    const order: string[] = [];
    const running = tagger.tagSentences(Array.from({ length: 300 }, () => 'aspirin'));
    const ordinary = tagger.tagSentences(['fever']).then(() => order.push('ordinary'));
    const urgent = tagger.tagSentences(['naloxone'], undefined, true).then(() => order.push('urgent'));
    await Promise.all([running, ordinary, urgent]);
    assert.deepEqual(order, ['urgent', 'ordinary']);
  } finally {
    tagger.dispose();
  }
});

test('a worker that dies rejects pending requests and reports through onExit', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bioner-crash-'));
  const script = join(dir, 'crashing-worker.js');
  writeFileSync(
    script,
    `const { parentPort } = require('node:worker_threads');
     parentPort.postMessage({ type: 'ready', modelName: 'crasher', labels: [] });
     parentPort.on('message', () => process.exit(3));`,
  );
  let reported: Error | undefined;
  const tagger = await WorkerTagger.start('.', { workerScript: script, onExit: (error) => (reported = error) });
  await assert.rejects(tagger.tagSentences(['aspirin']), /exited \(code 3\)/);
  assert.match(String(reported?.message), /exited \(code 3\)/);
  await assert.rejects(tagger.tagSentences(['aspirin']), /disposed/);
});

test('a worker prepared before its model is named loads the model it is then given, once', async () => {
  const prepared = WorkerTagger.prepare();
  const tagger = await prepared.load(lexicon);
  try {
    assert.equal(tagger.modelName, 'test-lexicon');
    const [[entity]] = await tagger.tagSentences(['Naloxone was given.']);
    assert.equal(entity.text, 'Naloxone');
    await assert.rejects(prepared.load(lexicon), /loaded a model already/);
    prepared.dispose(); // the tagger owns the worker now: it keeps answering
    assert.equal((await tagger.tagSentences(['aspirin']))[0][0].text, 'aspirin');
  } finally {
    tagger.dispose();
  }
  const dir = mkdtempSync(join(tmpdir(), 'bioner-broken-'));
  writeFileSync(join(dir, 'config.json'), '{ "kind": "lexicon", ');
  await assert.rejects(WorkerTagger.prepare().load(dir), (error: unknown) => error instanceof UserError && /config\.json: not valid JSON/.test((error as Error).message));
});

test('a prepared worker that dies before its model is named makes the load reject', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bioner-crash-'));
  const script = join(dir, 'crashing-worker.js');
  writeFileSync(script, `process.exit(3);`);
  const prepared = WorkerTagger.prepare({ workerScript: script });
  await new Promise((resolve) => setTimeout(resolve, 500));
  await assert.rejects(prepared.load('.'), /exited \(code 3\)/);
});
