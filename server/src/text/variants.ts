// A tmVar-style grammar of sequence-variant mentions (Wei et al., Bioinformatics 2013): HGVS (c. g. m. n. r. p.)
// and the free forms of the literature (one- and three-letter protein changes, ΔF508 / F508del, bare nucleotide
// changes "A3243G", "2209G>A", "1009 delA", splice sites "IVS8-5T", dbSNP ids "rs334", and short phrases such as
// "C-->T transition at nucleotide 677"). It lists shapes, never names. Each match carries a normalised form where
// one can be read off it. Matching runs on the raw text (character offsets), so the spans do not depend on how
// any tokenizer cuts "c.1521_1523delCTT" or "p.(Gly12Cys)".

import type { VariantNormalisation } from '../types';

export type { VariantNormalisation };

export interface VariantMatch {
  start: number;
  end: number;
  text: string;
  normalised?: VariantNormalisation;
}

const THREE_LETTER: Record<string, string> = {
  ala: 'A', arg: 'R', asn: 'N', asp: 'D', cys: 'C', gln: 'Q', glu: 'E', gly: 'G', his: 'H', ile: 'I',
  leu: 'L', lys: 'K', met: 'M', phe: 'F', pro: 'P', ser: 'S', thr: 'T', trp: 'W', tyr: 'Y', val: 'V',
  ter: '*', stop: '*', sec: 'U', pyl: 'O', xaa: 'X', asx: 'B', glx: 'Z',
};

// Building blocks (source strings; every pattern is compiled with the `u` flag).
const AA3 = `(?:${['Ala', 'Arg', 'Asn', 'Asp', 'Cys', 'Gln', 'Glu', 'Gly', 'His', 'Ile', 'Leu', 'Lys', 'Met', 'Phe', 'Pro', 'Ser', 'Thr', 'Trp', 'Tyr', 'Val', 'Ter', 'Sec', 'Xaa']
  .map(([a, b, c]) => `${a}[${b}${b.toUpperCase()}][${c}${c.toUpperCase()}]`)
  .join('|')})`;
const AA1 = '[ACDEFGHIKLMNPQRSTVWY]';
const AA = `(?:${AA3}|${AA1})`;
const STOP = '(?:X|\\*|Ter|TER|[Ss]top)';
const NT = '[ACGTU]';
const NT_ANY = '[ACGTUacgtu]';
/** An arrow between the old and new base or residue: "A>G", "C-->T", "A → G", "C -> T". */
const ARROW = '\\s?(?:-{1,3}>|>|→|-{4})\\s?';
/** An HGVS-ish position: "1517", "-866", "*23", "2398+1", "1729 + 55", "1402-1", "-?" . */
const POS = '(?:[-+*]?\\d+(?:\\s?[-+]\\s?(?:\\d+|\\?))?|\\?)';
const RANGE = `${POS}(?:_${POS})?`;
/** Left and right edges: a variant is not part of a longer word or number. */
const L = '(?<![\\p{L}\\p{N}_])';
const R = '(?![\\p{L}\\p{N}_])';
/** A phrase after a change that places it: "transition at nucleotide 677", "substitution at position 2209". */
const PLACED = `(?:\\s(?:substitution|transition|transversion|mutation|change))?\\s(?:at|in|of|for)\\s(?:nucleotide|position|codon|amino acid|residue|cDNA base|base|cDNA position)\\s[-+]?\\d+(?:\\sof\\s(?:intron|exon)\\s\\d+)?`;

type Groups = Record<string, string | undefined>;

interface Rule {
  name: string;
  pattern: RegExp;
  normalise: (groups: Groups, text: string) => VariantNormalisation | undefined;
  /** Rejects a match the pattern cannot rule out ("G/G" is a genotype, not a change); `at` is the match's offset. */
  accept?: (groups: Groups, text: string, at: number) => boolean;
}

