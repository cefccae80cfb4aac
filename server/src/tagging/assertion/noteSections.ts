// The sections of a clinical note that set an entity's context when no trigger of its sentence does: everything
// under "Family history:" is someone else's, under "Past medical history:" / "Social history:" / "Allergies:"
// historical, under "Plan:" hypothetical. A section runs from its heading to the next heading.
import type { AssertionCue, Experiencer, Temporality } from '../../types';

/** A heading: a few words and a colon at the start of a line, or in capitals after two spaces or a sentence end. */
const HEADING = /(?:^|(?<=\n)|(?<=\S {2,})|(?<=[.!?] ))[ \t]*([A-Za-z][A-Za-z'&/() -]{0,48}?)[ \t]*:(?!\/)/g;

export interface NoteSection {
  /** The heading as written, and its range (the colon excluded). */
  heading: AssertionCue;
  /** Where the section starts (its heading) and ends (the next heading). */
  start: number;
  end: number;
  temporality?: Temporality;
  experiencer?: Experiencer;
}

/** What a section name (lower case, single spaces) says about the entities under it. */
function sectionContext(name: string): Pick<NoteSection, 'temporality' | 'experiencer'> | undefined {
  const n = name.replace(/^(?:his|her|the patient's|patient's) /, '');
  if (/\bfamily (?:medical )?(?:history|hx)\b|^fh(?:x)?$/.test(n)) return { experiencer: 'other' };
  if (n === 'history of present illness' || n === 'hpi') return {};
  // A bare "History:" (radiology) gives the reason for the study: no historical context.
  if (/^(?:past |prior )(?:medical |surgical |psychiatric )?(?:history|hx)$|^(?:medical|surgical|social|psychiatric) (?:history|hx)$|^p[ms]hx?$|^sh$|^allerg(?:y|ies)$/.test(n)) {
    return { temporality: 'historical' };
  }
  if (/^(?:plan|discharge instructions|instructions|follow[ -]?up|return precautions)$/.test(n)) return { temporality: 'hypothetical' };
  return undefined;
}

/** The headings of a text: a known section name anywhere a heading may stand, any other name in capitals. */
export function noteSections(text: string): NoteSection[] {
  const sections: NoteSection[] = [];
  for (const m of text.matchAll(HEADING)) {
    const written = m[1];
    const name = written.toLowerCase().replace(/\s+/g, ' ');
    const context = sectionContext(name);
    const capitals = written === written.toUpperCase() && /[A-Z]{2}/.test(written);
    const lineStart = m.index === 0 || text[m.index - 1] === '\n';
    if (!context && !capitals && !(lineStart && written.split(' ').length <= 4)) continue;
    const start = m.index + m[0].indexOf(written);
    if (sections.length > 0) sections[sections.length - 1].end = start;
    sections.push({
      heading: { text: written, start, end: start + written.length, source: 'section' },
      start,
      end: text.length,
      ...context,
    });
  }
  return sections;
}
