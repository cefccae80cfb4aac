import assert from 'node:assert/strict';
import { test } from 'node:test';
import { caseReadings, caseView, mergeReadings } from '../../server/src/tagging/caseView';

test('a mostly upper-case sentence is read in lower case; mixed case and short acronyms are left alone', () => {
  assert.deepEqual(caseView(['PATIENT', 'WITH', 'CYSTIC', 'FIBROSIS', 'ON', 'IVACAFTOR', '.']), ['patient', 'with', 'cystic', 'fibrosis', 'on', 'ivacaftor', '.']);
  assert.deepEqual(caseView(['Patient', 'with', 'HTN', 'and', 'COPD', '.']), ['Patient', 'with', 'HTN', 'and', 'COPD', '.']);
  assert.deepEqual(caseView(['CT', ':', 'HIV']), ['CT', ':', 'HIV']);
  // 9 of 10 cased letters upper case.
  assert.deepEqual(caseView(['HYPERTENSIoN']), ['hypertension']);
});

test('a mixed-case sentence with a run of capitals that is no acronym is read twice: as written, and the run in lower case', () => {
  const written = ['She', 'presented', 'with', 'SHORTNESS', 'OF', 'BREATH', 'and', 'chest', 'pain', '.'];
  assert.deepEqual(caseReadings(written), [written, ['She', 'presented', 'with', 'shortness', 'of', 'breath', 'and', 'chest', 'pain', '.']]);
  const oneWord = ['No', 'effusion', 'or', 'PNEUMOTHORAX', '.'];
  assert.deepEqual(caseReadings(oneWord), [oneWord, ['No', 'effusion', 'or', 'pneumothorax', '.']]);
  // Acronyms: one short upper-case word, or a short run ("BK VIRUS" has 7 letters).
  for (const acronyms of [['History', 'of', 'HTN', ',', 'COPD', 'and', 'NSAID', 'use', '.'], ['MPTP', 'was', 'given', '.'], ['PR3-ANCA', 'was', 'positive', '.'], ['BK', 'VIRUS', 'was', 'found', '.']]) {
    assert.deepEqual(caseReadings(acronyms), [acronyms]);
  }
  // Headings before a colon are read once.
  const headed = ['RESULTS', ':', 'Two', 'patients', 'died', '.'];
  assert.deepEqual(caseReadings(headed), [headed]);
  // A shouted sentence is read once, in lower case.
  assert.deepEqual(caseReadings(['NO', 'PNEUMOTHORAX', '.']), [['no', 'pneumothorax', '.']]);
});

test('readings are merged by confidence; a later reading speaks only of the words it reads differently', () => {
  const words = [
    ['No', 'effusion', 'or', 'PNEUMOTHORAX', '.'],
    ['No', 'effusion', 'or', 'pneumothorax', '.'],
  ];
  const asWritten = [
    { first: 1, last: 1, label: 'DISEASE', confidence: 0.6 },
    { first: 3, last: 3, label: 'DRUG', confidence: 0.55 },
  ];
  const lowered = [
    { first: 0, last: 0, label: 'DRUG', confidence: 0.99 }, // "No": not a word this reading changed
    { first: 3, last: 3, label: 'DISEASE', confidence: 0.8 },
  ];
  assert.deepEqual(mergeReadings(words, [asWritten, lowered]), [asWritten[0], lowered[1]]);
  // The written reading's entity wins when it is the more confident one.
  const confidentDrug = [asWritten[0], { ...asWritten[1], confidence: 0.9 }];
  assert.deepEqual(mergeReadings(words, [confidentDrug, lowered]), confidentDrug);
  // One reading: its entities as they are.
  assert.equal(mergeReadings([words[0]], [asWritten]), asWritten);
});
