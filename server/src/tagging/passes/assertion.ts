import { assertEntities } from '../assertion';
import type { DocumentPass } from './documentPass';

/** Every entity gets its clinical context: negated, historical, hypothetical, someone else's (../assertion/). */
export const assertionPass: DocumentPass = {
  name: 'assertion',
  run: (document, entities) => {
    const assertions = assertEntities(document.text, document.sentences, entities, entities.length > 0 ? document.sections : []);
    return entities.map((entity, i) => ({ ...entity, assertion: assertions[i] }));
  },
};
