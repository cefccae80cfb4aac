// A tiny tagger and dataset for fast tests (TINY_CONFIG BiLM, 16-unit task BiLSTM, no dropout).
import { BiLM } from '../../../server/src/model/bilm';
import { TINY_CONFIG } from '../../../server/src/model/config';
import { TagSet } from '../../../server/src/model/labels';
import { TaggerModel, taggerConfig } from '../../../server/src/model/tagger';
import { CharVocab, VocabCounter } from '../../../server/src/model/vocab';
import type { TaggedSentence } from '../../../server/src/types';

export const TINY_DATA: TaggedSentence[] = [
  ['Aspirin induced asthma in two patients .', 'B-Chemical O B-Disease O O O O'],
  ['Cisplatin causes renal failure .', 'B-Chemical O B-Disease I-Disease O'],
  ['No asthma was seen with placebo .', 'O B-Disease O O O O O'],
  ['Renal failure after valproic acid .', 'B-Disease I-Disease O B-Chemical I-Chemical O'],
  ['The patients recovered .', 'O O O O'],
  ['Valproic acid and aspirin were stopped .', 'B-Chemical I-Chemical O B-Chemical O O O'],
].map(([text, tags]) => ({ tokens: text.split(' '), tags: tags.split(' ') }));

export function tinyModel(data = TINY_DATA): TaggerModel {
  const counter = new VocabCounter();
  for (const s of data) counter.add(s.tokens);
  const bilm = new BiLM(TINY_CONFIG, CharVocab.build(counter.chars, 1));
  const config = taggerConfig({
    encoder: { hiddenSize: 16, dropout: 0, wordEmbeddingDim: 0, chars: { embeddingDim: 4, filters: [[2, 4], [3, 4]], maxChars: 20 } },
  });
  return new TaggerModel(bilm, TagSet.fromSentences(data), config);
}
