// Files that are not files: a FIFO or a link to /dev/zero where bioner expects a text, a sidecar .ann or a model file.
// Opening a FIFO waits for a writer and /dev/zero never ends, so an unguarded read hangs or grows without bound; every
// read goes through formats/boundedRead.ts, which refuses anything but a regular file and reads at most a limit.
// A hang shows here as a run killed by its timeout (exit code null), or a language server request that never answers.
// The language server reads off its thread: a sidecar on a slow disk (slowDisk.cjs) delays only its own document.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { evaluateSpans } from '../../server/src/eval/spanMetrics';
import { cutLongSentences } from '../../server/src/train/trainingData';
import { FileTooLargeError, readFileBounded, readFileBoundedSync } from '../../server/src/formats/boundedRead';
import { DebugStatsMethod } from '../../server/src/lsp/protocol';
import { LspTestClient } from '../lsp/lspClient';
import { assertUserFailure, lexiconModel, runCli, scratchDir, sleep, tinyConll } from './helpers';

const QUICK = { timeoutMs: 20_000 };
const mkfifo = (path: string): void => void execFileSync('mkfifo', [path]);

describe('the bounded read', () => {
  let scratch: string;
  before(() => {
    scratch = scratchDir('bounded');
  });

  it('reads at most the limit, whatever the file size says, and only regular files', () => {
    const big = join(scratch, 'big.txt');
    writeFileSync(big, 'x'.repeat(3000));
    assert.equal(readFileBoundedSync(big, 3000).length, 3000);
    assert.throws(() => readFileBoundedSync(big, 2999), FileTooLargeError);
    assert.equal(readFileBoundedSync(big, 5000).length, 3000);
    // /proc files say size 0 and are not empty: the read does not trust the size.
    assert.match(readFileBoundedSync('/proc/self/status', 1 << 20).toString(), /^Name:/);
    const fifo = join(scratch, 'pipe.txt');
    mkfifo(fifo);
    assert.throws(() => readFileBoundedSync(fifo, 100), /pipe\.txt: is a FIFO \(named pipe\), not a regular file/);
    assert.throws(() => readFileBoundedSync('/dev/zero', 100), /\/dev\/zero: is a device, not a regular file/);
    assert.throws(() => readFileBoundedSync(scratch, 100), /is a folder, expected a file/);
  });

  it('off the thread (the language server), the same: bounded, and only regular files', async () => {
    const big = join(scratch, 'big-async.txt');
    writeFileSync(big, 'x'.repeat(3000));
    assert.equal((await readFileBounded(big, 3000)).length, 3000);
    await assert.rejects(readFileBounded(big, 2999), FileTooLargeError);
    assert.match((await readFileBounded('/proc/self/status', 1 << 20)).toString(), /^Name:/);
    const fifo = join(scratch, 'pipe-async.txt');
    mkfifo(fifo);
    await assert.rejects(readFileBounded(fifo, 100), /pipe-async\.txt: is a FIFO \(named pipe\), not a regular file/);
    await assert.rejects(readFileBounded('/dev/zero', 100), /\/dev\/zero: is a device, not a regular file/);
  });
});

describe('bioner on a FIFO or /dev/zero', () => {
  let scratch: string;
  before(() => {
    scratch = scratchDir('hangs');
  });

  it('tag refuses a FIFO or a device given as input, and skips a FIFO inside a folder', () => {
    const fifo = join(scratch, 'fifo.txt');
    mkfifo(fifo);
    assertUserFailure(runCli(['tag', fifo, '--model', lexiconModel, '--workers', '0'], QUICK), /fifo\.txt: is a FIFO \(named pipe\), not a regular file/);
    assertUserFailure(
      runCli(['tag', '/dev/zero', '--max-file-size', '1M', '--model', lexiconModel, '--workers', '0'], QUICK),
      /\/dev\/zero: is a device, not a regular file/,
    );
    const zeroLink = join(scratch, 'zero.txt');
    symlinkSync('/dev/zero', zeroLink);
    assertUserFailure(runCli(['tag', zeroLink, '--model', lexiconModel, '--workers', '0'], QUICK), /zero\.txt: is a device/);

    const folder = join(scratch, 'folder');
    mkdirSync(folder);
    writeFileSync(join(folder, 'good.txt'), 'Aspirin for fever.\n');
    mkfifo(join(folder, 'pipe.txt'));
    mkfifo(join(folder, 'pipe.jsonl'));
    const run = runCli(['tag', folder, '--model', lexiconModel, '--workers', '0', '--out', join(scratch, 'folder-out')], QUICK);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /skipped pipe\.txt: .*is a FIFO/);
    assert.match(run.stderr, /skipped pipe\.jsonl: .*is a FIFO/);
    assert.match(run.stderr, /1 written/);
  });

  it('convert and eval refuse a FIFO as the text or the .ann', () => {
    const text = join(scratch, 'note.txt');
    writeFileSync(text, 'Aspirin for fever.\n');
    mkfifo(join(scratch, 'note.ann'));
    assertUserFailure(runCli(['convert', text, join(scratch, 'note.jsonl')], QUICK), /note\.ann: is a FIFO/);
    const fifoConll = join(scratch, 'gold.conll');
    mkfifo(fifoConll);
    assertUserFailure(runCli(['eval', fifoConll, '--model', lexiconModel], QUICK), /gold\.conll: is a FIFO/);
  });
});

