// The bad-input corpus (test/fixtures/bad, plus a 10 MB line and a 100,000-character token generated here) through
// the CLI: `bioner tag`, `convert`, `eval` and `train`. An input error exits 1 with `bioner: <file>:<line>: ...` and no
// stack trace (a folder run tags the good files and exits 2, listing the skipped ones); a warning-only case succeeds
// and prints the warning; odd but valid text is tagged with exact offsets.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertUserFailure, badFixtures, lexiconModel, runCli, scratchDir, STACK_LINE, tinyConll } from './helpers';

const bad = (name: string) => join(badFixtures, name);
const tagJsonl = (input: string, ...flags: string[]) => runCli(['tag', input, '--model', lexiconModel, '--workers', '0', ...flags]);

interface TaggedEntity {
  start: number;
  end: number;
  label: string;
  text: string;
}

function entitiesOf(stdout: string): TaggedEntity[] {
  const lines = stdout.trim().split('\n');
  assert.equal(lines.length, 1, stdout.slice(0, 300));
  return JSON.parse(lines[0]).entities;
}

describe('bioner tag on odd and bad text', () => {
  let scratch: string;
  before(() => {
    scratch = scratchDir('cli-bad');
  });

  it('an empty file and a whitespace-only file are refused by tag, eval and convert, naming the file', () => {
    assertUserFailure(tagJsonl(bad('empty.txt')), /empty\.txt: is empty: nothing to tag/);
    assertUserFailure(tagJsonl(bad('whitespace.txt')), /whitespace\.txt: has only whitespace: nothing to tag/);
    assertUserFailure(runCli(['tag', '-', '--model', lexiconModel, '--workers', '0'], { input: '' }), /<stdin>: is empty/);
    for (const name of ['empty.txt', 'whitespace.txt']) {
      assertUserFailure(runCli(['eval', '--model', lexiconModel, bad(name)]), new RegExp(`${name.replace('.', '\\.')}: has no text .*nothing to score`));
      assertUserFailure(runCli(['eval', bad(name), bad(name), '--gold-format', 'conll', '--pred-format', 'conll']), /nothing to score/);
      const out = join(scratch, `${name}.conll`);
      assertUserFailure(runCli(['convert', bad(name), out]), /nothing to convert/);
      assert.ok(!existsSync(out), 'nothing written');
    }
  });

  it('a binary file (NUL bytes) and invalid UTF-8 are refused with the file and line', () => {
    assertUserFailure(tagJsonl(bad('nul.txt')), /nul\.txt:2: contains a NUL byte/);
    assertUserFailure(tagJsonl(bad('invalid-utf8.txt')), /invalid-utf8\.txt:2: is not valid UTF-8/);
    // The same bytes on stdin.
    assertUserFailure(runCli(['tag', '-', '--model', lexiconModel, '--workers', '0'], { input: readFileSync(bad('nul.txt')) }), /<stdin>:2: contains a NUL byte/);
    // Inside a folder they are skipped with the reason, and the good files are still tagged.
    const folder = join(scratch, 'mixed-folder');
    mkdirSync(folder);
    writeFileSync(join(folder, 'binary.txt'), readFileSync(bad('nul.txt')));
    writeFileSync(join(folder, 'good.txt'), 'Aspirin was given.\n');
    writeFileSync(join(folder, 'blank.txt'), ' \n\t\n');
    const run = runCli(['tag', folder, '--model', lexiconModel, '--workers', '0', '--out', join(scratch, 'mixed-out')]);
    assert.equal(run.code, 2, `exit 2: done, some files skipped\n${run.stderr}`);
    assert.match(run.stderr, /skipped binary\.txt: .*binary\.txt:2: contains a NUL byte/);
    assert.match(run.stderr, /skipped blank\.txt: has only whitespace: nothing to tag/);
    assert.match(run.stderr, /1 written, 0 already up to date, 2 skipped/);
    assert.ok(existsSync(join(scratch, 'mixed-out', 'good.jsonl')));
    assert.ok(!existsSync(join(scratch, 'mixed-out', 'binary.jsonl')));
  });

  it('mixed CRLF/LF and right-to-left text with emoji: offsets index the text exactly (JSONL) and in code points (BRAT)', () => {
    const tagged = new Map<string, TaggedEntity[]>();
    for (const name of ['mixed-newlines.txt', 'rtl-emoji.txt']) {
      const text = readFileSync(bad(name), 'utf8');
      const run = tagJsonl(bad(name));
      assert.equal(run.code, 0, run.stderr);
      const entities = entitiesOf(run.stdout);
      tagged.set(name, entities);
      for (const e of entities) assert.equal(text.slice(e.start, e.end), e.text);
    }
    assert.deepEqual(tagged.get('mixed-newlines.txt')!.map((e) => e.text), ['Aspirin', 'fever', 'cystic fibrosis', 'Naloxone', 'Ivacaftor']);
    assert.deepEqual(tagged.get('rtl-emoji.txt')!.map((e) => e.text), ['aspirin', 'fever', 'cystic fibrosis', 'naloxone']);
    // BRAT output counts code points (the emoji before an entity shift it); reading it back gives the same spans.
    {
      const name = 'rtl-emoji.txt';
      const text = readFileSync(bad(name), 'utf8');
      const entities = tagged.get(name)!;
      const out = join(scratch, `brat-${name}`);
      const brat = runCli(['tag', bad(name), '--model', lexiconModel, '--workers', '0', '--format', 'brat', '--out', out]);
      assert.equal(brat.code, 0, brat.stderr);
      const back = join(scratch, `back-${name}.jsonl`);
      const converted = runCli(['convert', out, back]);
      assert.equal(converted.code, 0, converted.stderr);
      const doc = JSON.parse(readFileSync(back, 'utf8').trim());
      assert.equal(doc.text, text);
      assert.deepEqual(doc.entities, entities.map(({ start, end, label }) => ({ start, end, label })));
      assert.match(readFileSync(join(out, 'rtl-emoji.ann'), 'utf8'), /^T2\tDISEASE 19 24\tfever$/m, 'code-point offsets (UTF-16: 20-25)');
    }
  });

  it('a 10 MB single line is tagged in full (generated, not committed), through the worker-thread pool', () => {
    const filler = 'the patient was seen again today and felt well ';
    const middle = filler.repeat(Math.ceil((10 * 1024 * 1024) / filler.length));
    const text = `Aspirin first. ${middle}naloxone last.`;
    assert.ok(text.length >= 10 * 1024 * 1024);
    const file = join(scratch, 'ten-megabytes.txt');
    writeFileSync(file, text);
    const run = runCli(['tag', file, '--model', lexiconModel, '--workers', '2']);
    assert.equal(run.code, 0, run.stderr);
    const entities = entitiesOf(run.stdout);
    assert.deepEqual(entities.map((e) => [e.text, e.label]), [['Aspirin', 'DRUG'], ['naloxone', 'DRUG']]);
    for (const e of entities) assert.equal(text.slice(e.start, e.end), e.text);
  });

  it('a 100,000-character token does not hide the entities around it', () => {
    const text = `Aspirin ${'x'.repeat(100_000)} fever, then naloxone.\n`;
    const file = join(scratch, 'long-token.txt');
    writeFileSync(file, text);
    const run = tagJsonl(file);
    assert.equal(run.code, 0, run.stderr);
    const entities = entitiesOf(run.stdout);
    assert.deepEqual(entities.map((e) => e.text), ['Aspirin', 'fever', 'naloxone']);
    for (const e of entities) assert.equal(text.slice(e.start, e.end), e.text);
    const conll = runCli(['tag', file, '--model', lexiconModel, '--workers', '0', '--format', 'conll']);
    assert.equal(conll.code, 0, conll.stderr);
    assert.ok(conll.stdout.split('\n').some((line) => line.length === 100_000 + 2 && line.endsWith('\tO')), 'the long token is one CoNLL line');
  });

  it('a bad model directory is refused with the file: unknown lexicon version, malformed lexicon line', () => {
    assertUserFailure(runCli(['tag', bad('mixed-newlines.txt'), '--model', bad('lexicon-future')]), /lexicon-future\/config\.json: unsupported formatVersion 2/);
    assertUserFailure(
      runCli(['tag', bad('mixed-newlines.txt'), '--model', bad('lexicon-bad-line'), '--workers', '1']),
      /lexicon-bad-line\/lexicon\.tsv:2: expected "term<TAB>LABEL/,
    );
  });
});

