// Sidecar .ann files are never lost or misplaced (issue 18, items 3, 7 and 8): a .ann that is a symbolic link is
// written through to its target and a hard-linked one keeps its links; a foreign .ann keeps its byte-order mark; ids
// past 2^53 stay distinct and numeric; bad command arguments are refused; line separators inside an entity survive
// JSONL -> BRAT -> JSONL; and one byte-order-mark rule holds for the CLI, BRAT, JSONL and the editor's sidecar.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { linkSync, lstatSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { editAnn, formatAnn, parseAnn, readBrat, writeBrat } from '../../server/src/formats/brat';
import { formatJsonl, parseJsonl } from '../../server/src/formats/jsonl';
import { addAnnotation, addNotEntity, markReviewed, relabelAnnotation, removeAnnotation, tolerantAnnotations, tolerantReview } from '../../server/src/lsp/annFile';
import { annotationEditOf } from '../../server/src/lsp/codeActions';
import { lexiconModel, runCli, scratchDir } from './helpers';

const TEXT = 'Aspirin for fever, then naloxone.';

describe('a sidecar .ann written by the editor', () => {
  it('that is a symbolic link: the link stays, its target gets the annotation', () => {
    const dir = scratchDir('ann-link');
    mkdirSync(join(dir, 'store'));
    writeFileSync(join(dir, 'store', 'x.ann'), 'T1\tDRUG 0 7\tAspirin\n');
    symlinkSync(join('store', 'x.ann'), join(dir, 'x.ann'));
    addAnnotation(join(dir, 'x.ann'), TEXT, { start: 12, end: 17, label: 'DISEASE' });
    relabelAnnotation(join(dir, 'x.ann'), TEXT, 'T1', 'CHEMICAL');
    assert.ok(lstatSync(join(dir, 'x.ann')).isSymbolicLink(), 'still a link');
    assert.equal(readFileSync(join(dir, 'store', 'x.ann'), 'utf8'), 'T1\tCHEMICAL 0 7\tAspirin\nT2\tDISEASE 12 17\tfever\n');
    // A link to a file that does not exist yet creates that file.
    symlinkSync(join('store', 'new.ann'), join(dir, 'new.ann'));
    addAnnotation(join(dir, 'new.ann'), TEXT, { start: 0, end: 7, label: 'DRUG' });
    assert.ok(lstatSync(join(dir, 'new.ann')).isSymbolicLink());
    assert.equal(readFileSync(join(dir, 'store', 'new.ann'), 'utf8'), 'T1\tDRUG 0 7\tAspirin\n');
  });

  it('with another hard link: both names see the edit (same inode)', () => {
    const dir = scratchDir('ann-hardlink');
    writeFileSync(join(dir, 'x.ann'), 'T1\tDRUG 0 7\tAspirin\n');
    linkSync(join(dir, 'x.ann'), join(dir, 'backup.ann'));
    const inode = statSync(join(dir, 'x.ann')).ino;
    addAnnotation(join(dir, 'x.ann'), TEXT, { start: 24, end: 32, label: 'DRUG' });
    removeAnnotation(join(dir, 'x.ann'), TEXT, 'T1');
    assert.equal(statSync(join(dir, 'x.ann')).ino, inode);
    assert.equal(readFileSync(join(dir, 'backup.ann'), 'utf8'), 'T2\tDRUG 24 32\tnaloxone\n');
    assert.equal(statSync(join(dir, 'x.ann')).nlink, 2);
  });

  it('that starts with a byte-order mark keeps it', () => {
    const dir = scratchDir('ann-bom');
    writeFileSync(join(dir, 'x.ann'), '\uFEFFT1\tDRUG 0 7\tAspirin\r\n');
    addAnnotation(join(dir, 'x.ann'), TEXT, { start: 12, end: 17, label: 'DISEASE' });
    relabelAnnotation(join(dir, 'x.ann'), TEXT, 'T1', 'CHEMICAL');
    assert.equal(readFileSync(join(dir, 'x.ann'), 'utf8'), '\uFEFFT1\tCHEMICAL 0 7\tAspirin\r\nT2\tDISEASE 12 17\tfever\r\n');
  });

  it('marking it reviewed or recording "not an entity" keeps its byte-order mark first', () => {
    const dir = scratchDir('ann-bom-review');
    const path = join(dir, 'x.ann');
    writeFileSync(path, '\uFEFFT1\tDRUG 0 7\tAspirin\n');
    markReviewed(path, true);
    addNotEntity(path, TEXT, { start: 24, end: 32 });
    markReviewed(path, false);
    const content = readFileSync(path, 'utf8');
    assert.ok(content.startsWith('\uFEFF'), JSON.stringify(content));
    assert.equal(content.indexOf('\uFEFF', 1), -1, 'one mark, at the start');
    assert.deepEqual(parseAnn(content.slice(1), TEXT, 'x.ann').entities.map((e) => e.id), ['T1']);
    assert.equal(tolerantReview(content.slice(1), TEXT).notEntities.length, 1);
  });

  it('ids past 2^53 are neither repeated nor written as 1e+21', () => {
    const big = editAnn('T9007199254740992\tDRUG 0 7\tAspirin\n', TEXT, {
      add: [
        { start: 12, end: 17, label: 'DISEASE' },
        { start: 24, end: 32, label: 'DRUG' },
      ],
    }, 'x.ann');
    assert.deepEqual(big.addedIds, ['T9007199254740993', 'T9007199254740994']);
    parseAnn(big.content, TEXT, 'x.ann'); // no duplicate id
    const huge = editAnn('T999999999999999999999\tDRUG 0 7\tAspirin\n', TEXT, { add: [{ start: 12, end: 17, label: 'DISEASE' }] }, 'x.ann');
    assert.deepEqual(huge.addedIds, ['T1000000000000000000000']);
  });

  it('an added span must be whole offsets inside the text', () => {
    for (const [start, end] of [[1.5, 4], [0, 7.25], [-1, 3], [5, 5], [0, 99], [NaN, 3]]) {
      assert.throws(() => editAnn('', TEXT, { add: [{ start, end, label: 'DRUG' }] }, 'x.ann'), /x\.ann: cannot add DRUG .*not a span of the text/);
    }
  });

  it('the bioner.lsp.editAnnotation argument is validated before anything is written', () => {
    const edit = { uri: 'file:///x.txt', op: 'add', start: 0, end: 7, text: 'Aspirin', label: 'DRUG' };
    assert.deepEqual(annotationEditOf(edit), edit);
    assert.throws(() => annotationEditOf({ ...edit, start: 1.5 }), /"start" and "end" must be whole offsets .*1\.5/);
    assert.throws(() => annotationEditOf({ ...edit, end: '7' }), /whole offsets/);
    assert.throws(() => annotationEditOf({ ...edit, label: 'two words' }), /cannot use the label "two words"/);
    assert.throws(() => annotationEditOf({ ...edit, op: 'relabel', id: 'T1\tX' }), /is not an annotation id/);
    assert.throws(() => annotationEditOf({ ...edit, op: 'explode' }), /unknown annotation edit "explode"/);
    assert.throws(() => annotationEditOf('add'), /must be an object/);
    assert.throws(() => annotationEditOf({ ...edit, text: undefined }), /no "text"/);
  });
});

