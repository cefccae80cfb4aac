// scripts/augment-training.mjs: the title-case copies (--title-mentions, --title-types) capitalise the entity mentions
// after a sentence's first token and nothing else, and adding them leaves the case copies as they were.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SCRIPT = join(__dirname, '..', '..', 'scripts', 'augment-training.mjs');
const SENTENCES = [
  ['aspirin induced asthma after valproic acid .', 'B-Chemical O B-Disease O B-Chemical I-Chemical O'],
  ['The patients recovered .', 'O O O O'],
  ['Cisplatin causes renal failure .', 'B-Chemical O B-Disease I-Disease O'],
  ['No CBZ was given .', 'O B-Chemical O O O'],
];

function augment(args: string[]): string[][] {
  const dir = mkdtempSync(join(tmpdir(), 'bioner-augment-'));
  try {
    const input = join(dir, 'train.tsv');
    writeFileSync(input, SENTENCES.map(([text, tags]) => text.split(' ').map((t, i) => `${t}\t${tags.split(' ')[i]}`).join('\n')).join('\n\n') + '\n');
    const out = join(dir, 'out.tsv');
    const r = spawnSync(process.execPath, [SCRIPT, '--in', input, ...args, '--out', out], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return readFileSync(out, 'utf8').trim().split('\n\n').map((s) => s.split('\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const texts = (sentences: string[][]) => sentences.map((s) => s.map((line) => line.split('\t')[0]).join(' '));

test('--title-mentions 1: each sentence with a lower-case mention after its first token gets a title-cased copy', () => {
  const out = augment(['--title-mentions', '1']);
  assert.deepEqual(texts(out), [
    ...SENTENCES.map(([text]) => text),
    // The sentence-initial mention stays as it is; a mention's later tokens too.
    'aspirin induced Asthma after Valproic acid .',
    'Cisplatin causes Renal failure .',
  ]);
  // Tags are copied unchanged.
  assert.deepEqual(out[4].map((l) => l.split('\t')[1]), SENTENCES[0][1].split(' '));
});

test('--title-types restricts the title-case copies to the given types', () => {
  assert.deepEqual(texts(augment(['--title-mentions', '1', '--title-types', 'Chemical'])).slice(SENTENCES.length), [
    'aspirin induced asthma after Valproic acid .',
  ]);
});

test('title-case copies draw from their own stream: the case copies stay as they were without them', () => {
  const caseOnly = augment(['--lower', '0.5', '--upper', '0.5', '--seed', '3']);
  const withTitle = augment(['--lower', '0.5', '--upper', '0.5', '--title-mentions', '1', '--seed', '3']);
  const titled = new Set(['aspirin induced Asthma after Valproic acid .', 'Cisplatin causes Renal failure .']);
  assert.deepEqual(texts(withTitle).filter((t) => !titled.has(t)), texts(caseOnly));
  assert.equal(withTitle.length, caseOnly.length + 2);
});
