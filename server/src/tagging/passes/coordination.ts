import type { EntityPrediction } from '../../types';
import { tagCoordinated } from '../coordination';
import type { DocumentPass } from './documentPass';

/** An untagged member of a list whose other members are mostly entities of one label gets it (../coordination.ts). */
export const coordinationPass: DocumentPass = {
  name: 'coordination',
  run(document, entities) {
    const out: EntityPrediction[] = [];
    let e = 0;
    for (const sentence of document.sentences) {
      const inside: EntityPrediction[] = [];
      while (e < entities.length && entities[e].start < sentence.start) out.push(entities[e++]);
      while (e < entities.length && entities[e].end <= sentence.end) inside.push(entities[e++]);
      if (inside.length < 2) {
        out.push(...inside);
        continue;
      }
      const offset = sentence.start;
      const text = document.text.slice(sentence.start, sentence.end);
      const shifted = inside.map((x) => ({ ...x, start: x.start - offset, end: x.end - offset }));
      for (const x of tagCoordinated(text, shifted)) out.push({ ...x, start: x.start + offset, end: x.end + offset });
    }
    while (e < entities.length) out.push(entities[e++]);
    return out;
  },
};
