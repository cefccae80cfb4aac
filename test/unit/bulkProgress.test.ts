// Human-readable progress of `bioner tag` (bulk/progress.ts, bulk/summary.ts): plain "tagging: ..." lines every 5 s on
// a stream that is not a terminal, the cli-progress bar on a (fake) TTY stream, the throttling and the last update
// let through at the end, the cursor given back, and the final summary (documents, tokens, tokens/s, entities per
// label, skipped files and why). Then the same through bulkTag in this process (lexicon model, no workers), and
// through the CLI, whose mode follows whether stderr is a terminal (a real pseudo-terminal via util-linux `script`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { bulkTag, type BulkTagOptions } from '../../server/src/bulk/bulkTag';
import { createProgressReporter } from '../../server/src/bulk/progress';
import { emptySummary, formatSummary, type BulkSummary } from '../../server/src/bulk/summary';
import { fixtureNotes, lexiconModel, repoRoot, scratchNotes } from '../fixtures/bulk/cli';
import { Capture, fakeClock, plain } from './helpers/terminal';

function sampleSummary(): BulkSummary {
  return {
    ...emptySummary('test-lexicon', 1),
    files: 5,
    documents: 3,
    tokens: 1234,
    entities: { DRUG: 2, DISEASE: 5 },
    seconds: 2.5,
    tokensPerSecond: 493.6,
    written: 3,
    upToDate: 1,
    skipped: [{ file: 'scan.txt', reason: 'binary or not UTF-8 (NUL byte)' }],
    keptUserAnn: ['visit.ann'],
    peakRssMb: 87.4,
  };
}

test('the summary names documents, tokens, seconds, tokens/s, entities per label and every skipped file', () => {
  assert.equal(
    formatSummary(sampleSummary()),
    'done: 3 documents, 1234 tokens in 2.5 s (494 tokens/s, 1 worker, model test-lexicon, peak memory 87 MB)\n' +
      'entities: 7 (DISEASE 5, DRUG 2)\n' + // labels sorted, total = 5 + 2
      'files: 5 seen, 3 written, 1 already up to date, 1 skipped\n' +
      '  skipped scan.txt: binary or not UTF-8 (NUL byte)\n' +
      '  kept visit.ann (written or edited by a person); output went to .bioner.ann\n',
  );
  const stopped = { ...emptySummary('m', 2), interrupted: true, seconds: 0.04, documents: 1, tokens: 9, tokensPerSecond: 225 };
  assert.equal(
    formatSummary(stopped),
    'interrupted: 1 document, 9 tokens in 0.0 s (225 tokens/s, 2 workers, model m, peak memory 0 MB)\n' +
      'entities: 0\n' +
      'files: 0 seen, 0 written, 0 already up to date, 0 skipped\n',
  );
});

test('not a terminal: a plain line at most every 5 s (none in the first 5 s), then the summary', (t) => {
  const clock = fakeClock(t, 10_000);
  const err = new Capture();
  const r = createProgressReporter('lines', err);
  r.update({ done: 1, total: 4, tokens: 100 });
  clock.set(14_999);
  r.update({ done: 1, total: 4, tokens: 150 });
  assert.equal(err.text, '', 'nothing before 5 s');
  clock.set(15_000);
  r.update({ done: 2, total: 4, tokens: 1000 }); // 1000 tokens / 5 s
  clock.set(17_000);
  r.update({ done: 3, total: 4, tokens: 2000 }); // 2 s after the last line: held back
  clock.set(20_000);
  r.update({ done: 3, total: 4, tokens: 2500 }); // 2500 / 10 s
  r.skipped({ file: 'scan.txt', reason: 'binary' }); // listed in the summary only
  const summary = sampleSummary();
  r.finish(summary);
  assert.equal(
    err.text,
    'tagging: 2/4 documents, 1000 tokens, 200 tokens/s\n' + 'tagging: 3/4 documents, 2500 tokens, 250 tokens/s\n' + formatSummary(summary),
  );
  assert.doesNotMatch(err.text, /\x1b/, 'no terminal escapes');
  r.close(); // harmless
});

