import { tagCoordinated } from '../coordination';
import { bySentence, type DocumentPass } from './documentPass';

/** An untagged member of a negated list whose members are mostly entities of one label gets it (../coordination.ts). */
export const coordinationPass: DocumentPass = {
  name: 'coordination',
  run: (document, entities) => bySentence(document, entities, (text, inside) => (inside.length < 2 ? inside : tagCoordinated(text, inside))),
};