describe('U+2028 / U+2029 inside an entity', () => {
  const text = 'Given aspirin\u2028tablets and fever\u2029relief.';
  const entities = [
    { start: 6, end: 21, label: 'DRUG' },
    { start: 26, end: 38, label: 'DISEASE' },
  ];

  it('a T line written for it is read back (formats and the editor)', () => {
    const ann = formatAnn(text, entities);
    assert.equal(ann.split('\n').length, 3, 'one line per entity');
    assert.doesNotMatch(ann, /[\u2028\u2029]/);
    assert.deepEqual(parseAnn(ann, text, 'x.ann').entities.map(({ start, end, label }) => ({ start, end, label })), entities);
    assert.deepEqual(tolerantAnnotations(ann, text, 'x.ann').map((e) => text.slice(e.start, e.end)), ['aspirin\u2028tablets', 'fever\u2029relief']);
    // A T line that holds the separator itself (as older files may) is read too.
    assert.equal(parseAnn('T1\tDRUG 6 21\taspirin\u2028tablets\n', text, 'x.ann').entities.length, 1);
  });

  it('bioner convert JSONL -> BRAT -> JSONL gives the same document', () => {
    const dir = scratchDir('u2028');
    const jsonl = formatJsonl([{ id: 'doc', text, entities }]);
    writeFileSync(join(dir, 'in.jsonl'), jsonl);
    const toBrat = runCli(['convert', join(dir, 'in.jsonl'), join(dir, 'brat')]);
    assert.equal(toBrat.code, 0, toBrat.stderr);
    const back = runCli(['convert', '--from', 'brat', join(dir, 'brat'), join(dir, 'out.jsonl')]);
    assert.equal(back.code, 0, back.stderr);
    assert.deepEqual(parseJsonl(readFileSync(join(dir, 'out.jsonl'), 'utf8'), 'out.jsonl'), parseJsonl(jsonl, 'in.jsonl'));
  });
});

