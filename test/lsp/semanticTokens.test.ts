// Encoding entities as LSP semantic tokens: legend types, the uncertain modifier, per-line splitting, filtering.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SemanticTokensBuilder } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { EntityPrediction } from '../../server/src/types';
import { decodeTokens, pushEntityTokens, tokenTypeOf } from '../../server/src/lsp/semanticTokens';
import { DEFAULT_SETTINGS } from '../../server/src/lsp/settings';

function entity(text: string, whole: string, label: string, confidence = 0.9): EntityPrediction {
  const start = whole.indexOf(text);
  return { start, end: start + text.length, text, label, confidence };
}

function encode(text: string, entities: EntityPrediction[], settings = DEFAULT_SETTINGS, from?: number, to?: number) {
  const document = TextDocument.create('file:///x.txt', 'plaintext', 1, text);
  const builder = new SemanticTokensBuilder();
  pushEntityTokens(builder, document, entities, settings, from, to);
  const lines = text.split(/\r?\n/);
  return decodeTokens(builder.build().data).map((t) => [lines[t.line].slice(t.character, t.character + t.length), t.type, ...t.modifiers]);
}

test('labels map to lower-cased legend types, unknown labels to entity', () => {
  assert.equal(tokenTypeOf('DISEASE'), 'disease');
  assert.equal(tokenTypeOf('Chemical'), 'chemical');
  assert.equal(tokenTypeOf('cell_line'), 'cell_line');
  assert.equal(tokenTypeOf('PROCEDURE'), 'entity');
});

test('an entity spanning lines becomes one token per line (LF and CRLF)', () => {
  for (const eol of ['\n', '\r\n']) {
    const text = `Known cystic${eol}fibrosis since${eol}birth; aspirin.`;
    const spanning = { start: 6, end: text.indexOf('fibrosis') + 8, text: 'cystic fibrosis', label: 'DISEASE', confidence: 0.3 };
    assert.deepEqual(encode(text, [spanning, entity('aspirin', text, 'DRUG')]), [
      ['cystic', 'disease', 'uncertain'],
      ['fibrosis', 'disease', 'uncertain'],
      ['aspirin', 'drug'],
    ]);
  }
});

test('hidden labels, overlaps and out-of-range entities are left out', () => {
  const text = 'aspirin and fever and naloxone';
  const entities = [entity('naloxone', text, 'DRUG'), entity('fever', text, 'DISEASE'), entity('aspirin', text, 'DRUG'), { ...entity('aspirin', text, 'X'), end: 9 }];
  assert.deepEqual(encode(text, entities, { ...DEFAULT_SETTINGS, labels: ['drug'] }), [['aspirin', 'drug'], ['naloxone', 'drug']]);
  assert.deepEqual(encode(text, entities, DEFAULT_SETTINGS, 10, 20), [['fever', 'disease']]);
  assert.deepEqual(encode(text, entities, { ...DEFAULT_SETTINGS, confidenceThreshold: 0.95 }).map((t) => t.at(-1)), [
    'uncertain',
    'uncertain',
    'uncertain',
  ]);
});
