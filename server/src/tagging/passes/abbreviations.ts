import { propagateAbbreviations } from '../abbreviations';
import type { DocumentPass } from './documentPass';

/** Every whole-word SHORT of a document agrees with its definition "long form (SHORT)" (../abbreviations.ts). */
export const abbreviationPass: DocumentPass = {
  name: 'abbreviations',
  run: (document, entities) => propagateAbbreviations(document.text, entities),
};
