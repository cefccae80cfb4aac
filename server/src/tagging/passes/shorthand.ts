import { applyShorthand } from '../clinicalShorthand';
import type { DocumentPass } from './documentPass';

/** Clinical shorthand ("HTN", "ASA 81 mg") gets the label its sense implies and its expansion (../clinicalShorthand.ts). */
export const shorthandPass: DocumentPass = {
  name: 'shorthand',
  run: (document, entities) => applyShorthand(document, entities),
};
