// What the model reads of a mostly upper-case sentence. The language model was pre-trained on mixed-case PubMed text
// and is frozen, so ALL CAPS text (radiology reports, headings, EHR exports) looks like nothing it knows, while
// lower-case text is close to what it has seen (and the tagger was trained with lower-cased copies). So a sentence
// whose cased letters are mostly capitals is read in lower case. Only the words the model reads change: entity
// offsets still index the original text, and the entity text is the original's.

/** A sentence with at least this share of upper-case letters among its cased letters is read in lower case. */
export const SHOUTED_SHARE = 0.8;
/** ... and at least this many cased letters (so "CT" or "HIV" alone is left as it is). */
export const SHOUTED_MIN_LETTERS = 8;

/** The words the model reads for a sentence's tokens. */
export function caseView(words: string[]): string[] {
  let upper = 0;
  let cased = 0;
  for (const w of words) {
    for (const c of w) {
      const lower = c.toLowerCase();
      if (lower === c.toUpperCase()) continue;
      cased++;
      if (c !== lower) upper++;
    }
  }
  return cased >= SHOUTED_MIN_LETTERS && upper >= SHOUTED_SHARE * cased ? words.map((w) => w.toLowerCase()) : words;
}