const rule = (name: string, source: string, normalise: Rule['normalise'], accept?: Rule['accept']): Rule => ({
  name,
  pattern: new RegExp(`${L}(?:${source})${R}`, 'gu'),
  normalise,
  accept,
});

/** Protein residues in one-letter code ("Phe" -> "F", "X"/"Ter"/"stop" -> "*"); anything else unchanged. */
function oneLetter(residues: string | undefined): string | undefined {
  if (residues === undefined || residues === '') return undefined;
  if (/^(?:X|\*|Ter|TER|stop)$/.test(residues)) return '*';
  const three = /^(?:[A-Z][a-z]{2}|[A-Z]{3})+$/.test(residues) && residues.length % 3 === 0;
  if (!three) return residues;
  let out = '';
  for (let i = 0; i < residues.length; i += 3) {
    const code = THREE_LETTER[residues.slice(i, i + 3).toLowerCase()];
    if (!code) return residues;
    out += code;
  }
  return out;
}

function position(raw: string | undefined): number | string | undefined {
  if (raw === undefined) return undefined;
  const compact = raw.replace(/\s+/g, '');
  return /^\d+$/.test(compact) ? Number(compact) : compact;
}

/** The change word of a mention ("del", "ins", "dup", "delins", "fs", "inv") as a normalisation type. */
function changeType(change: string | undefined): VariantNormalisation['type'] {
  const c = (change ?? '').toLowerCase();
  if (c.startsWith('delins') || c === 'indel') return 'deletion-insertion';
  if (c.startsWith('del') || c === 'δ' || c === 'delta') return 'deletion';
  if (c.startsWith('ins')) return 'insertion';
  if (c.startsWith('dup')) return 'duplication';
  if (c.startsWith('fs')) return 'frameshift';
  if (c.startsWith('inv')) return 'inversion';
  return 'substitution';
}

function normaliseChange(
  groups: Record<string, string | undefined>,
  sequence: VariantNormalisation['sequence'],
  protein: boolean,
  mention = '',
): VariantNormalisation {
  // "p.Glu6ValfsTer2", "L263fsX286": a frameshift, whose first new residue (if named) is the mutant.
  const type = changeType(groups.change ?? (/fs/.test(mention) ? 'fs' : undefined));
  const out: VariantNormalisation = { type };
  if (sequence) out.sequence = sequence;
  const pos = position(groups.pos);
  if (pos !== undefined) out.position = pos;
  // A deletion's named bases or residues ("delCTT") are the reference sequence; an insertion's are the new one.
  const wildtypeRaw = groups.wt ?? (type === 'deletion' ? groups.inserted : undefined);
  const wildtype = protein ? oneLetter(wildtypeRaw) : wildtypeRaw?.toUpperCase();
  if (wildtype) out.wildtype = wildtype;
  const mutantRaw = type === 'substitution' || type === 'frameshift' ? groups.mut : type === 'deletion' ? undefined : groups.inserted;
  // A stop ("R411X", "R403stop") is a protein change even where the shape could also be DNA.
  const mutant = protein || /^(?:X|\*|Ter|TER|[Ss]top)$/.test(mutantRaw ?? '') ? oneLetter(mutantRaw) : mutantRaw?.toUpperCase();
  if (mutant) out.mutant = mutant;
  return out;
}

