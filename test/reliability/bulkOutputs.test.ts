// `bioner tag --out/--in-place` never erases or misplaces a person's work (issue 18, items 1, 4, 5 and 6): an .ann a
// reviewer edited is never rewritten (ours goes beside it, and the summary says so), two inputs with one output name
// are refused before anything is written, an --out that is a symbolic link to the input folder is refused, and a
// resumed run trusts content (input, model, options), not modification times.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { annState, COMPLETED_FILE, completionKey, fileHash, OUTPUT_CODE, stampAnn } from '../../server/src/bulk/outputs';
import { modelFingerprint } from '../../server/src/model/fingerprint';
import { outputSink, StampedAnnSink } from '../../server/src/bulk/sinks';
import { lexiconModel, repoRoot, runCli, scratchDir } from './helpers';

const tag = (...args: string[]) => runCli(['tag', ...args, '--workers', '0', ...(args.includes('--model') ? [] : ['--model', lexiconModel])]);
const TEXT = 'Aspirin for fever in cystic fibrosis.\n';
const past = new Date('2001-01-01T00:00:00Z');
const future = () => new Date(Date.now() + 60_000);

describe('a reviewer\'s edits of a bulk-written .ann', () => {
  function tagged(): { dir: string; ann: string } {
    const dir = scratchDir('review');
    writeFileSync(join(dir, 'x.txt'), TEXT);
    const run = tag(dir, '--in-place', '--format', 'brat');
    assert.equal(run.code, 0, run.stderr);
    return { dir, ann: join(dir, 'x.ann') };
  }

  it('an added line: a touched input and --force leave the file alone; ours goes beside it and the summary says so', () => {
    const { dir, ann } = tagged();
    const reviewed = `${readFileSync(ann, 'utf8')}T9\tDISEASE 21 36\tcystic fibrosis\n#1\tAnnotatorNotes T9\tchecked\n`;
    writeFileSync(ann, reviewed);
    utimesSync(join(dir, 'x.txt'), future(), future());
    const touched = tag(dir, '--in-place', '--format', 'brat');
    assert.equal(touched.code, 0, touched.stderr);
    assert.equal(readFileSync(ann, 'utf8'), reviewed);
    const forced = tag(dir, '--in-place', '--format', 'brat', '--force');
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(readFileSync(ann, 'utf8'), reviewed, 'the reviewer\'s file is kept byte for byte');
    assert.match(forced.stderr, /kept .*x\.ann \(written or edited by a person\); output went to \.bioner\.ann/);
    assert.match(readFileSync(join(dir, 'x.bioner.ann'), 'utf8'), /^T1\tDRUG 0 7\tAspirin$/m);
  });

  it('a corrected label (same number of lines) is seen too; an unedited output of ours is simply replaced', () => {
    const { dir, ann } = tagged();
    const untouched = readFileSync(ann, 'utf8');
    assert.equal(annState(ann), 'ours');
    assert.equal(tag(dir, '--in-place', '--format', 'brat', '--force').code, 0);
    assert.equal(readFileSync(ann, 'utf8'), untouched);
    assert.ok(!existsSync(join(dir, 'x.bioner.ann')), 'nothing written beside an unedited output');
    const corrected = untouched.replace('\tDISEASE ', '\tSYMPTOM ');
    assert.notEqual(corrected, untouched);
    writeFileSync(ann, corrected);
    assert.equal(tag(dir, '--in-place', '--format', 'brat', '--force').code, 0);
    assert.equal(readFileSync(ann, 'utf8'), corrected);
    assert.ok(existsSync(join(dir, 'x.bioner.ann')));
  });

  it('an .ann from a bioner that wrote no hash is kept (it may hold edits)', () => {
    const dir = scratchDir('review-old');
    writeFileSync(join(dir, 'x.txt'), TEXT);
    const old = '# bioner: written by "bioner tag"; a new run may overwrite this file\nT1\tDRUG 0 7\tAspirin\nT2\tDISEASE 21 36\tcystic fibrosis\n';
    writeFileSync(join(dir, 'x.ann'), old);
    assert.equal(tag(dir, '--in-place', '--format', 'brat').code, 0);
    assert.equal(readFileSync(join(dir, 'x.ann'), 'utf8'), old);
    assert.ok(existsSync(join(dir, 'x.bioner.ann')));
  });

  it('an edit made while the run was tagging is seen when the output is placed', async () => {
    const dir = scratchDir('review-race');
    const stem = join(dir, 'x');
    writeFileSync(`${stem}.ann`, stampAnn('T1\tDRUG 0 7\tAspirin\n'));
    const sink = new StampedAnnSink(stem, `${stem}.ann`);
    await sink.write('T1\tDRUG 0 7\tAspirin\nT2\tDISEASE 12 17\tfever\n');
    const edited = `${readFileSync(`${stem}.ann`, 'utf8')}T5\tDISEASE 12 17\tfever\n`;
    writeFileSync(`${stem}.ann`, edited); // the reviewer saves while bioner tags
    await sink.commit();
    assert.equal(readFileSync(`${stem}.ann`, 'utf8'), edited);
    assert.equal(sink.keptUserAnn, `${stem}.ann`);
    assert.equal(sink.writtenTo, `${stem}.bioner.ann`);
    assert.equal(annState(`${stem}.bioner.ann`), 'ours');
  });
});

