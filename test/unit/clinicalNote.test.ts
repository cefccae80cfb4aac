// The shipped model on the example discharge note (examples/notes/discharge.note) through `bioner tag`: shorthand in
// context, placeholders, and the note's structure in the sentences.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../fixtures/bulk/cli';
import { findPlaceholders } from '../../server/src/text/placeholders';

const note = join(repoRoot, 'examples', 'notes', 'discharge.note');
const text = readFileSync(note, 'utf8');

function tag(format: string, file = note): string {
  const r = spawnSync(process.execPath, [join(repoRoot, 'dist', 'cli.js'), 'tag', file, '--format', format], { encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test('the example note: HTN is a DISEASE, "ASA 81 mg" and "MS 2 mg IV" are DRUGs, Echo\'s MS is mitral stenosis; placeholders are no entities', () => {
  const entities: Array<{ start: number; end: number; text: string; label: string; expansion?: string }> = JSON.parse(tag('jsonl')).entities;
  const find = (mention: string, after = 0) => entities.find((e) => e.text === mention && e.start >= after);
  assert.equal(find('HTN')?.label, 'DISEASE');
  assert.equal(find('HTN')?.expansion, 'hypertension');
  const asa = find('ASA', text.indexOf('ASA 81 mg'));
  assert.equal(asa?.start, text.indexOf('ASA 81 mg'));
  assert.equal(asa?.label, 'DRUG');
  const echoMs = find('MS', text.indexOf('Echo'));
  assert.deepEqual([echoMs?.label, echoMs?.expansion], ['DISEASE', 'mitral stenosis']);
  const morphine = find('MS', text.indexOf('MS 2 mg'));
  assert.deepEqual([morphine?.start, morphine?.label, morphine?.expansion], [text.indexOf('MS 2 mg'), 'DRUG', 'morphine sulfate']);
  const placeholders = findPlaceholders(text);
  assert.equal(placeholders.length, 5);
  for (const e of entities) for (const p of placeholders) assert.ok(e.end <= p.start || p.end <= e.start, `${e.text} overlaps a placeholder`);
});

test('the example note: a heading alone on its line is a sentence of its own, list items are sentences', () => {
  // CoNLL output: a blank line after each sentence.
  const sentences = tag('conll').trim().split(/\n\s*\n/).map((block) => block.split('\n').map((line) => line.split('\t')[0]).join(' '));
  assert.ok(sentences.includes('HISTORY OF PRESENT ILLNESS :'), sentences.join(' | '));
  assert.ok(sentences.includes('MEDICATIONS :'));
  assert.ok(sentences.includes('1 . ASA 81 mg PO daily'));
  assert.ok(sentences.includes('- CHF'));
  assert.ok(sentences.includes('Plan :'));
});

test('an upper-case copy of the example note (the README\'s) tags the same entities', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bioner-upper-note-'));
  try {
    const upper = join(dir, 'discharge.note');
    // Upper-casing keeps every offset here (the note is ASCII), so the spans compare as they are.
    assert.equal(text.toUpperCase().length, text.length);
    writeFileSync(upper, text.toUpperCase());
    const spans = (file: string) =>
      (JSON.parse(tag('jsonl', file)).entities as Array<{ start: number; end: number; label: string }>).map((e) => `${e.start}-${e.end} ${e.label}`);
    const mixed = spans(note);
    assert.ok(mixed.length >= 20, mixed.join(', '));
    assert.deepEqual(spans(upper), mixed);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
