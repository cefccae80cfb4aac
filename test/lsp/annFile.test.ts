// The language server's view of a BRAT sidecar: tolerant reading against the current text, in-place relabelling
// that keeps ids, line endings and every other line, and atomic creation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addAnnotation, annPathFor, ensureAnnFile, relabelAnnotation, tolerantAnnotations } from '../../server/src/lsp/annFile';

const dir = mkdtempSync(join(tmpdir(), 'bioner-ann-'));

test('the sidecar of notes/visit.txt is notes/visit.ann', () => {
  assert.equal(annPathFor('/a/notes/visit.txt'), '/a/notes/visit.ann');
  assert.equal(annPathFor('/a/notes/visit.note.md'), '/a/notes/visit.note.ann');
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

test('ensureAnnFile creates an empty file once and never truncates an existing one', () => {
  const path = join(dir, 'new.ann');
  ensureAnnFile(path);
  assert.equal(readFileSync(path, 'utf8'), '');
  writeFileSync(path, 'T1\tDRUG 0 7\taspirin\n');
  ensureAnnFile(path);
  assert.equal(readFileSync(path, 'utf8'), 'T1\tDRUG 0 7\taspirin\n');
});