describe('a leading byte-order mark is never text: one rule for the CLI, BRAT, JSONL and the editor', () => {
  const withBom = `\uFEFF${TEXT}`;

  it('bioner tag: JSONL and BRAT give the same offsets, into the text without the mark', () => {
    const dir = scratchDir('bom-tag');
    writeFileSync(join(dir, 'x.txt'), withBom);
    const jsonl = runCli(['tag', join(dir, 'x.txt'), '--format', 'jsonl', '--model', lexiconModel, '--workers', '0']);
    assert.equal(jsonl.code, 0, jsonl.stderr);
    const jsonlEntities = JSON.parse(jsonl.stdout).entities.map((e: { start: number; end: number; label: string }) => [e.start, e.end, e.label]);
    assert.deepEqual(jsonlEntities.map(([s, e]: number[]) => TEXT.slice(s, e)), ['Aspirin', 'fever', 'naloxone']);
    const brat = runCli(['tag', join(dir, 'x.txt'), '--format', 'brat', '--model', lexiconModel, '--workers', '0']);
    assert.equal(brat.code, 0, brat.stderr);
    const bratEntities = parseAnn(brat.stdout, TEXT, 'stdout').entities.map((e) => [e.start, e.end, e.label]);
    assert.deepEqual(bratEntities, jsonlEntities);
  });

  it('a CLI-written .ann is right in the editor (which drops the mark), and with a client that keeps it', () => {
    const dir = scratchDir('bom-inplace');
    writeFileSync(join(dir, 'x.txt'), withBom);
    const run = runCli(['tag', dir, '--in-place', '--format', 'brat', '--model', lexiconModel, '--workers', '0']);
    assert.equal(run.code, 0, run.stderr);
    const ann = readFileSync(join(dir, 'x.ann'), 'utf8');
    assert.deepEqual(tolerantAnnotations(ann, TEXT, 'x.ann').map((e) => TEXT.slice(e.start, e.end)), ['Aspirin', 'fever', 'naloxone']);
    assert.deepEqual(tolerantAnnotations(ann, withBom, 'x.ann').map((e) => withBom.slice(e.start, e.end)), ['Aspirin', 'fever', 'naloxone']);
  });

  it('an editor-written .ann is accepted by convert, and BRAT output under --out agrees with it', () => {
    const dir = scratchDir('bom-editor');
    writeFileSync(join(dir, 'x.txt'), withBom);
    addAnnotation(join(dir, 'x.ann'), TEXT, { start: 12, end: 17, label: 'DISEASE' }); // as VS Code's text has it
    addAnnotation(join(dir, 'x.ann'), withBom, { start: 1, end: 8, label: 'DRUG' }); // a client that keeps the mark
    const run = runCli(['convert', '--from', 'brat', dir, join(dir, 'out.jsonl')]);
    assert.equal(run.code, 0, run.stderr);
    const [doc] = parseJsonl(readFileSync(join(dir, 'out.jsonl'), 'utf8'), 'out.jsonl');
    assert.equal(doc.text, TEXT);
    assert.deepEqual(doc.entities.map((e) => doc.text.slice(e.start, e.end)), ['Aspirin', 'fever']);
    // bioner tag --out copies the text without the mark beside its .ann, so brat itself reads the same offsets.
    const out = join(dir, 'tagged');
    assert.equal(runCli(['tag', join(dir, 'x.txt'), '--out', out, '--format', 'brat', '--model', lexiconModel, '--workers', '0']).code, 0);
    assert.equal(readFileSync(join(out, 'x.txt'), 'utf8'), TEXT);
    const reread = readBrat(out).documents[0];
    assert.deepEqual(reread.entities.map((e) => reread.text.slice(e.start, e.end)), ['Aspirin', 'fever', 'naloxone']);
  });

  it('a .ann whose offsets count the mark (brat, older bioner) is still read, with a warning', () => {
    const dir = scratchDir('bom-legacy');
    writeFileSync(join(dir, 'x.txt'), withBom);
    writeFileSync(join(dir, 'x.ann'), 'T1\tDRUG 1 8\tAspirin\nT2\tDISEASE 13 18\tfever\n');
    const read = readBrat(dir);
    assert.deepEqual(read.documents[0].entities.map((e) => TEXT.slice(e.start, e.end)), ['Aspirin', 'fever']);
    assert.match(read.warnings.map((w) => w.message).join('\n'), /count the \.txt's byte-order mark/);
  });

  it('convert writes a JSONL text that starts with U+FEFF as BRAT without it, offsets one less', () => {
    const dir = scratchDir('bom-convert');
    writeBrat(join(dir, 'brat'), [{ id: 'x', text: withBom, entities: [{ start: 1, end: 8, label: 'DRUG' }] }]);
    assert.equal(readFileSync(join(dir, 'brat', 'x.txt'), 'utf8'), TEXT);
    assert.deepEqual(readBrat(join(dir, 'brat')).documents[0].entities, [{ start: 0, end: 7, label: 'DRUG' }]);
  });
});
