// A tiny tagger and dataset for fast tests (TINY_CONFIG BiLM, 16-unit task BiLSTM, no dropout).
import { seededRandom } from '../../../server/src/model/batching';
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

/** The same initial weights on every run (`seed`), so that what a test trains from them is not left to chance. */
export function tinyModel(data = TINY_DATA, seed = 1): TaggerModel {
  const counter = new VocabCounter();
  for (const s of data) counter.add(s.tokens);
  const config = taggerConfig({
    encoder: { hiddenSize: 16, dropout: 0, wordEmbeddingDim: 0, chars: { embeddingDim: 4, filters: [[2, 4], [3, 4]], maxChars: 20 } },
  });
  return withSeededMathRandom(seed, () => new TaggerModel(new BiLM(TINY_CONFIG, CharVocab.build(counter.chars, 1)), TagSet.fromSentences(data), config));
}

/** tfjs draws unseeded initial values (tf.randomUniform, tf.randomNormal) from a seed it takes from Math.random. */
function withSeededMathRandom<T>(seed: number, build: () => T): T {
  const original = Math.random;
  Math.random = seededRandom(seed);
  try {
    return build();
  } finally {
    Math.random = original;
  }
}
