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

/**
 * The values of an assertion that are not the defaults, in property order: "negated"/"possible",
 * "historical"/"hypothetical", "other". Empty for an affirmed, recent, patient's entity (or none).
 */
export function assertionMarks(assertion: Assertion | undefined): string[] {
  if (!assertion) return [];
  const marks: string[] = [];
  if (assertion.negation !== 'affirmed') marks.push(assertion.negation);
  if (assertion.temporality !== 'recent') marks.push(assertion.temporality);
  if (assertion.experiencer !== 'patient') marks.push(assertion.experiencer);
  return marks;
}
