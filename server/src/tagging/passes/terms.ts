import type { EntityPrediction } from '../../types';
import type { TermLexicon } from '../terms';
import type { DocumentPass } from './documentPass';

/**
 * The model folder's terms.tsv (../terms.ts): an entity that ends a listed multi-word name is extended to the whole
 * name. Made per model (the list belongs to the model folder) and run first (pipeline.ts, passesFor). A name never
 * reaches across a sentence boundary: each sentence's entities are extended within that sentence's text.
 */
export function termPass(terms: TermLexicon): DocumentPass {
  return {
    name: 'terms',
    run(document, entities) {
      const out: EntityPrediction[] = [];
      let e = 0;
      for (const sentence of document.sentences) {
        const inside: EntityPrediction[] = [];
        while (e < entities.length && entities[e].start < sentence.start) out.push(entities[e++]);
        while (e < entities.length && entities[e].end <= sentence.end) inside.push(entities[e++]);
        if (inside.length === 0) continue;
        const offset = sentence.start;
        const text = document.text.slice(sentence.start, sentence.end);
        const shifted = inside.map((x) => ({ ...x, start: x.start - offset, end: x.end - offset }));
        for (const x of terms.extend(text, shifted)) out.push({ ...x, start: x.start + offset, end: x.end + offset });
      }
      while (e < entities.length) out.push(entities[e++]);
      return out;
    },
  };
}
