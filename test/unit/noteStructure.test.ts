// Note structure in sentence splitting (text/noteStructure.ts): headings and list items start sentences, a heading
// alone on its line ends one, placeholders are never split and never entities.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenize } from '../../server/src/text/tokenizer';
import { findPlaceholders } from '../../server/src/text/placeholders';
import { tagDocument } from '../../server/src/tagging/pipeline';
import type { TextTagger } from '../../server/src/tagging/tagger';

const sentencesOf = (text: string) => tokenize(text).map((s) => text.slice(s.start, s.end));

test('a heading alone on its line is not a sentence of the line after it', () => {
  assert.deepEqual(sentencesOf('HISTORY OF PRESENT ILLNESS:\nThe patient has HTN and SOB.\nFamily History:\nMother with asthma'), [
    'HISTORY OF PRESENT ILLNESS:',
    'The patient has HTN and SOB.',
    'Family History:',
    'Mother with asthma',
  ]);
});

test('a heading starting a line starts a sentence, and keeps the text after it on its line', () => {
  assert.deepEqual(sentencesOf('VITALS: BP 120/80, HR 72\nPMH: HTN, DM2\nPlan: continue ASA'), [
    'VITALS: BP 120/80, HR 72',
    'PMH: HTN, DM2',
    'Plan: continue ASA',
  ]);
});

test('numbered and bulleted list items segment like sentences; a capitalised line after an item, not indented, too; wrapped lines stay joined', () => {
  const note = 'MEDICATIONS:\n1. ASA 81 mg PO daily\n2) lasix 40 IV\n- metoprolol 25 mg PO BID\n* insulin glargine 20 units\n  at night\n• Tylenol prn\nHe has a history of\nhypertension and CAD.\n3. Lisinopril 10 mg\n   daily';
  assert.deepEqual(sentencesOf(note), [
    'MEDICATIONS:',
    '1. ASA 81 mg PO daily',
    '2) lasix 40 IV',
    '- metoprolol 25 mg PO BID',
    '* insulin glargine 20 units\n  at night',
    '• Tylenol prn',
    'He has a history of\nhypertension and CAD.',
    '3. Lisinopril 10 mg\n   daily',
  ]);
  // Not list items: a decimal, a placeholder's stars, a hyphenated range wrapped onto the next line.
  assert.equal(sentencesOf('Dose was\n1.5 mg and\n**NAME[ZZZ] saw him with\n-10 degrees').length, 1);
});

test('placeholders never split a sentence', () => {
  const text = 'Seen by **NAME[ZZZ M. YYY] at [**Hospital1 18**] on [**2019-01-01**]. He is **AGE[in 70s] with COPD.';
  assert.deepEqual(sentencesOf(text), [
    'Seen by **NAME[ZZZ M. YYY] at [**Hospital1 18**] on [**2019-01-01**].',
    'He is **AGE[in 70s] with COPD.',
  ]);
  assert.deepEqual(
    findPlaceholders(text).map((p) => text.slice(p.start, p.end)),
    ['**NAME[ZZZ M. YYY]', '[**Hospital1 18**]', '[**2019-01-01**]', '**AGE[in 70s]'],
  );
  // The longest-sentence cut waits for the end of a placeholder.
  const long = tokenize('a b c **NAME[AAA, BBB M] d', { maxTokensPerSentence: 5 }).map((s) => s.tokens.map((t) => t.text).join(' '));
  assert.ok(long.some((s) => s.includes('* NAME [ AAA , BBB M ]')), long.join(' | '));
});

test('a placeholder is never an entity, nor part of one, whatever the model says', async () => {
  // A tagger that calls every capitalised word (with the stars and brackets before it) a DISEASE.
  const greedy: TextTagger = {
    modelName: 'greedy',
    labels: ['DISEASE'],
    dispose() {},
    tagSentences: async (sentences) =>
      sentences.map((s) =>
        [...s.matchAll(/[*[]*[A-Z][^\s.]*/g)].map((m) => ({ start: m.index!, end: m.index! + m[0].length, text: m[0], label: 'DISEASE', confidence: 0.9 })),
      ),
  };
  const text = 'Mr. **NAME[ZZZ] was seen at [**Hospital1 18**] for COPD. **AGE[in 70s] man with Asthma.';
  const { entities } = await tagDocument(greedy, text);
  const placeholders = findPlaceholders(text);
  assert.ok(entities.some((e) => e.text === 'COPD'));
  assert.ok(entities.some((e) => e.text === 'Asthma'));
  for (const e of entities) for (const p of placeholders) assert.ok(e.end <= p.start || p.end <= e.start, `${e.text} overlaps a placeholder`);
});