/** The DNA change after a position: "A>G", "A > G", "delCTT", "del4", "insA", "dupA", "delinsAG", "inv", "C-->T". */
const DNA_CHANGE = `(?:(?<wt>${NT}+)${ARROW}(?<mut>${NT}+)|(?<change>delins|del|ins|dup|inv)(?:\\s?(?<inserted>${NT}+))?(?:\\s?\\d+(?:\\s?bp)?)?(?:\\s?ins\\s?${NT}+)?)`;
/** The protein change after a residue and position: "Cys", "C", "*", "del", "fs", "fsX12", "GlufsTer2", "insAG". */
const PROTEIN_CHANGE = `(?:(?<change>delins|del|dup|ins|fs)(?<inserted>(?:${AA3})+|${AA1}+)?(?:\\s?${STOP}\\d*|\\d+)?|(?<mut>${STOP}|${AA3}|${AA1})(?:fs(?:\\s?${STOP}\\d*)?)?)`;
/** An HGVS protein description after "p.": "Gly12Cys", "F508del", "Glu2524_Lys2525del", "Cys817Valfs X15". */
const PROTEIN_BODY = `(?<wt>${AA})(?<pos>\\d+)(?:_${AA}\\d+)?${PROTEIN_CHANGE}`;
/** One-letter residues with a one-digit position, "R-4Q" aside ("T1D" is type 1 diabetes, "S1P" a lipid) need an HGVS prefix. */
const TWO_DIGITS = (g: Groups): boolean => (g.pos ?? '').length >= 2;
const GENETICS = /polymorphi|allel|SNP|genotyp|variant|substitution|transition|transversion|mutation|exon|intron|rs\d/i;
const differs = (g: Groups): boolean => g.wt?.toUpperCase() !== g.mut?.toUpperCase();
const dna = (g: Groups, mention?: string): VariantNormalisation => normaliseChange(g, undefined, false, mention);

