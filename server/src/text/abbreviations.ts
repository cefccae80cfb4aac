// Abbreviations whose final period does not end a sentence. The tokenizer keeps each as one token ("e.g.",
// "b.i.d."), so a lone "." token is always a candidate sentence end. Lists inspired by common sentence splitters
// (Punkt, GENIA SS, scispaCy) and by what shows up in PubMed abstracts and clinical notes.

/**
 * Latin, dosing, reference and unit abbreviations. Multi-part ones ("e.g.", "I.V.") match in any case; one-part
 * ones match in lower case, or capitalised only if listed in `capitalised` ("Fig.", "Dr."), because "Ca.", "Co.",
 * "Pt." and "Jun." at a sentence end are calcium, cobalt, platinum and the Jun protein. Month names are left out
 * for the same reason.
 */
const anyCase = [
  'e.g.', 'i.e.', 'vs.', 'cf.', 'ca.', 'approx.', 'viz.', 'resp.', 'incl.', 'excl.', 'etc.', 'al.',
  'fig.', 'figs.', 'tab.', 'ref.', 'refs.', 'eq.', 'eqs.', 'vol.', 'pp.', 'p.', 'ch.', 'sect.', 'suppl.',
  'b.i.d.', 't.i.d.', 'q.i.d.', 'q.d.', 'q.o.d.', 'q.h.', 'q.h.s.', 'h.s.', 'p.r.n.', 'a.c.', 'p.c.', 'p.o.', 'i.v.',
  'i.m.', 'i.p.', 's.c.', 's.q.', 'i.c.v.', 'i.t.', 'i.n.', 'o.d.', 'o.s.', 'o.u.', 'n.s.', 'n.d.', 'sp.', 'spp.',
  'subsp.', 'var.', 'cv.', 'aff.', 'gen.', 'nov.', 'dr.', 'drs.', 'mr.', 'mrs.', 'ms.', 'prof.', 'st.', 'jr.', 'sr.',
  'inc.', 'ltd.', 'co.', 'corp.', 'dept.', 'univ.', 'assoc.', 'est.', 'max.', 'min.', 'avg.', 'wt.', 'conc.', 'temp.',
  'u.s.', 'u.k.', 'u.s.a.', 'e.u.', 'a.m.', 'p.m.', 'ph.d.', 'm.d.', 'b.sc.', 'm.sc.', 'pt.', 'pts.', 'yr.', 'yrs.',
  'wk.', 'wks.', 'mo.', 'mos.', 'hr.', 'hrs.', 'sec.', 'mins.',
];

/**
 * Abbreviations that commonly end a sentence too ("... and so on etc. The next"): after these, a capitalised
 * next word starts a new sentence.
 */
const mayEndSentence = new Set([
  'etc.', 'al.', 'inc.', 'ltd.', 'co.', 'corp.', 'u.s.', 'u.k.', 'u.s.a.', 'e.u.', 'a.m.', 'p.m.', 'max.', 'min.', 'mins.',
  'sec.', 'hr.', 'hrs.', 'wk.', 'wks.', 'mo.', 'mos.', 'yr.', 'yrs.', 'temp.', 'conc.', 'est.',
]);

/** Matched exactly: "No. 5" is an abbreviation, "the answer was no." is not. */
const exactCase = new Set(['No.', 'Nos.']);

const known = new Set(anyCase);

/** One-part abbreviations also recognised with a capital first letter. */
const capitalised = new Set([
  'e.g.', 'i.e.', 'vs.', 'cf.', 'approx.', 'viz.', 'resp.', 'incl.', 'etc.', 'fig.', 'figs.', 'tab.', 'ref.', 'refs.',
  'eq.', 'eqs.', 'vol.', 'ch.', 'sect.', 'suppl.', 'dr.', 'drs.', 'mr.', 'mrs.', 'ms.', 'prof.', 'st.', 'jr.', 'sr.',
  'inc.', 'ltd.', 'corp.', 'dept.', 'univ.', 'assoc.',
]);

/** The longest abbreviation has this many period-separated parts ("q.h.s." has 3). */
export const MAX_ABBREVIATION_PARTS = 4;

/** True if `candidate` (ending in ".") is a known abbreviation, e.g. "e.g.", "Dr.", "b.i.d.". */
export function isAbbreviation(candidate: string): boolean {
  if (exactCase.has(candidate)) return true;
  // "NO." (nitric oxide), "HR.", "DX.": a one-part all-capitals word is an acronym ending a sentence, not "no." or "hr.".
  if (/^\p{Lu}{2,}\.$/u.test(candidate)) return false;
  const lower = candidate.toLowerCase();
  if (!known.has(lower)) return false;
  const onePart = candidate.indexOf('.') === candidate.length - 1;
  return !onePart || candidate === lower || capitalised.has(lower);
}

/** True if a sentence may end right after this abbreviation token when a capitalised word follows. */
export function abbreviationMayEndSentence(token: string): boolean {
  return mayEndSentence.has(token.toLowerCase());
}
