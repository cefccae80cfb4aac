import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { TermLexicon } from '../../server/src/tagging/terms';
import { repoRoot } from '../fixtures/bulk/cli';
import type { EntityPrediction } from '../../server/src/types';

const lexicon = new TermLexicon([
  { words: ['cystic', 'fibrosis'], label: 'DISEASE' },
  { words: ['acute', 'renal', 'failure'], label: 'DISEASE' },
  { words: ['renal', 'failure'], label: 'DISEASE' },
  { words: ['crack', 'cocaine'], label: 'DRUG' },
]);

function entity(text: string, mention: string, label: string, from = 0): EntityPrediction {
  const start = text.indexOf(mention, from);
  assert.ok(start >= 0, mention);
  return { start, end: start + mention.length, label, text: mention, confidence: 0.8, runnerUp: { label: 'DRUG', confidence: 0.1 } };
}
const shown = (entities: EntityPrediction[]) => entities.map((e) => `${e.text}=${e.label}`);

test('an entity at the end of a term of its label is extended to the whole term, case-insensitively', () => {
  const text = 'Patient diagnosed with Cystic Fibrosis and later acute renal failure.';
  const out = lexicon.extend(text, [entity(text, 'Fibrosis', 'DISEASE'), entity(text, 'failure', 'DISEASE')]);
  assert.deepEqual(shown(out), ['Cystic Fibrosis=DISEASE', 'acute renal failure=DISEASE']);
  for (const e of out) assert.equal(text.slice(e.start, e.end), e.text);
  assert.equal(out[0].confidence, 0.8, 'the head entity\'s confidence');
  assert.equal(out[0].runnerUp, undefined, 'the runner-up was for the shorter span');
});

test('entities inside the term with its label are merged; another label, a different label or no term, and nothing changes', () => {
  const merged = 'He had acute renal failure.';
  assert.deepEqual(shown(lexicon.extend(merged, [entity(merged, 'acute', 'DISEASE'), entity(merged, 'renal failure', 'DISEASE')])), [
    'acute renal failure=DISEASE',
  ]);
  const blocked = 'He had acute renal failure.';
  const drug = [entity(blocked, 'renal', 'DRUG'), entity(blocked, 'failure', 'DISEASE')];
  assert.deepEqual(shown(lexicon.extend(blocked, drug)), ['renal=DRUG', 'failure=DISEASE']);
  const wrongLabel = 'Treated for cystic fibrosis.';
  assert.deepEqual(shown(lexicon.extend(wrongLabel, [entity(wrongLabel, 'fibrosis', 'DRUG')])), ['fibrosis=DRUG']);
  const noTerm = 'Signs of pulmonary fibrosis.';
  assert.deepEqual(shown(lexicon.extend(noTerm, [entity(noTerm, 'fibrosis', 'DISEASE')])), ['fibrosis=DISEASE']);
});

test('term words must be whole words, one space or a hyphen apart', () => {
  const partOfWord = 'Polycystic fibrosis and crack-cocaine use.';
  assert.deepEqual(shown(lexicon.extend(partOfWord, [entity(partOfWord, 'fibrosis', 'DISEASE'), entity(partOfWord, 'cocaine', 'DRUG')])), [
    'fibrosis=DISEASE',
    'crack-cocaine=DRUG',
  ]);
  const lineBreak = 'cystic\n\nfibrosis';
  assert.deepEqual(shown(lexicon.extend(lineBreak, [entity(lineBreak, 'fibrosis', 'DISEASE')])), ['fibrosis=DISEASE']);
});

test('terms.tsv: comments and blank lines are skipped; a malformed line is an error naming the file and line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bioner-terms-'));
  const good = join(dir, 'good.tsv');
  writeFileSync(good, '# header\n\ncystic fibrosis\tDISEASE\r\nCrack  Cocaine\tDRUG\n');
  assert.equal(TermLexicon.load(good).size, 2);
  for (const [content, line] of [['cystic fibrosis\tDISEASE\nfibrosis\tDISEASE\n', 2], ['# c\ncystic fibrosis\n', 2], ['a b\tDISEASE\textra\n', 1]] as const) {
    const bad = join(dir, 'bad.tsv');
    writeFileSync(bad, content);
    assert.throws(() => TermLexicon.load(bad), (e: Error) => e.message.includes(`${bad}:${line}`), content);
  }
  writeFileSync(join(dir, 'binary.tsv'), Buffer.from([0, 1, 2, 0xff]));
  assert.throws(() => TermLexicon.load(join(dir, 'binary.tsv')), /binary\.tsv/);
});

test('the shipped terms.tsv is what scripts/build-terms.mjs writes from WordNet, loads, and shows in bioner info', () => {
  const file = join(repoRoot, 'models', 'default', 'terms.tsv');
  const terms = TermLexicon.load(file);
  assert.ok(terms.size > 1000, `${terms.size} terms`);
  const lines = readFileSync(file, 'utf8').split('\n');
  assert.match(lines[0], /WordNet 3\.1/);
  assert.ok(lines.includes('cystic fibrosis\tDISEASE'));
  const rebuilt = join(mkdtempSync(join(tmpdir(), 'bioner-terms-')), 'terms.tsv');
  const r = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'build-terms.mjs'), '--out', rebuilt], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(readFileSync(rebuilt, 'utf8'), readFileSync(file, 'utf8'));
  const info = spawnSync(process.execPath, [join(repoRoot, 'dist', 'cli.js'), 'info', '--json', '--model', join(repoRoot, 'models', 'default')], { encoding: 'utf8' });
  assert.equal(info.status, 0, info.stderr);
  assert.equal(JSON.parse(info.stdout).model.terms, `${terms.size} multi-word names (terms.tsv)`);
});