test('a terminal: the bar shows documents, tokens and tokens/s; the held-back last update is drawn at finish', (t) => {
  const clock = fakeClock(t, 1_000);
  const sigint = process.listenerCount('SIGINT');
  const err = new Capture(true);
  const r = createProgressReporter('bar', err);
  r.update({ done: 0, total: 4, tokens: 0 }); // the first update is drawn at once
  assert.match(err.text, /\x1b\[\?25l/, 'cursor hidden');
  assert.ok(plain(err.text).includes(`tagging [${'-'.repeat(40)}] 0/4 documents | 0 tokens | 0 tokens/s | ETA`), plain(err.text));
  clock.set(3_000);
  r.update({ done: 2, total: 4, tokens: 1000 }); // 1000 tokens / 2 s
  assert.ok(plain(err.text).includes(`tagging [${'='.repeat(20)}${'-'.repeat(20)}] 2/4 documents | 1000 tokens | 500 tokens/s`), plain(err.text));
  clock.set(3_050);
  r.update({ done: 4, total: 4, tokens: 3000 }); // 50 ms after the last: throttled (100 ms)
  assert.ok(!plain(err.text).includes('4/4'));
  r.skipped({ file: 'scan.txt', reason: 'binary' }); // a line now would break the bar
  const summary = sampleSummary();
  r.finish(summary);
  const out = plain(err.text);
  // 3000 tokens / 2.05 s = 1463.4
  assert.ok(out.includes(`tagging [${'='.repeat(40)}] 4/4 documents | 3000 tokens | 1463 tokens/s`), out);
  assert.ok(!out.includes('scan.txt: binary\n'), 'no skip line while the bar runs');
  assert.ok(err.text.endsWith(`\n${formatSummary(summary)}`), 'the summary on its own lines after the bar');
  const shown = err.text.lastIndexOf('\x1b[?25h');
  assert.ok(shown > 0 && shown < err.text.indexOf('done: 3 documents'), 'cursor shown again before the summary');
  assert.equal(process.listenerCount('SIGINT'), sigint, 'no signal handler left behind');
});

test('a terminal: close() (a run that failed) stops the bar and gives the cursor back, once', (t) => {
  fakeClock(t, 1_000);
  const err = new Capture(true);
  const r = createProgressReporter('bar', err);
  r.close();
  assert.equal(err.text, '', 'no bar yet: nothing to undo');
  r.update({ done: 1, total: 3, tokens: 10 });
  r.close();
  const after = err.text;
  assert.match(after, /\x1b\[\?25h/);
  assert.ok(after.endsWith('\n'), 'the cursor is left on a fresh line');
  r.close();
  assert.equal(err.text, after, 'a second close writes nothing');
});

test('the bar on a stream that is not a terminal draws nothing (hence plain lines there): only the summary', (t) => {
  const clock = fakeClock(t, 1_000);
  const err = new Capture(false);
  const r = createProgressReporter('bar', err);
  r.update({ done: 0, total: 2, tokens: 0 });
  clock.set(5_000);
  r.update({ done: 2, total: 2, tokens: 40 });
  const summary = sampleSummary();
  r.finish(summary);
  assert.equal(err.text, formatSummary(summary));
});

test('--progress-json: first update at once, 200 ms throttle, skipped events, the last state before "done"', (t) => {
  const clock = fakeClock(t, 1_000);
  const err = new Capture();
  const r = createProgressReporter('json', err);
  r.update({ done: 0, total: 2, tokens: 0 });
  clock.set(1_100);
  r.update({ done: 1, total: 2, tokens: 10 });
  r.skipped({ file: 'a.bin', reason: 'binary' });
  const summary = sampleSummary();
  r.finish(summary);
  assert.deepEqual(
    err.text.trim().split('\n').map((l) => JSON.parse(l)),
    [
      { event: 'progress', done: 0, total: 2, tokens: 0 },
      { event: 'skipped', file: 'a.bin', reason: 'binary' },
      { event: 'progress', done: 1, total: 2, tokens: 10 },
      { event: 'done', summary },
    ],
  );
});

// The fixture notes, tagged with the lexicon, plus two files that are skipped:
//   visit.txt     2 sentences, 10 + 8 tokens; cystic fibrosis, fever (DISEASE), Ivacaftor, aspirin (DRUG)
//   overdose.md   "# Overdose" 2, 6, "No fever." 3 tokens; fever (DISEASE), naloxone (DRUG)
//   batch.jsonl   3 documents of 5, 6, 6 tokens; fever, Cystic fibrosis (DISEASE), Aspirin, ivacaftor (DRUG)
// -> 5 documents, 18 + 11 + 17 = 46 tokens, DISEASE 5, DRUG 5; 5 files seen, 3 written, 2 skipped; progress counts
// 1 + 1 + 3 + 1 + 1 = 7 documents (a skipped file counts as one done).
function notesWithSkips(): { dir: string; notes: string } {
  const { dir, notes } = scratchNotes();
  writeFileSync(join(notes, 'scan.txt'), Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0x01, 0x02]));
  writeFileSync(join(notes, 'huge.md'), `aspirin ${'x'.repeat(5000)}`);
  return { dir, notes };
}

