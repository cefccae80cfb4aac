// Clinical context of entities (negation, temporality, experiencer): ConText over the sentences of a document.
import { tokenize } from '../../text/tokenizer';
import type { Assertion, Span } from '../../types';
import { assertEntities } from './context';

export { assertEntities } from './context';

/** The assertions of entities (sorted by start) of a text, split into sentences as `bioner tag` splits it. */
export function assertText(text: string, entities: readonly Span[]): Assertion[] {
  const sentences = tokenize(text).map((s) => ({ start: s.start, end: s.end }));
  return assertEntities(text, sentences, entities);
}