describe('the language server with a FIFO or a link to /dev/zero as sidecar .ann', () => {
  let client: LspTestClient;
  let dir: string;
  before(async () => {
    dir = scratchDir('lsp-hangs');
    client = await LspTestClient.start({ model: lexiconModel });
  });
  after(async () => client.stop());

  /** Resolves with the request's answer, or rejects when the server did not answer in time (it is frozen). */
  async function answered<T>(request: Promise<T>, what: string): Promise<T> {
    return Promise.race([request, sleep(10_000).then(() => assert.fail(`${what}: no answer in 10 s (the server is frozen)`))]);
  }

  it('documents beside them are served (the sidecar counts as absent), and so is every other document', async () => {
    const text = 'Aspirin for fever.';
    for (const [name, make] of [
      ['fifo', (ann: string) => mkfifo(ann)],
      ['zero', (ann: string) => symlinkSync('/dev/zero', ann)],
    ] as const) {
      const txt = join(dir, `${name}.txt`);
      writeFileSync(txt, text);
      make(join(dir, `${name}.ann`));
      const uri = pathToFileURL(txt).href;
      client.open(uri, text);
      const tokens = await answered(client.tokens(uri), `${name}: semantic tokens`);
      assert.deepEqual(LspTestClient.decode(text, tokens).map((t) => t.text), ['Aspirin', 'fever']);
      const hover = await answered(client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 2 } }), `${name}: hover`);
      assert.ok(hover, `${name}: hover answered`);
      const other = `untitled:other-${name}`;
      client.open(other, 'Naloxone was given.');
      const otherTokens = await answered(client.tokens(other), `${name}: another document`);
      assert.deepEqual(LspTestClient.decode('Naloxone was given.', otherTokens).map((t) => t.text), ['Naloxone']);
    }
    const stats: { rss: number } = await answered(client.connection.sendRequest(DebugStatsMethod), 'debugStats');
    assert.ok(stats.rss < 400 * 2 ** 20, `server memory stays small: ${Math.round(stats.rss / 2 ** 20)} MB`);
    assert.equal(client.process.exitCode, null, client.stderr);
  });
});

describe('the language server with a sidecar on a slow disk', () => {
  // slowDisk.cjs holds every open of a path containing "slow-disk.ann" until the release file exists.
  let client: LspTestClient;
  let dir: string;
  let release: string;
  before(async () => {
    dir = scratchDir('lsp-slow');
    release = join(dir, 'release');
    client = await LspTestClient.start(
      { model: lexiconModel },
      { nodeArgs: ['--require', join(__dirname, 'slowDisk.cjs')], env: { BIONER_SLOW_NAME: 'slow-disk.ann', BIONER_SLOW_RELEASE: release } },
    );
  });
  after(async () => {
    writeFileSync(release, '');
    await client.stop();
  });

  const hover = (uri: string, character: number) =>
    client.connection.sendRequest<{ contents: { value: string } } | null>('textDocument/hover', { textDocument: { uri }, position: { line: 0, character } });

  it('another document is answered while one sidecar is read, and the waiting hover answers only for its version', async () => {
    const otherText = 'Naloxone was given.';
    const other = pathToFileURL(join(dir, 'other.txt')).href;
    writeFileSync(join(dir, 'other.txt'), otherText);
    client.open(other, otherText);
    await client.tokens(other); // tagged: its answers below need no model work

    const text = 'Aspirin for fever.';
    const txt = join(dir, 'slow-disk.txt');
    writeFileSync(txt, text);
    writeFileSync(join(dir, 'slow-disk.ann'), 'T1\tDRUG 0 7\tAspirin\n');
    const uri = pathToFileURL(txt).href;
    client.open(uri, text);
    let slowAnswered = false;
    const before = hover(uri, 2).finally(() => (slowAnswered = true));
    while (!existsSync(`${release}.started`)) await sleep(10); // the sidecar's read is waiting on the disk

    const otherTokens = await client.tokens(other);
    const otherHover = await hover(other, 2);
    assert.equal(slowAnswered, false, 'the other document was answered while the slow sidecar was being read');
    assert.deepEqual(LspTestClient.decode(otherText, otherTokens).map((t) => t.text), ['Naloxone']);
    assert.match(otherHover!.contents.value, /Naloxone/);

    // An edit while the read waits: the hover asked before it answers nothing (its offsets were the old text's), the
    // hover asked after it is answered from the sidecar once the disk answers.
    client.change(uri, [{ range: { start: { line: 0, character: text.length }, end: { line: 0, character: text.length } }, text: ' Daily.' }]);
    const afterEdit = hover(uri, 2);
    await hover(other, 2); // answered after the edit was applied (messages are handled in order): now the disk answers
    writeFileSync(release, '');
    assert.equal(await before, null);
    assert.match((await afterEdit)!.contents.value, /Your annotation \(T1\): DRUG/);
    assert.equal(client.process.exitCode, null, client.stderr);
  });
});

