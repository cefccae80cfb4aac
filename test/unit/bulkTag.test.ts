// `bioner tag DIR --out/--in-place`: mirrored tree, skipped files, hand-made .ann kept, resume, --force, progress
// JSON, and Ctrl-C leaving no half-written output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readBrat } from '../../server/src/formats/brat';
import { parseConll } from '../../server/src/formats/conll';
import { lexiconModel, listFiles, runCli, scratchNotes, startCli } from '../fixtures/bulk/cli';

const MARKER = '# bioner: written by "bioner tag"';
const tag = (...args: string[]) => runCli(['tag', ...args, '--model', lexiconModel, '--workers', '1']);

test('--out mirrors the input tree in every format and leaves the input tree alone', () => {
  const { dir, notes } = scratchNotes();
  const before = listFiles(notes);
  const expected: Record<string, string[]> = {
    jsonl: ['clinic/batch.jsonl.jsonl', 'clinic/overdose.md.jsonl', 'visit.jsonl'],
    conll: ['clinic/batch.jsonl.conll', 'clinic/overdose.md.conll', 'visit.conll'],
    inline: ['clinic/batch.jsonl.inline.txt', 'clinic/overdose.md.inline.txt', 'visit.inline.txt'],
    // BRAT: the .ann beside a copy of its text; JSONL input has no single text, so it is skipped.
    brat: ['clinic/overdose.md.ann', 'clinic/overdose.md.txt', 'visit.ann', 'visit.txt'],
  };
  for (const [format, files] of Object.entries(expected)) {
    const out = join(dir, `out-${format}`);
    const run = tag(notes, '--format', format, '--out', out);
    // Exit 2 for BRAT: the JSONL input was skipped (done, but not every input tagged).
    assert.equal(run.code, format === 'brat' ? 2 : 0, run.stderr);
    assert.deepEqual(listFiles(out), files, format);
  }
  assert.deepEqual(listFiles(notes), before);

  const jsonl = readFileSync(join(dir, 'out-jsonl', 'clinic', 'batch.jsonl.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(jsonl.map((d) => [d.id, d.line]), [['n1', 1], ['n2', 2], [7, 4]]);
  const ann = readFileSync(join(dir, 'out-brat', 'visit.ann'), 'utf8');
  assert.ok(ann.startsWith(MARKER));
  assert.match(ann, /^T1\tDISEASE 23 38\tcystic fibrosis$/m);
  assert.equal(readFileSync(join(dir, 'out-brat', 'visit.txt'), 'utf8'), readFileSync(join(notes, 'visit.txt'), 'utf8'));
  assert.equal(readBrat(join(dir, 'out-brat', 'visit.txt')).documents[0].entities.length, 4);
  const conll = parseConll(readFileSync(join(dir, 'out-conll', 'clinic', 'batch.jsonl.conll'), 'utf8'), 'batch.jsonl.conll');
  assert.deepEqual(conll.documents.map((d) => d.id), ['n1', 'n2', '7']);
  assert.match(readFileSync(join(dir, 'out-inline', 'visit.inline.txt'), 'utf8'), /\[Ivacaftor\/DRUG\]/);
  assert.match(readFileSync(join(dir, 'out-conll', 'clinic', 'overdose.md.conll'), 'utf8'), /^naloxone\tB-DRUG$/m);
  assert.match(tag(notes, '--format', 'brat', '--out', join(dir, 'x')).stderr, /skipped clinic\/batch\.jsonl: BRAT output needs/);
});

test('binary and oversized files are skipped with a reason in the summary', () => {
  const { dir, notes } = scratchNotes();
  writeFileSync(join(notes, 'scan.txt'), Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0x01, 0x02]));
  writeFileSync(join(notes, 'latin1.txt'), Buffer.from([0x66, 0xe9, 0x76, 0x72, 0x69, 0x65, 0x72])); // "février" in Latin-1
  writeFileSync(join(notes, 'huge.md'), `aspirin ${'x'.repeat(5000)}`);
  const out = join(dir, 'out');
  const run = tag(notes, '--out', out, '--max-file-size', '4k');
  assert.equal(run.code, 2, `exit 2: done, some files skipped\n${run.stderr}`);
  assert.match(run.stderr, /skipped scan\.txt: binary/);
  assert.match(run.stderr, /skipped latin1\.txt: binary/);
  assert.match(run.stderr, /skipped huge\.md: larger than --max-file-size \(4096 bytes\)/);
  assert.deepEqual(listFiles(out), ['clinic/batch.jsonl.jsonl', 'clinic/overdose.md.jsonl', 'visit.jsonl']);
});

test('--include and --exclude pick the files', () => {
  const { dir, notes } = scratchNotes();
  const out = join(dir, 'out');
  assert.equal(tag(notes, '--out', out, '--include', '**/*.md', '**/*.txt', '--exclude', 'visit.*').code, 0);
  assert.deepEqual(listFiles(out), ['clinic/overdose.md.jsonl']);
});

