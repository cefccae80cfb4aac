// The one document pipeline (server/src/tagging/pipeline.ts): one segmenter for every path (Markdown code blocks are
// not tagged by `bioner tag` either), the model's terms as the first pass, bounded by sentences.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMALL_INPUT_BYTES } from '../../server/src/bulk/bulkTag';
import { DOCUMENT_PASSES } from '../../server/src/tagging/passes';
import { termPass } from '../../server/src/tagging/passes/terms';
import { passesFor, tagDocument } from '../../server/src/tagging/pipeline';
import { languageOfFile, segment } from '../../server/src/tagging/segmenter';
import type { SentenceTagger } from '../../server/src/tagging/tagger';
import { TermLexicon } from '../../server/src/tagging/terms';
import { tokenize } from '../../server/src/text/tokenizer';
import type { EntityPrediction } from '../../server/src/types';
import { lexiconModel, runCli } from '../fixtures/bulk/cli';

const MARKDOWN = ['Give aspirin daily.', '', '```', 'aspirin = dose(1)', '```', '', 'Then aspirin again.'].join('\n');

/** Tags every whole word "aspirin" as DRUG and records the sentences it was given. */
class AspirinTagger implements SentenceTagger {
  readonly seen: string[] = [];
  async tagSentences(sentences: string[]): Promise<EntityPrediction[][]> {
    this.seen.push(...sentences);
    return sentences.map((s) =>
      [...s.matchAll(/\baspirin\b/g)].map((m) => ({ start: m.index!, end: m.index! + 7, label: 'DRUG', text: 'aspirin', confidence: 0.99 })),
    );
  }
}

const entity = (text: string, word: string, label: string): EntityPrediction => {
  const start = text.indexOf(word);
  return { start, end: start + word.length, label, text: word, confidence: 0.9 };
};

test('segment: a plain text gives the tokenizer\'s sentences and tokens; Markdown leaves fenced code out', () => {
  const plain = 'Aspirin induced asthma. It resolved.\n\nNo fever on review.';
  assert.deepEqual(segment(plain), tokenize(plain));
  const markdown = segment(MARKDOWN, 'markdown').map((s) => MARKDOWN.slice(s.start, s.end));
  assert.deepEqual(markdown, ['Give aspirin daily.', 'Then aspirin again.']);
  for (const s of segment(MARKDOWN, 'markdown')) for (const t of s.tokens) assert.equal(MARKDOWN.slice(t.start, t.end), t.text);
  assert.ok(segment(MARKDOWN, 'plaintext').some((s) => MARKDOWN.slice(s.start, s.end).includes('dose(1)')));
  assert.deepEqual(['a.md', 'b.MARKDOWN', 'c.note', 'd.txt', '-'].map(languageOfFile), ['markdown', 'markdown', 'clinical-note', 'plaintext', 'plaintext']);
});

test('tagDocument: segments by language, tags through any SentenceTagger, shifts offsets into the document', async () => {
  const tagger = new AspirinTagger();
  const { entities } = await tagDocument(tagger, MARKDOWN, { languageId: 'markdown' });
  assert.deepEqual(entities.map((e) => [e.start, MARKDOWN.slice(e.start, e.end)]), [[5, 'aspirin'], [MARKDOWN.lastIndexOf('aspirin'), 'aspirin']]);
  assert.ok(!tagger.seen.some((s) => s.includes('dose')), 'fenced code never reaches the tagger');
  const plain = await tagDocument(new AspirinTagger(), MARKDOWN);
  assert.equal(plain.entities.length, 3);
});

test('the model\'s terms run first, before the document passes, and only when the folder has terms', () => {
  const terms = new TermLexicon([{ words: ['cystic', 'fibrosis'], label: 'DISEASE' }]);
  assert.deepEqual(passesFor(terms).map((p) => p.name), ['terms', ...DOCUMENT_PASSES.map((p) => p.name)]);
  assert.equal(passesFor(undefined), DOCUMENT_PASSES);
});

test('the term pass extends an entity to the name it ends, within its sentence only', () => {
  const pass = termPass(new TermLexicon([{ words: ['cystic', 'fibrosis'], label: 'DISEASE' }]));
  const text = 'Known cystic fibrosis. Then cystic fibrosis';
  const whole = [{ start: 0, end: text.length }];
  const first = entity(text, 'fibrosis', 'DISEASE');
  assert.deepEqual(pass.run({ text, sentences: whole }, [first]).map((e) => [e.start, e.text]), [[6, 'cystic fibrosis']]);
  // "Then cystic" and "fibrosis" are two sentences: no name reaches across (on the whole text it would).
  const sentences = [{ start: 0, end: 22 }, { start: 23, end: 34 }, { start: 35, end: text.length }];
  const last = { start: 35, end: 43, label: 'DISEASE', text: 'fibrosis', confidence: 0.9 };
  assert.deepEqual(pass.run({ text, sentences }, [first, last]).map((e) => [e.start, e.text]), [[6, 'cystic fibrosis'], [35, 'fibrosis']]);
  assert.deepEqual(pass.run({ text, sentences: whole }, [first, last]).map((e) => [e.start, e.text]), [[6, 'cystic fibrosis'], [28, 'cystic fibrosis']]);
  // A different label is not extended.
  assert.deepEqual(pass.run({ text, sentences: whole }, [{ ...first, label: 'DRUG' }]).map((e) => e.text), ['fibrosis']);
});

test('bioner tag: a Markdown file\'s fenced code is not tagged (as in the editor); the same text as .txt is', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bioner-pipeline-'));
  const text = MARKDOWN.replaceAll('aspirin', 'naloxone');
  writeFileSync(join(dir, 'note.md'), text);
  writeFileSync(join(dir, 'note.txt'), text);
  const tagged = (file: string): string[] => {
    const r = runCli(['tag', join(dir, file), '--model', lexiconModel, '--workers', '0', '--format', 'jsonl']);
    assert.equal(r.code, 0, r.stderr);
    return (JSON.parse(r.stdout).entities as EntityPrediction[]).map((e) => `${e.start}:${e.text}`);
  };
  const markdown = tagged('note.md');
  assert.equal(markdown.length, 2, markdown.join(' '));
  assert.ok(!markdown.includes(`${text.indexOf('naloxone = dose')}:naloxone`));
  assert.equal(tagged('note.txt').length, 3);
});

test('bioner tag without -w: a short input is tagged in this thread, a large one (> SMALL_INPUT_BYTES) with workers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bioner-workers-'));
  const workersOf = (args: string[], input?: string): number => {
    const r = runCli(['tag', ...args, '--model', lexiconModel, '--progress-json'], input);
    assert.equal(r.code, 0, r.stderr);
    const done = r.stderr.split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((e) => e.event === 'done');
    return done.summary.workers;
  };
  writeFileSync(join(dir, 'short.txt'), 'Aspirin for fever.\n');
  assert.equal(workersOf([join(dir, 'short.txt')]), 0);
  assert.equal(workersOf(['-'], 'Aspirin for fever.\n'), 0);
  const large = 'Aspirin for fever and naloxone after the overdose.\n'.repeat(Math.ceil((SMALL_INPUT_BYTES + 1) / 50));
  writeFileSync(join(dir, 'large.txt'), large);
  assert.ok(workersOf([join(dir, 'large.txt')]) >= 1);
  assert.ok(workersOf(['-'], large) >= 1);
  assert.equal(workersOf([join(dir, 'large.txt'), '--workers', '0']), 0);
});
