import type { EntityPrediction } from '../types';
import { tokenize } from '../text/tokenizer';
import type { TextTagger } from './tagger';

/** Tags a whole text: splits it into sentences, tags them, and shifts offsets back into the text. */
export async function tagText(tagger: TextTagger, text: string): Promise<EntityPrediction[]> {
  const sentences = tokenize(text);
  const perSentence = await tagger.tagSentences(sentences.map((s) => text.slice(s.start, s.end)));
  return perSentence.flatMap((entities, i) =>
    entities.map((e) => ({ ...e, start: e.start + sentences[i].start, end: e.end + sentences[i].start })),
  );
}