describe('outputs that would collide', () => {
  const cases: Array<[string, string[], string[]]> = [
    ['n.md and n.md.txt (BRAT)', ['n.md', 'n.md.txt'], ['--format', 'brat']],
    ['n.md and n.md.txt (JSONL)', ['n.md', 'n.md.txt'], ['--format', 'jsonl']],
    ['x.jsonl and x.jsonl.txt', ['x.jsonl', 'x.jsonl.txt'], ['--format', 'jsonl']],
  ];
  for (const [name, files, format] of cases) {
    for (const where of ['--out', '--in-place']) {
      it(`${name}, ${where}: refused naming both, nothing written`, () => {
        const dir = scratchDir('collide');
        const input = join(dir, 'in');
        mkdirSync(input);
        for (const file of files) writeFileSync(join(input, file), file.includes('jsonl') && !file.endsWith('.txt') ? '{"id":"a","text":"aspirin"}\n' : 'aspirin for fever\n');
        const run = tag(input, ...format, ...(where === '--out' ? ['--out', join(dir, 'out')] : ['--in-place']));
        assert.equal(run.code, 1, run.stderr);
        assert.match(run.stderr, new RegExp(`bioner: ${files[0].replace(/\./g, '\\.')} and ${files[1].replace(/\./g, '\\.')} would both be written to `));
        assert.ok(!existsSync(join(dir, 'out')), 'no output folder');
        assert.deepEqual(readdirSync(input).sort(), [...files].sort(), 'nothing written beside the inputs');
      });
    }
  }
});

describe('--out through a symbolic link', () => {
  it('to the input folder: refused, the person\'s a.jsonl untouched', () => {
    const dir = scratchDir('alias');
    const input = join(dir, 'in2');
    mkdirSync(input);
    writeFileSync(join(input, 'a.txt'), TEXT);
    const theirs = '{"id":"mine","text":"my own aspirin notes"}\n';
    writeFileSync(join(input, 'a.jsonl'), theirs);
    symlinkSync(input, join(dir, 'alias2'));
    const run = tag(input, '--out', join(dir, 'alias2'));
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /alias2: this is the input folder; pass --in-place/);
    assert.equal(readFileSync(join(input, 'a.jsonl'), 'utf8'), theirs);
  });

  it('to a folder inside the input tree: its outputs are never read back as inputs', () => {
    const dir = scratchDir('alias-sub');
    const input = join(dir, 'in');
    mkdirSync(join(input, 'tagged'), { recursive: true });
    writeFileSync(join(input, 'a.txt'), TEXT);
    symlinkSync(join(input, 'tagged'), join(dir, 'link'));
    for (let i = 0; i < 2; i++) {
      const run = tag(input, '--out', join(dir, 'link'), '--force');
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /1 seen, 1 written/);
    }
    assert.deepEqual(readdirSync(join(input, 'tagged')).filter((f) => !f.startsWith('.')), ['a.jsonl']);
  });
});

