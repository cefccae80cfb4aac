import { knownSectionName } from '../../text/sections';
import type { DocumentPass } from './documentPass';

/**
 * A known section heading names a part of the note, not a finding: nothing inside "HISTORY OF PRESENT ILLNESS:" or
 * "REVIEW OF SYSTEMS:" is an entity. Only known headings: in a problem-oriented plan, "Hypertension:" heads the
 * paragraph about the patient's hypertension and stays tagged.
 */
export const headingPass: DocumentPass = {
  name: 'headings',
  run: (document, entities) => {
    const headings = (document.sections ?? []).filter((s) => knownSectionName(s.title) !== undefined);
    if (headings.length === 0) return [...entities];
    return entities.filter((e) => !headings.some((h) => h.start <= e.start && e.end <= h.headingEnd));
  },
};
