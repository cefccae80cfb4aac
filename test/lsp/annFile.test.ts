// The language server's view of a BRAT sidecar: tolerant reading against the current text, in-place relabelling
// that keeps ids, line endings and every other line, and atomic creation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addAnnotation, addNotEntity, annPathFor, markReviewed, relabelAnnotation, startSidecar, tolerantAnnotations, tolerantReview } from '../../server/src/lsp/annFile';
import { textPathForSidecar } from '../../server/src/formats/sidecar';

const dir = mkdtempSync(join(tmpdir(), 'bioner-ann-'));

test('one sidecar per document: visit.txt -> visit.ann as brat pairs them, any other text keeps its whole name', () => {
  assert.equal(annPathFor('/a/notes/visit.txt'), '/a/notes/visit.ann');
  assert.equal(annPathFor('/a/notes/visit.note'), '/a/notes/visit.note.ann');
  assert.equal(annPathFor('/a/notes/visit.note.md'), '/a/notes/visit.note.md.ann');
  // visit.note and visit.txt in one folder no longer share visit.ann, and each sidecar names its own text.
  assert.notEqual(annPathFor('/a/visit.note'), annPathFor('/a/visit.txt'));
  for (const text of ['/a/visit.txt', '/a/visit.note', '/a/visit.note.md', '/a/v.md']) assert.equal(textPathForSidecar(annPathFor(text)), text);
});

test('lines that no longer fit the text are left out, the others kept (code-point offsets)', () => {
  const text = '🙂 aspirin for fever';
  const content = 'T1\tDRUG 2 9\taspirin\nT2\tDISEASE 14 19\tfever\nT3\tDRUG 0 4\tstale\nnot brat at all\nA1\tNegated T1\n';
  const found = tolerantAnnotations(content, text, 'x.ann');
  assert.deepEqual(found.map((a) => [a.id, a.label, text.slice(a.start, a.end), a.line]), [
    ['T1', 'DRUG', 'aspirin', 1],
    ['T2', 'DISEASE', 'fever', 2],
  ]);
});

test('relabel keeps the id, the CRLF endings and every other line; add appends the next id', () => {
  const path = join(dir, 'crlf.ann');
  const text = 'aspirin for fever, then naloxone';
  const lines = ['T1\tDRUG 0 7\taspirin', 'A1\tNegated T1', 'R1\tTreats Arg1:T1 Arg2:T7', 'T7\tDISEASE 12 17\tfever', '#1\tAnnotatorNotes T7\tseen'];
  writeFileSync(path, lines.join('\r\n') + '\r\n');
  relabelAnnotation(path, text, 'T7', 'SYMPTOM');
  assert.equal(addAnnotation(path, text, { start: 24, end: 32, label: 'DRUG' }), 'T8');
  const expected = [...lines.slice(0, 3), 'T7\tSYMPTOM 12 17\tfever', lines[4], 'T8\tDRUG 24 32\tnaloxone'];
  assert.equal(readFileSync(path, 'utf8'), expected.join('\r\n') + '\r\n');
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
  assert.throws(() => relabelAnnotation(path, text, 'T99', 'DRUG'), /no annotation T99/);
});

test('startSidecar starts a partial review once and never truncates an existing file', () => {
  const path = join(dir, 'new.ann');
  startSidecar(path);
  assert.equal(readFileSync(path, 'utf8'), '# bioner-review: partial\n');
  writeFileSync(path, 'T1\tDRUG 0 7\taspirin\n');
  startSidecar(path);
  assert.equal(readFileSync(path, 'utf8'), 'T1\tDRUG 0 7\taspirin\n');
});

test('"not an entity" and "fully annotated" are recorded in the sidecar, every other line kept', () => {
  const path = join(dir, 'review.ann');
  const text = '🙂 aspirin for fever';
  addNotEntity(path, text, { start: 3, end: 10 });
  addNotEntity(path, text, { start: 3, end: 10 }); // once
  addAnnotation(path, text, { start: 15, end: 20, label: 'DISEASE' });
  assert.equal(readFileSync(path, 'utf8'), '# bioner-review: partial\n# bioner-not-entity: 2 9\taspirin\nT1\tDISEASE 14 19\tfever\n');
  assert.deepEqual(tolerantReview(readFileSync(path, 'utf8'), text), { complete: false, notEntities: [{ start: 3, end: 10 }] });
  // After an edit moves the text, a stale line is left out rather than misapplied.
  assert.deepEqual(tolerantReview(readFileSync(path, 'utf8'), 'x' + text).notEntities, []);
  markReviewed(path, true);
  assert.equal(readFileSync(path, 'utf8'), '# bioner-review: complete\n# bioner-not-entity: 2 9\taspirin\nT1\tDISEASE 14 19\tfever\n');
  assert.equal(tolerantReview(readFileSync(path, 'utf8'), text).complete, true);
  // A file without a review line (from elsewhere) is complete.
  assert.equal(tolerantReview('T1\tDRUG 2 9\taspirin\n', text).complete, true);
});