/** Annotation inputs that are errors: [fixture, file:line pattern, message pattern]. */
const ANNOTATION_ERRORS: Array<[string, RegExp, RegExp]> = [
  ['brat-past-end', /brat-past-end\/doc\.ann:1: /, /past the end of the text/],
  ['brat-overlap', /brat-overlap\/doc\.ann:2: /, /overlaps/],
  ['brat-mismatch', /brat-mismatch\/doc\.ann:1: /, /text mismatch for T1/],
  ['brat-malformed', /brat-malformed\/doc\.ann:2: /, /malformed entity line/],
  ['missing-tag.conll', /missing-tag\.conll:2: /, /missing tag column/],
  ['unknown-tag.conll', /unknown-tag\.conll:2: /, /unknown tag "X-Foo"/],
  ['binary.conll', /binary\.conll:2: /, /NUL byte/],
  ['latin1.conll', /latin1\.conll:2: /, /not valid UTF-8/],
  ['past-end.jsonl', /past-end\.jsonl:1: /, /past the end/],
  ['invalid-json.jsonl', /invalid-json\.jsonl:2: /, /invalid JSON/],
];

/** Inputs that are read with a warning: [fixture, warning pattern, entity count kept]. */
const ANNOTATION_WARNINGS: Array<[string, RegExp, number]> = [
  ['brat-discontinuous', /warning: .*brat-discontinuous\/doc\.ann:1: T1 is discontinuous \(0 6;7 15\): skipped/, 1],
  ['i-after-o.conll', /warning: .*i-after-o\.conll:3: I-Disease after O: treated as the start of a new entity/, 2],
];