describe('resume keys on content, not modification times', () => {
  function firstRun(): { dir: string; input: string; out: string; model: string } {
    const dir = scratchDir('resume');
    const input = join(dir, 'in');
    mkdirSync(input);
    writeFileSync(join(input, 'a.txt'), TEXT);
    writeFileSync(join(input, 'b.txt'), 'Naloxone was given.\n');
    const model = join(dir, 'model');
    cpSync(lexiconModel, model, { recursive: true });
    const out = join(dir, 'out');
    assert.match(tag(input, '--out', out, '--model', model).stderr, /2 seen, 2 written/);
    assert.match(tag(input, '--out', out, '--model', model).stderr, /0 written, 2 already up to date/);
    return { dir, input, out, model };
  }

  it('an input restored with an older modification time (cp -p, tar) is tagged again', () => {
    const { input, out, model } = firstRun();
    writeFileSync(join(input, 'a.txt'), 'Ivacaftor for cystic fibrosis.\n');
    utimesSync(join(input, 'a.txt'), past, past);
    assert.match(tag(input, '--out', out, '--model', model).stderr, /1 written, 1 already up to date/);
    assert.match(readFileSync(join(out, 'a.jsonl'), 'utf8'), /"Ivacaftor"/);
    // Touching without a change is no reason to tag again.
    utimesSync(join(input, 'b.txt'), future(), future());
    assert.match(tag(input, '--out', out, '--model', model).stderr, /0 written, 2 already up to date/);
  });

  it('another model, or the same model folder changed (fine-tuned in place), is tagged again', () => {
    const { dir, input, out, model } = firstRun();
    const other = join(dir, 'other-model');
    cpSync(model, other, { recursive: true });
    writeFileSync(join(other, 'lexicon.tsv'), `${readFileSync(join(other, 'lexicon.tsv'), 'utf8')}for\tDRUG\t0.5\n`);
    assert.match(tag(input, '--out', out, '--model', other).stderr, /2 written, 0 already up to date/);
    assert.match(readFileSync(join(out, 'a.jsonl'), 'utf8'), /"text":"for"/);
    assert.match(tag(input, '--out', out, '--model', model).stderr, /2 written, 0 already up to date/);
    writeFileSync(join(model, 'lexicon.tsv'), readFileSync(join(other, 'lexicon.tsv')));
    utimesSync(join(model, 'lexicon.tsv'), past, past);
    assert.match(tag(input, '--out', out, '--model', model).stderr, /2 written, 0 already up to date/);
    // A changed model card changes no tag.
    writeFileSync(join(model, 'MODEL_CARD.md'), '# notes\n');
    assert.match(tag(input, '--out', out, '--model', model).stderr, /0 written, 2 already up to date/);
  });

  it('an output removed or replaced since is written again', () => {
    const { input, out, model } = firstRun();
    writeFileSync(join(out, 'a.jsonl'), '{"not":"ours"}\n');
    assert.match(tag(input, '--out', out, '--model', model).stderr, /1 written, 1 already up to date/);
    assert.match(readFileSync(join(out, 'a.jsonl'), 'utf8'), /"Aspirin"/);
  });
});

describe('resume keys on the code that wrote the outputs', () => {
  it('outputs recorded by another version of bioner are not up to date: a rerun after an upgrade tags them again', () => {
    const dir = scratchDir('resume-version');
    const input = join(dir, 'in');
    mkdirSync(input);
    writeFileSync(join(input, 'a.txt'), TEXT);
    const out = join(dir, 'out');
    assert.match(tag(input, '--out', out).stderr, /1 seen, 1 written/);
    const record = join(out, COMPLETED_FILE);
    const parts = { input: fileHash(join(input, 'a.txt'))!, model: modelFingerprint(lexiconModel), format: 'jsonl' as const, inPlace: false };
    assert.match(readFileSync(record, 'utf8'), new RegExp(completionKey(parts)), 'the record holds the key this test computes');
    // The same record as an older bioner (or the same version before a pass was added) would have written it.
    for (const code of [{ ...OUTPUT_CODE, bioner: '0.0.1' }, { ...OUTPUT_CODE, outputVersion: OUTPUT_CODE.outputVersion - 1 }, { ...OUTPUT_CODE, passes: OUTPUT_CODE.passes.slice(1) }]) {
      writeFileSync(record, readFileSync(record, 'utf8').replaceAll(completionKey(parts), completionKey(parts, code)));
      assert.match(tag(input, '--out', out).stderr, /1 written, 0 already up to date/);
      assert.match(tag(input, '--out', out).stderr, /0 written, 1 already up to date/);
    }
  });

  it('--version prints the version in package.json', () => {
    const run = runCli(['--version']);
    assert.equal(run.stdout.trim(), JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).version);
  });
});

it('an output whose folder is removed before its temp file opens: write rejects naming the file, no unhandled error, nothing placed', async () => {
  const folder = join(scratchDir('sink-gone'), 'shards');
  const target = join(folder, '000000');
  const sink = outputSink({ path: target }); // makes the folder; the temp file opens on a later tick
  rmSync(folder, { recursive: true });
  await new Promise((resolve) => setTimeout(resolve, 200)); // the open fails meanwhile: an 'error' event nobody waits for
  await assert.rejects(sink.write('text'), new RegExp(`${target.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: cannot write \\(ENOENT\\)`));
  await assert.rejects(sink.commit(), /cannot write \(ENOENT\)/);
  await sink.discard();
  assert.ok(!existsSync(target));
});
