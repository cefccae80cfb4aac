import assert from 'node:assert/strict';
import { test } from 'node:test';
import { caseView } from '../../server/src/tagging/caseView';

test('a mostly upper-case sentence is read in lower case; mixed case and short acronyms are left alone', () => {
  assert.deepEqual(caseView(['PATIENT', 'WITH', 'CYSTIC', 'FIBROSIS', 'ON', 'IVACAFTOR', '.']), ['patient', 'with', 'cystic', 'fibrosis', 'on', 'ivacaftor', '.']);
  assert.deepEqual(caseView(['Patient', 'with', 'HTN', 'and', 'COPD', '.']), ['Patient', 'with', 'HTN', 'and', 'COPD', '.']);
  assert.deepEqual(caseView(['CT', ':', 'HIV']), ['CT', ':', 'HIV']);
  // 9 of 10 cased letters upper case.
  assert.deepEqual(caseView(['HYPERTENSIoN']), ['hypertension']);
});