describe('bioner convert, eval and train on bad annotation files', () => {
  let scratch: string;
  before(() => {
    scratch = scratchDir('cli-ann');
  });

  it('convert and eval refuse each bad file with its name and line, and write nothing', () => {
    for (const [index, [fixture, where, what]] of ANNOTATION_ERRORS.entries()) {
      const out = join(scratch, `${fixture}.out.jsonl`);
      assertUserFailure(runCli(['convert', bad(fixture), out]), where, what);
      assert.ok(!existsSync(out), `${fixture}: no output written`);
      // eval reads through the same readers: one fixture of each format is enough.
      if ([0, 4, 8].includes(index)) assertUserFailure(runCli(['eval', bad(fixture), bad(fixture)]), where, what);
    }
    // As the prediction side of eval, too.
    assertUserFailure(runCli(['eval', join(badFixtures, '..', 'formats', 'iob2.conll'), bad('unknown-tag.conll')]), /unknown-tag\.conll:2: /);
  });

  it('a discontinuous BRAT span and I-X after O are warnings: the command succeeds and says what it did', () => {
    for (const [fixture, warning, kept] of ANNOTATION_WARNINGS) {
      const out = join(scratch, `${fixture}.warn.jsonl`);
      const run = runCli(['convert', bad(fixture), out]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, warning);
      assert.doesNotMatch(run.stderr, STACK_LINE);
      assert.equal(JSON.parse(readFileSync(out, 'utf8').trim()).entities.length, kept);
      const scored = runCli(['eval', bad(fixture), bad(fixture), '--json']);
      assert.equal(scored.code, 0, scored.stderr);
      assert.match(scored.stderr, warning);
    }
  });

  it('train refuses bad training or dev data before training and creates no model folder', () => {
    const good = tinyConll(scratch);
    for (const [fixture, where] of [ANNOTATION_ERRORS[0], ANNOTATION_ERRORS[4], ANNOTATION_ERRORS[6]]) {
      const out = join(scratch, `model-${fixture}`);
      const asTrain = runCli(['train', '--train', bad(fixture), '--dev', good, '--representation', 'tiny', '--epochs', '1', '--out', out]);
      assertUserFailure(asTrain, where);
      const asDev = runCli(['train', '--train', good, '--dev', bad(fixture), '--representation', 'tiny', '--epochs', '1', '--out', out]);
      assertUserFailure(asDev, where);
      assert.ok(!existsSync(out), `${fixture}: no model folder`);
    }
    // Warning-only data trains, and the warning is printed.
    const warned = runCli(['train', '--train', bad('i-after-o.conll'), '--representation', 'tiny', '--epochs', '1', '--out', join(scratch, 'model-warned')]);
    assert.equal(warned.code, 0, warned.stderr);
    assert.match(warned.stderr, /i-after-o\.conll:3: I-Disease after O/);
    // An empty training file is an error, not a crash.
    assertUserFailure(runCli(['train', '--train', bad('empty.txt'), '--format', 'conll', '--representation', 'tiny', '--out', join(scratch, 'model-empty')]), /empty\.txt/);
  });
});