function runBulk(progress: BulkTagOptions['progress'], err: Capture): Promise<BulkSummary> {
  const { dir, notes } = notesWithSkips();
  const options: BulkTagOptions = {
    target: notes,
    format: 'jsonl',
    out: join(dir, 'out'),
    modelDir: lexiconModel,
    workers: 0,
    maxFileSize: 4096,
    progress,
  };
  return bulkTag(options, { stdin: Readable.from([]), stdout: new Capture(), stderr: err });
}

/** Checks the summary printed by a run over notesWithSkips(), and that nothing follows it. */
function assertNotesSummary(text: string): void {
  const lines = text.split('\n');
  const head = lines.findIndex((l) => l.startsWith('done: '));
  assert.ok(head >= 0, text);
  const m = /^done: 5 documents, 46 tokens in (\d+\.\d) s \((\d+) tokens\/s, 0 workers, model test-lexicon, peak memory \d+ MB\)$/.exec(lines[head]);
  assert.ok(m, lines[head]);
  assert.deepEqual(lines.slice(head + 1, head + 3), ['entities: 10 (DISEASE 5, DRUG 5)', 'files: 5 seen, 3 written, 0 already up to date, 2 skipped']);
  const skips = lines.slice(head + 3, head + 5).sort();
  assert.equal(skips[0], '  skipped huge.md: larger than --max-file-size (4096 bytes)');
  assert.match(skips[1], /^ {2}skipped scan\.txt: binary or not UTF-8 \(.+\)$/);
  assert.equal(lines.slice(head + 5).join('\n'), '', 'nothing after the summary');
}

test('bulkTag, plain lines: the summary carries the run figures and both skipped files with their reasons', async () => {
  const err = new Capture();
  const summary = await runBulk('lines', err);
  assert.deepEqual([summary.documents, summary.tokens, { ...summary.entities }, summary.skipped.length], [5, 46, { DISEASE: 5, DRUG: 5 }, 2]);
  assertNotesSummary(err.text);
  assert.doesNotMatch(err.text, /\x1b/);
  // A run shorter than 5 s prints no progress line; a longer one prints only well-formed ones.
  for (const line of err.text.split('\n').filter((l) => l.startsWith('tagging'))) {
    assert.match(line, /^tagging: \d+\/7 documents, \d+ tokens, \d+ tokens\/s$/);
  }
});

