import type { EntityPrediction } from '../types';
import { tokenize } from '../text/tokenizer';
import { documentEntities } from './documentPass';
import type { TextTagger } from './tagger';

/**
 * Tags a whole text: splits it into sentences, tags them, shifts offsets back into the text, then applies the
 * document pass (abbreviations and repeats, documentPass.ts).
 */
export async function tagText(tagger: TextTagger, text: string): Promise<EntityPrediction[]> {
  const sentences = tokenize(text);
  const perSentence = await tagger.tagSentences(sentences.map((s) => text.slice(s.start, s.end)));
  return documentEntities(text, sentences, perSentence);
}
