// The tolerant BRAT sidecar editor: unknown lines kept verbatim, line endings kept, removals refuse to break relations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AnnFile, annPathFor } from '../../server/src/lsp/annFile';

const dir = mkdtempSync(join(tmpdir(), 'bioner-ann-'));

test('the sidecar of notes/visit.txt is notes/visit.ann', () => {
  assert.equal(annPathFor('/a/notes/visit.txt'), '/a/notes/visit.ann');
  assert.equal(annPathFor('/a/notes/visit.note.md'), '/a/notes/visit.note.ann');
});

test('add, relabel and remove keep every other line and the CRLF line endings', () => {
  const path = join(dir, 'crlf.ann');
  const lines = ['T1\tDISEASE 0 5;6 10\tfoo bar', 'garbage line', 'T7\tDRUG 20 27\taspirin', 'A1\tNegated T7', '#1\tAnnotatorNotes T7\tseen'];
  writeFileSync(path, lines.join('\r\n') + '\r\n');
  const file = AnnFile.read(path);
  assert.deepEqual(file.entities().map((e) => [e.id, e.label, e.start, e.end]), [['T1', 'DISEASE', 0, 10], ['T7', 'DRUG', 20, 27]]);
  assert.equal(file.add('DRUG', 30, 37, 'ibuprof\nen'), 'T8');
  file.relabel('T1', 'CHEMICAL');
  file.remove('T7');
  file.write();
  assert.equal(readFileSync(path, 'utf8'), ['T1\tCHEMICAL 0 5;6 10\tfoo bar', 'garbage line', 'T8\tDRUG 30 37\tibuprof en'].join('\r\n') + '\r\n');
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
});

test('removing an annotation a relation uses is refused and nothing is written', () => {
  const path = join(dir, 'rel.ann');
  const content = 'T1\tDRUG 0 7\taspirin\nT2\tDISEASE 12 17\tfever\nR1\tTreats Arg1:T1 Arg2:T2\n';
  writeFileSync(path, content);
  const file = AnnFile.read(path);
  assert.throws(() => file.remove('T2'), /T2 is used by "R1"/);
  assert.equal(readFileSync(path, 'utf8'), content);
});

test('a missing file reads as empty and is created on write', () => {
  const path = join(dir, 'new.ann');
  const file = AnnFile.read(path);
  assert.equal(file.exists, false);
  file.add('DRUG', 0, 7, 'aspirin');
  file.write();
  assert.equal(readFileSync(path, 'utf8'), 'T1\tDRUG 0 7\taspirin\n');
});