const RULES: Rule[] = [
  // dbSNP: rs334, rs 1518108.
  rule('dbsnp', 'rs\\s?(?<id>\\d+)', (g) => ({ type: 'dbsnp', id: `rs${g.id}` })),

  // HGVS protein: p.Gly12Cys, p.(Gly12Cys) (a predicted change), p.G12C, p.F508del, p.Glu6ValfsTer2, p. K237N.
  rule('hgvs-protein', `p\\.\\s?${PROTEIN_BODY}`, (g, m) => normaliseChange(g, 'p', true, m)),
  rule('hgvs-protein-predicted', `p\\.\\(${PROTEIN_BODY}\\)`, (g, m) => normaliseChange(g, 'p', true, m)),

  // HGVS DNA/RNA: c.1521_1523delCTT, c.35delG, c.1517A>G, c.4002A > G, g.1755 G > A, m.3243A>G, c2403T --> C.
  rule(
    'hgvs-dna',
    `(?<prefix>[cgmnr]\\.|[cg](?=\\d))\\s?(?<pos>${RANGE})\\s?${DNA_CHANGE}`,
    (g) => normaliseChange(g, g.prefix?.[0] as VariantNormalisation['sequence'], false),
  ),

  // Three-letter protein changes: Val600Glu, Asp 300 Val, Arg460Ter, Phe508del, Thr366-->Pro, Trp86----Arg.
  rule(
    'protein-three-letter',
    `(?<wt>${AA3})\\s?(?<pos>\\d+)(?:\\s?(?<change>del|dup|fs)(?:\\s?${STOP}\\d*)?|\\s?(?:(?:-{1,4}>?|>)\\s?)?(?<mut>${AA3}|${STOP})(?:fs(?:\\s?${STOP}\\d*)?)?)`,
    (g, m) => normaliseChange(g, 'p', true, m),
  ),
  // Glu-->Ala, Phe-->Ser at codon 15, Arg to Gly change at codon 71.
  rule(
    'protein-arrow',
    `(?<wt>${AA3})(?:${ARROW}(?<mut>${AA3}|${STOP})(?:${PLACED})?|\\sto\\s(?<mut2>${AA3})${PLACED})`,
    (g, text) => normaliseChange({ ...g, mut: g.mut ?? g.mut2, pos: placedPosition(text) }, 'p', true),
  ),

  // One-letter changes: G12C, R411X, R403stop, A3243G (also a DNA change), F508del, D201ins, L263fsX286, R-4Q.
  rule(
    'one-letter',
    `(?<wt>${AA1})(?<pos>-?\\d+)(?:(?<change>del|dup|ins|fs)(?:${STOP}\\d*)?|(?<mut>${AA1}|${STOP})(?:fs(?:${STOP}\\d*)?)?)`,
    dna,
    (g) => TWO_DIGITS(g) && (g.change !== undefined || differs(g)),
  ),
  // Range deletions of residues: K175-D176del, K175_D176del.
  rule('one-letter-range', `(?<wt>${AA1})(?<pos>\\d+[-_]${AA1}\\d+)(?<change>del|dup)`, (g) => normaliseChange(g, 'p', true)),
  // DNA with intronic offsets: T-189C, G469+14C.
  rule('dna-offset', `(?<wt>${NT})(?<pos>-?\\d+[-+]\\d+)(?<mut>${NT})`, dna, differs),

  // Deletion by delta: ΔF508, delta F508, Delta32 (CCR5). Without a residue only two or more digits not followed by a
  // hyphen: "Δ9-THC" and "Δ12-prostaglandin J2" are chemicals.
  rule(
    'delta',
    `(?:Δ|[Dd]elta)(?:\\s?(?<wt>${AA3}|${AA1})(?<pos>\\d+)|(?<pos2>\\d{2,})(?![-\\u2010]))`,
    (g) => normaliseChange({ ...g, pos: g.pos ?? g.pos2, change: 'del' }, g.wt ? 'p' : undefined, true),
  ),

  // Bare positions with a DNA change: 2209G>A, -866G/A, 469 + 14G/C, 677 C-->T, 3097delG, 1067 del A, 1494del6,
  // 1782-83delAG, 1308_1316 dup9, -588 (A>G), -491 A to T, *207G-->C, intron 2, -352G-->A; and a base in an intron
  // alone: 862+5A.
  rule(
    'dna-bare',
    `(?:intron\\s\\d+,\\s)?(?<pos>[-+*]?\\d+(?:\\s?[-+_/]\\s?\\d+)?)\\s?(?:\\((?<wt>${NT}+)${ARROW}(?<mut>${NT}+)\\)|(?<wt2>${NT}+)\\s?(?:-{1,4}>|>|→|\\/|\\sto\\s)\\s?(?<mut2>${NT}+)|(?<change>delins|del|ins|dup)(?:\\s?(?<inserted>${NT}+))?(?:\\s?\\d+(?:\\s?bp)?)?)`,
    (g) => dna({ ...g, wt: g.wt ?? g.wt2, mut: g.mut ?? g.mut2 }),
  ),
  // Only after "+": "[1-14C]" is a radiolabel.
  rule('dna-intronic-base', `(?<pos>\\d+\\s?\\+\\s?\\d+)(?<mut>${NT})`, dna),
  // A deletion or insertion of named bases alone: delTTCA, insC.
  rule('dna-named-bases', `(?<change>del|ins|dup)(?<inserted>${NT}{1,})`, dna),

  // Splice sites: IVS8-5T, IVS12-1G>C, IVS13-2delA, IVS7-151_152delGA, IVS2+1(g-t), IVSI-1 (G-->A), IVS64+5g->a,
  // IVS12nt1.
  rule(
    'splice',
    `(?<pos>IVS\\s?(?:\\d+|[IVX]+)(?:\\s?[-+]\\s?\\d+(?:_\\d+)?|nt[-+]?\\d+))(?:\\s?(?:\\((?<wt>${NT_ANY})(?:-{1,2}>?|>|→)(?<mut>${NT_ANY})\\)|(?<wt2>${NT_ANY})${ARROW}(?<mut2>${NT_ANY})|(?<change>del|ins|dup)(?<inserted>${NT}+)?|(?<mut3>\\d*${NT})))?`,
    (g) => {
      const wt = g.wt ?? g.wt2;
      return normaliseChange({ ...g, wt, mut: g.mut ?? g.mut2 ?? (wt ? undefined : g.mut3) }, undefined, false);
    },
  ),

  // Nucleotide changes without a position, or placed by a phrase: C>T, C-->T transition at nucleotide 677,
  // (T --> C) substitution at position 2209, GTT-->GCT transition at codon 23, codon 26, GAG-->GCG,
  // C to T mutation at position 14116.
  rule(
    'dna-placed',
    `(?:codon\\s(?:\\(CD\\))?\\d+,?\\s)?(?:\\((?<wt>${NT}{1,3})${ARROW}(?<mut>${NT}{1,3})\\)(?:${PLACED})?|(?<wt3>${NT}{1,3})${ARROW}(?<mut3>${NT}{1,3})(?:${PLACED})?|(?<wt2>${NT}{1,3})\\sto\\s(?<mut2>${NT}{1,3})${PLACED})`,
    (g, text) => dna({ ...g, wt: g.wt ?? g.wt2 ?? g.wt3, mut: g.mut ?? g.mut2 ?? g.mut3, pos: placedPosition(text) }),
  ),
  // Alleles of a single-nucleotide polymorphism: G/A, C/T (not the genotype G/G), only near a word of genetics: a
  // clinical note's "A/C" is a ventilator mode, "A/G" the albumin/globulin ratio.
  rule('dna-alleles', `(?<wt>${NT})\\/(?<mut>${NT})`, dna, (g, text, at) => differs(g) && GENETICS.test(text.slice(Math.max(0, at - 60), at + 60))),
];

