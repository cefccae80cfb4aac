import { labelRepeats } from '../repeats';
import type { DocumentPass } from './documentPass';

/** Untagged repeats of a confidently tagged name take its label (../repeats.ts). */
export const repeatPass: DocumentPass = {
  name: 'repeats',
  run: (document, entities) => labelRepeats(document.text, entities),
};