test('bulkTag, plain lines on a slow clock: a line per update, counts rising to 7/7 documents and 46 tokens', async (t) => {
  // Every Date.now() is 6 s after the previous one, so no update is held back by the 5 s interval.
  let now = 0;
  t.mock.method(Date, 'now', () => (now += 6_000));
  const err = new Capture();
  await runBulk('lines', err);
  const progress = err.text.split('\n').filter((l) => l.startsWith('tagging'));
  assert.ok(progress.length >= 7, err.text); // the first report, one per document or skip, the final one
  const parsed = progress.map((l) => {
    const m = /^tagging: (\d+)\/(\d+) documents, (\d+) tokens, (\d+) tokens\/s$/.exec(l);
    assert.ok(m, l);
    return m.slice(1).map(Number);
  });
  for (let i = 1; i < parsed.length; i++) {
    assert.ok(parsed[i][0] >= parsed[i - 1][0] && parsed[i][2] >= parsed[i - 1][2], 'done and tokens never go back');
  }
  assert.deepEqual(parsed.at(-1)!.slice(0, 3), [7, 7, 46]);
  assertNotesSummary(err.text);
  // The summary's tokens/s is its tokens over its seconds (both from the same fake clock).
  const [, seconds, speed] = /in (\d+\.\d) s \((\d+) tokens\/s/.exec(err.text)!;
  assert.equal(Number(speed), Math.round(46 / Number(seconds)));
});

test('bulkTag, a terminal: the bar ends at 7/7 documents and 46 tokens, then the summary', async () => {
  const err = new Capture(true);
  await runBulk('bar', err);
  const out = plain(err.text);
  assert.match(out, /tagging \[=+\] 7\/7 documents \| 46 tokens \| \d+ tokens\/s \| ETA/);
  assert.match(err.text, /\x1b\[\?25h/, 'cursor shown again');
  assertNotesSummary(out);
});

/** `bioner tag notes/visit.txt --out OUT` from the sources (tsx), so no build is needed. */
const cliArgs = (out: string): string[] => [
  ...['--import', 'tsx', 'server/src/cli/main.ts', 'tag', join(fixtureNotes, 'visit.txt')],
  ...['--model', lexiconModel, '--workers', '0', '--out', out],
];

test('bioner tag with stderr not a terminal (a pipe): no escapes, just the summary', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bioner-progress-'));
  const run = spawnSync(process.execPath, cliArgs(join(dir, 'out')), { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });
  assert.equal(run.status, 0, run.stderr);
  assert.doesNotMatch(run.stderr, /\x1b/);
  assert.match(run.stderr, /^done: 1 document, 18 tokens in \d+\.\d s \(\d+ tokens\/s, 0 workers, model test-lexicon, peak memory \d+ MB\)\n/);
  assert.match(run.stderr, /^entities: 4 \(DISEASE 2, DRUG 2\)$/m);
  assert.match(run.stderr, /^files: 1 seen, 1 written, 0 already up to date, 0 skipped$/m);
});

const hasScript = process.platform === 'linux' && spawnSync('script', ['--version'], { encoding: 'utf8' }).stdout?.includes('util-linux');

const ptyTest = { skip: !hasScript && 'needs util-linux script' };

test('bioner tag with stderr a terminal (a pseudo-terminal from `script`): the bar, then the summary', ptyTest, () => {
  const dir = mkdtempSync(join(tmpdir(), 'bioner-progress-'));
  const command = [process.execPath, ...cliArgs(join(dir, 'out'))].map((a) => `'${a}'`).join(' ');
  const run = spawnSync('script', ['-qec', command, '/dev/null'], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 60_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  assert.equal(run.status, 0, run.stdout + run.stderr);
  const out = plain(run.stdout).replace(/\r/g, '');
  assert.match(run.stdout, /\x1b\[\?25l/, 'the bar hides the cursor');
  assert.match(out, new RegExp(`tagging \\[${'='.repeat(40)}\\] 1/1 documents \\| 18 tokens \\| \\d+ tokens/s \\| ETA`));
  assert.match(out, /\ndone: 1 document, 18 tokens in /);
  assert.match(out, /^entities: 4 \(DISEASE 2, DRUG 2\)$/m);
});
