// Files that are not files: a FIFO or a link to /dev/zero where bioner expects a text, a sidecar .ann or a model file.
// Opening a FIFO waits for a writer and /dev/zero never ends, so an unguarded read hangs or grows without bound; every
// read goes through formats/boundedRead.ts, which refuses anything but a regular file and reads at most a limit.
// A hang shows here as a run killed by its timeout (exit code null), or a language server request that never answers.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
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

  it('reads at most the limit, whatever the file size says, and only regular files', async () => {
    const big = join(scratch, 'big.txt');
    writeFileSync(big, 'x'.repeat(3000));
    assert.equal(readFileBoundedSync(big, 3000).length, 3000);
    assert.throws(() => readFileBoundedSync(big, 2999), FileTooLargeError);
    await assert.rejects(readFileBounded(big, 2999), FileTooLargeError);
    assert.equal((await readFileBounded(big, 5000)).length, 3000);
    // /proc files say size 0 and are not empty: the read does not trust the size.
    assert.match(readFileBoundedSync('/proc/self/status', 1 << 20).toString(), /^Name:/);
    const fifo = join(scratch, 'pipe.txt');
    mkfifo(fifo);
    assert.throws(() => readFileBoundedSync(fifo, 100), /pipe\.txt: is a FIFO \(named pipe\), not a regular file/);
    await assert.rejects(readFileBounded(fifo, 100), /pipe\.txt: is a FIFO/);
    assert.throws(() => readFileBoundedSync('/dev/zero', 100), /\/dev\/zero: is a device, not a regular file/);
    assert.throws(() => readFileBoundedSync(scratch, 100), /is a folder, expected a file/);
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
