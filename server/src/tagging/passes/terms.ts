import type { TermLexicon } from '../terms';
import { bySentence, type DocumentPass } from './documentPass';

/**
 * The model folder's terms.tsv (../terms.ts): an entity that ends a listed multi-word name is extended to the whole
 * name. Made per model (the list belongs to the model folder) and run first (pipeline.ts, passesFor). A name never
 * reaches across a sentence boundary: each sentence's entities are extended within that sentence's text.
 */
export function termPass(terms: TermLexicon): DocumentPass {
  return { name: 'terms', run: (document, entities) => bySentence(document, entities, (text, inside) => terms.extend(text, inside)) };
}
