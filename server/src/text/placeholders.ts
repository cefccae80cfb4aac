// De-identification placeholders of clinical notes: what a de-identification tool wrote in place of a name, age,
// date or place. They are never entities and never split a sentence (the sentence splitter and the placeholder pass,
// ../tagging/passes/placeholders.ts, use these spans).
//   MIMIC style:           [**Hospital1 18**]  [**2019-01-01**]  [**Last Name (STitle) 123**]
//   De-ID / i2b2 style:    **NAME[ZZZ]  **AGE[in 70s]  **DATE[Mar 24 2008]  **ID-NUM  **INSTITUTION
const PLACEHOLDER = /\[\*\*[^\n]*?\*\*\]|\*\*[A-Z][A-Z0-9_-]*(?:\[[^\]\n]*\])?/g;

/** The placeholders of `text`, in order, as [start, end) ranges. */
export function findPlaceholders(text: string): Array<{ start: number; end: number }> {
  return [...text.matchAll(PLACEHOLDER)].map((m) => ({ start: m.index!, end: m.index! + m[0].length }));
}