test('a hand-made .ann is never overwritten: ours goes to .bioner.ann', () => {
  const { notes } = scratchNotes();
  const mine = 'T1\tDISEASE 23 38\tcystic fibrosis\n#1\tAnnotatorNotes T1\tchecked by hand\n';
  writeFileSync(join(notes, 'visit.ann'), mine);
  for (let i = 0; i < 2; i++) {
    const run = tag(notes, '--format', 'brat', '--in-place', '--force');
    assert.equal(run.code, 2, run.stderr); // the JSONL input cannot become BRAT: skipped
    assert.match(run.stderr, /kept .*visit\.ann/);
    assert.equal(readFileSync(join(notes, 'visit.ann'), 'utf8'), mine);
    assert.ok(readFileSync(join(notes, 'visit.bioner.ann'), 'utf8').startsWith(MARKER));
  }
  // Our own .ann (from an earlier run) is simply replaced.
  assert.ok(readFileSync(join(notes, 'clinic', 'overdose.md.ann'), 'utf8').startsWith(MARKER));
  assert.ok(!existsSync(join(notes, 'visit.txt.ann')));
});

test('--in-place never touches a person\'s file of the same name and never reads its own outputs back', () => {
  const { notes } = scratchNotes();
  const theirs = '{"id":"v","text":"their own JSONL data about aspirin"}\n';
  writeFileSync(join(notes, 'visit.jsonl'), theirs);
  for (let i = 0; i < 2; i++) {
    const run = tag(notes, '--in-place', '--force');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /4 seen, 4 written/);
  }
  assert.equal(readFileSync(join(notes, 'visit.jsonl'), 'utf8'), theirs);
  assert.equal(JSON.parse(readFileSync(join(notes, 'visit.bioner.jsonl'), 'utf8')).file, 'visit.txt');
  assert.equal(JSON.parse(readFileSync(join(notes, 'visit.jsonl.bioner.jsonl'), 'utf8')).id, 'v');
});

test('--out inside the input folder is never read back as input; --out equal to it needs --in-place', () => {
  const { notes } = scratchNotes();
  const same = tag(notes, '--out', notes);
  assert.equal(same.code, 1);
  assert.match(same.stderr, /--in-place/);
  const nested = join(notes, 'tagged');
  assert.equal(tag(notes, '--out', nested).code, 0);
  const again = tag(notes, '--out', nested, '--force');
  assert.match(again.stderr, /3 seen, 3 written/);
});

test('a second run skips complete outputs; a changed input and --force are tagged again', () => {
  const { dir, notes } = scratchNotes();
  const out = join(dir, 'out');
  assert.match(tag(notes, '--out', out).stderr, /3 seen, 3 written, 0 already up to date/);
  assert.match(tag(notes, '--out', out).stderr, /3 seen, 0 written, 3 already up to date/);
  writeFileSync(join(notes, 'visit.txt'), `${readFileSync(join(notes, 'visit.txt'), 'utf8')}\nAspirin was stopped.\n`);
  assert.match(tag(notes, '--out', out).stderr, /1 written, 2 already up to date/);
  assert.match(tag(notes, '--out', out, '--force').stderr, /3 written, 0 already up to date/);
});

test('--progress-json reports progress and a final summary as JSON lines', () => {
  const { dir, notes } = scratchNotes();
  const run = tag(notes, '--out', join(dir, 'out'), '--progress-json');
  assert.equal(run.code, 0, run.stderr);
  const events = run.stderr.trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(events.some((e) => e.event === 'progress' && typeof e.done === 'number' && typeof e.total === 'number'));
  const done = events.at(-1);
  assert.equal(done.event, 'done');
  // JSONL lines are counted up front, so the total is right from the first event (5 documents in 3 files).
  const progress = events.filter((e) => e.event === 'progress');
  assert.deepEqual([progress[0].total, progress.at(-1).done, progress.at(-1).total], [5, 5, 5]);
  assert.equal(done.summary.documents, 5);
  assert.deepEqual(done.summary.entities, { DISEASE: 5, DRUG: 5 });
  assert.ok(done.summary.tokens > 30);
});

test('Ctrl-C stops cleanly: exit 130, no temp file, every output written is complete', async () => {
  const { dir } = scratchNotes();
  const big = join(dir, 'big');
  mkdirSync(big);
  const docsPerFile = 100;
  for (let f = 0; f < 200; f++) {
    const lines = Array.from({ length: docsPerFile }, (_, i) =>
      JSON.stringify({ id: `${f}-${i}`, text: 'Cystic fibrosis was treated with ivacaftor; aspirin for the fever. '.repeat(4) }),
    );
    writeFileSync(join(big, `part${String(f).padStart(3, '0')}.jsonl`), `${lines.join('\n')}\n`);
  }
  const out = join(dir, 'out');
  const child = startCli(['tag', big, '--out', out, '--model', lexiconModel, '--workers', '2', '--progress-json']);
  let stderr = '';
  let signalled = false;
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk;
    if (!signalled && /"event":"progress","done":[1-9]/.test(stderr)) {
      signalled = true;
      child.kill('SIGINT');
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  assert.ok(signalled, 'the run ended before it could be interrupted');
  assert.equal(code, 130, stderr);
  const files = listFiles(out);
  assert.deepEqual(files.filter((f) => f.includes('.tmp') || f.startsWith('.')), []);
  assert.ok(files.length > 0 && files.length < 200, `expected a partial run, got ${files.length} outputs`);
  for (const file of files) {
    const lines = readFileSync(join(out, file), 'utf8').trim().split('\n');
    assert.equal(lines.length, docsPerFile, file);
    assert.equal(JSON.parse(lines.at(-1)!).line, docsPerFile);
  }
  assert.equal(JSON.parse(stderr.trim().split('\n').at(-1)!).summary.interrupted, true);
});