/** The position a phrase gives ("... at nucleotide 677", "codon 26, GAG-->GCG"), if any. */
function placedPosition(text: string): string | undefined {
  return (/(?:at|in|of|for)\s\D*?([-+]?\d+)(?:\s+of\s+(?:intron|exon)\s+\d+)?$/.exec(text) ?? /^codon\s(?:\(CD\))?(\d+)/.exec(text))?.[1];
}

/**
 * All variant mentions of `text`, sorted by start, never overlapping: where two rules match overlapping text, the
 * earlier start wins, then the longer match.
 */
export function findVariants(text: string): VariantMatch[] {
  const candidates: { start: number; end: number; rule: Rule; groups: Groups }[] = [];
  for (const r of RULES) {
    r.pattern.lastIndex = 0;
    for (let m = r.pattern.exec(text); m; m = r.pattern.exec(text)) {
      const groups: Groups = { ...m.groups };
      if (r.accept && !r.accept(groups, text, m.index)) continue;
      candidates.push({ start: m.index, end: m.index + m[0].length, rule: r, groups });
    }
  }
  candidates.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: VariantMatch[] = [];
  let end = -1;
  for (const c of candidates) {
    if (c.start < end) continue;
    const mention = text.slice(c.start, c.end);
    const normalised = c.rule.normalise(c.groups, mention);
    out.push({ start: c.start, end: c.end, text: mention, ...(normalised ? { normalised } : {}) });
    end = c.end;
  }
  return out;
}

const SEQUENCE_NAMES: Record<NonNullable<VariantNormalisation['sequence']>, string> = {
  p: 'protein',
  c: 'coding DNA',
  g: 'genomic DNA',
  m: 'mitochondrial DNA',
  n: 'non-coding DNA',
  r: 'RNA',
};

/** One line for people: "deletion, protein, position 508, wild type F"; "dbSNP rs334". */
export function describeVariant(n: VariantNormalisation): string {
  if (n.type === 'dbsnp') return `dbSNP ${n.id}`;
  const parts: string[] = [n.type];
  if (n.sequence) parts.push(SEQUENCE_NAMES[n.sequence]);
  if (n.position !== undefined) parts.push(`position ${n.position}`);
  if (n.wildtype) parts.push(`wild type ${n.wildtype}`);
  if (n.mutant) parts.push(`${n.type === 'substitution' ? 'mutant' : n.type} ${n.mutant}`);
  return parts.join(', ');
}