describe('sizes a user asks for', () => {
  it('--workers and --threads above the cores are capped at the cores, saying so', () => {
    const scratch = scratchDir('workers');
    const text = join(scratch, 'note.txt');
    writeFileSync(text, 'Aspirin for fever.\n');
    const cores = availableParallelism();
    const run = runCli(['tag', text, '--model', lexiconModel, '--workers', String(cores + 1)], QUICK);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, new RegExp(`bioner: --workers ${cores + 1} is more than the ${cores} cores? here; using ${cores}`));
    assert.match(run.stderr, new RegExp(`${cores} workers?, model`));
    assert.equal(JSON.parse(run.stdout).entities.length, 2);
  });

  it('train refuses an absurd tagger size from --config before training, naming the field', () => {
    const scratch = scratchDir('train-size');
    const out = join(scratch, 'model');
    const run = runCli(['train', '--train', tinyConll(scratch), '--representation', 'tiny', '--epochs', '1', '--out', out, '--config', '{"tagger":{"encoder":{"hiddenSize":1000000}}}'], QUICK);
    assertUserFailure(run, /--config \(tagger\): "encoder\.hiddenSize" is 1000000, more than 16384/);
    const representation = join(scratch, 'huge.json');
    writeFileSync(representation, JSON.stringify({ lstm: { hidden: 1e9 } }));
    assertUserFailure(runCli(['train', '--train', tinyConll(scratch), '--representation', representation, '--out', out], QUICK), /huge\.json: "lstm\.hidden" is 1000000000, more than 16384/);
    assertUserFailure(runCli(['pretrain', '--text', tinyConll(scratch), '--vocab', scratch, '--config', representation, '--out', out], QUICK), /huge\.json.*"lstm\.hidden" is 1000000000/);
  });
});

describe('one very long sentence', () => {
  it('training cuts it into pieces as tagging does (I-X at a cut starts the entity)', () => {
    const words = Array.from({ length: 450 }, (_, i) => (i % 50 === 0 ? 'aspirin' : `w${i}`));
    const tags = words.map((w, i) => (w === 'aspirin' ? 'B-Chemical' : i === 200 ? 'I-Chemical' : 'O'));
    tags[199] = 'B-Chemical'; // an entity across the cut at 200
    const pieces = cutLongSentences([{ tokens: words, tags }]);
    assert.deepEqual(pieces.map((p) => p.tokens.length), [200, 200, 50]);
    assert.deepEqual(pieces.flatMap((p) => p.tokens), words);
    assert.equal(pieces[1].tags[0], 'B-Chemical');

    const scratch = scratchDir('long-sentence');
    const data = join(scratch, 'long.conll');
    writeFileSync(data, words.map((w, i) => `${w}\t${tags[i]}`).join('\n') + '\n');
    const run = runCli(['train', '--train', data, '--representation', 'tiny', '--epochs', '1', '--out', join(scratch, 'model'), '--progress-json']);
    assert.equal(run.code, 0, run.stderr);
    const start = run.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((e) => e.event === 'start');
    assert.equal(start.sentences, 3, 'the 450-token sentence is trained as 3 pieces');
    assert.equal(start.tokens, 450);
  });

  it('span scoring is not quadratic in the entities of one sequence, and counts as brute force does', { timeout: 120_000 }, () => {
    // 300,000 gold and predicted entities in one sequence: pairwise overlap tests would be 9e10 (hours).
    const n = 300_000;
    const gold = Array.from({ length: n }, (_, i) => ({ start: 10 * i, end: 10 * i + 5, label: i % 2 ? 'A' : 'B' }));
    const pred = gold.map((g, i) => (i % 3 ? g : { ...g, start: g.start + 2, end: g.end + 2 }));
    const report = evaluateSpans([gold], [pred]);
    assert.equal(report.overall.correct, n - Math.ceil(n / 3));
    assert.equal(report.partial.overall.correct, n);

    // Random small cases against the pairwise definition.
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const spans = (k: number) =>
      Array.from({ length: k }, () => {
        const start = Math.floor(random() * 50);
        return { start, end: start + 1 + Math.floor(random() * 6), label: random() < 0.5 ? 'X' : 'Y' };
      });
    const overlaps = (a: { start: number; end: number; label: string }, b: typeof a) => a.label === b.label && a.start < b.end && b.start < a.end;
    for (let trial = 0; trial < 200; trial++) {
      const g = spans(Math.floor(random() * 8));
      const p = spans(Math.floor(random() * 8));
      const partial = evaluateSpans([g], [p]).partial.overall;
      assert.equal(partial.correct, p.filter((x) => g.some((y) => overlaps(x, y))).length);
      assert.equal(partial.goldFound, g.filter((x) => p.some((y) => overlaps(x, y))).length);
    }
  });
});
