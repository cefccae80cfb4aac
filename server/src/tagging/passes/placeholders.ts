import { findPlaceholders } from '../../text/placeholders';
import type { DocumentPass } from './documentPass';

/** De-identification placeholders ("**NAME[ZZZ]", "[**Hospital1 18**]") are never entities, nor part of one. */
export const placeholderPass: DocumentPass = {
  name: 'placeholders',
  run: (document, entities) => {
    if (!document.text.includes('**')) return [...entities];
    const placeholders = findPlaceholders(document.text);
    let p = 0;
    // Entities are sorted by start; a placeholder that ends before an entity starts ends before every later one too.
    return entities.filter((e) => {
      while (p < placeholders.length && placeholders[p].end <= e.start) p++;
      for (let q = p; q < placeholders.length && placeholders[q].start < e.end; q++) if (placeholders[q].end > e.start) return false;
      return true;
    });
  },
};
