import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isWordChar, wholeWordOccurrences } from '../../server/src/text/wordOccurrences';

const found = (text: string, keys: string[], ignoreCase = false) =>
  wholeWordOccurrences(text, keys, { ignoreCase }).map(({ start, end, key }) => `${text.slice(start, end)}@${start}=${key}`);

test('whole words only, longest key first, left to right without overlaps', () => {
  const text = 'PD, PDA and PD-1; iPD (PD) PD.';
  assert.deepEqual(found(text, ['PD', 'PD-1']), ['PD@0=PD', 'PD-1@12=PD-1', 'PD@23=PD', 'PD@27=PD']);
  assert.deepEqual(found('renal failure renal failures renal', ['renal', 'renal failure']), [
    'renal failure@0=renal failure',
    'renal@14=renal',
    'renal@29=renal',
  ]);
  assert.deepEqual(found('5-FU and 5-fu', ['5-FU']), ['5-FU@0=5-FU']);
});

test('ignoreCase compares in lower case and returns the lower-case key; non-ASCII letters are word characters', () => {
  assert.deepEqual(found('Ifosfamide IFOSFAMIDE ifosfamideX', ['ifosFamide'], true), ['Ifosfamide@0=ifosfamide', 'IFOSFAMIDE@11=ifosfamide']);
  assert.deepEqual(found('Ödem and ödem, éödem', ['ödem'], true), ['Ödem@0=ödem', 'ödem@9=ödem']);
  assert.ok(isWordChar('é'.charCodeAt(0)) && isWordChar('7'.charCodeAt(0)) && !isWordChar('-'.charCodeAt(0)));
});

test('no keys, empty keys and keys not starting with a letter or digit find nothing', () => {
  assert.deepEqual(found('anything', []), []);
  assert.deepEqual(found('(x) -y', ['', '(x)', '-y']), []);
  assert.deepEqual(found('', ['a']), []);
});
