// Sequence variants (issue 20): the grammar (text/variants.ts), its normalised forms, the VARIANT document pass and
// its overlap rule (tagging/passes/variants.ts), and what the outputs, the hover and the tokenizer make of them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findVariants } from '../../server/src/text/variants';
import { labelVariants } from '../../server/src/tagging/passes/variants';
import { DOCUMENT_PASSES, runDocumentPasses } from '../../server/src/tagging/passes';
import { renderBrat, renderConll, renderJsonl } from '../../server/src/bulk/render';
import { hoverMarkdown } from '../../server/src/lsp/hover';
import { ENTITY_TOKEN_TYPES } from '../../server/src/lsp/protocol';
import { parseAnn } from '../../server/src/formats/brat';
import { parseConll } from '../../server/src/formats/conll';
import { tokenize } from '../../server/src/text/tokenizer';
import { MODEL_TOKENIZATION } from '../../server/src/model/tokenization';
import type { EntityPrediction } from '../../server/src/types';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The variant mentions the grammar finds in `text`. */
const mentions = (text: string): string[] => findVariants(text).map((v) => v.text);

test('grammar: every form of the issue is one whole mention', () => {
  const forms = [
    // HGVS, DNA and protein, incl. a predicted protein change in parentheses
    'c.1521_1523delCTT', 'c.35delG', 'c.1517A>G', 'c.4002A > G', 'c.1402-1C>G', 'g.1755 G > A', 'm.3243A>G', 'c.293dupA',
    'c.27_28ins12', 'p.Gly12Cys', 'p.(Gly12Cys)', 'p.G12C', 'p.F508del', 'p.Phe508del', 'p.Arg460Ter', 'p.Glu6ValfsTer2',
    'p.Val1724_Thr1739del', 'p. K237N',
    // one- and three-letter protein changes
    'G12C', 'R411X', 'V600E', 'Val600Glu', 'Asp 300 Val', 'Thr366-->Pro', 'R403stop', 'D201ins',
    // deltas
    'ΔF508', 'delta F508', 'F508del', 'Delta32',
    // bare DNA changes, deletions, insertions, duplications, frameshifts
    'A3243G', 'T-189C', '2209G>A', '-866G/A', '469 + 14G/C', '3097delG', '1067 del A', '1593insC', '1308_1316 dup9', 'L263fsX286',
    // splice sites and dbSNP
    'IVS8-5T', 'IVS12-1G>C', 'IVS13-2delA', 'IVS2+1(g-t)', 'rs334', 'rs113993960',
    // placed phrases
    'C-->T transition at nucleotide 677',
  ];
  for (const form of forms) assert.deepEqual(mentions(`found ${form} in`), [form], form);
});

test('grammar: the mention ends where the variant ends', () => {
  assert.deepEqual(mentions('(c.35delG).'), ['c.35delG']);
  assert.deepEqual(mentions('KRAS G12C, BRAF V600E; c.684_685del (p.Pro229TrpfsX85)'), ['G12C', 'V600E', 'c.684_685del', 'p.Pro229TrpfsX85']);
  assert.deepEqual(mentions('c.3943G>A (p.G1315R) in exon 20'), ['c.3943G>A', 'p.G1315R']);
});

test('grammar: shapes that are not variants', () => {
  // A one-digit one-letter "change" is a disease or a lipid; a genotype repeats one base; gene and drug names.
  assert.deepEqual(mentions('T1D, T2D and S1P; the G/G genotype; IL-2, 5-FU, COVID-19, CYP2D6, H1N1; [1-14C]acetate'), []);
  assert.deepEqual(mentions('C1256088C'), []);
  assert.deepEqual(mentions('Δ9-THC, delta 9-tetrahydrocannabinol and Δ12-PGJ2'), []);
  // Allele pairs only where genetics is being discussed.
  assert.deepEqual(mentions('Vent on A/C, A/G ratio 1.2.'), []);
  assert.deepEqual(mentions('exon 2 (rs4586, A/G) and a C/T polymorphism'), ['rs4586', 'A/G', 'C/T']);
});

test('normalisation: read off the mention', () => {
  const norm = (text: string) => findVariants(text)[0]?.normalised;
  assert.deepEqual(norm('p.F508del'), { type: 'deletion', sequence: 'p', position: 508, wildtype: 'F' });
  assert.deepEqual(norm('ΔF508'), { type: 'deletion', sequence: 'p', position: 508, wildtype: 'F' });
  assert.deepEqual(norm('p.(Gly12Cys)'), { type: 'substitution', sequence: 'p', position: 12, wildtype: 'G', mutant: 'C' });
  assert.deepEqual(norm('Val600Glu'), { type: 'substitution', sequence: 'p', position: 600, wildtype: 'V', mutant: 'E' });
  assert.deepEqual(norm('R411X'), { type: 'substitution', position: 411, wildtype: 'R', mutant: '*' });
  assert.deepEqual(norm('c.1521_1523delCTT'), { type: 'deletion', sequence: 'c', position: '1521_1523', wildtype: 'CTT' });
  assert.deepEqual(norm('c.1517A>G'), { type: 'substitution', sequence: 'c', position: 1517, wildtype: 'A', mutant: 'G' });
  assert.deepEqual(norm('1593insC'), { type: 'insertion', position: 1593, mutant: 'C' });
  assert.deepEqual(norm('p.Glu6ValfsTer2'), { type: 'frameshift', sequence: 'p', position: 6, wildtype: 'E', mutant: 'V' });
  assert.deepEqual(norm('L263fsX286'), { type: 'frameshift', position: 263, wildtype: 'L' });
  assert.deepEqual(norm('rs334'), { type: 'dbsnp', id: 'rs334' });
});

const entity = (text: string, part: string, label: string, confidence = 0.9): EntityPrediction => {
  const start = text.indexOf(part);
  return { start, end: start + part.length, text: part, label, confidence };
};

test('overlaps: a variant is never also a DRUG or DISEASE', () => {
  const text = 'one F508del allele and KRAS G12C-mutant cancer with aspirin';
  const out = labelVariants(text, [
    entity(text, 'F508del', 'DRUG'),
    entity(text, 'G12C-mutant cancer', 'DISEASE'),
    entity(text, 'aspirin', 'DRUG'),
  ]);
  assert.deepEqual(
    out.map((e) => [e.text, e.label]),
    [['F508del', 'VARIANT'], ['G12C', 'VARIANT'], ['mutant cancer', 'DISEASE'], ['aspirin', 'DRUG']],
  );
  for (const e of out) assert.equal(text.slice(e.start, e.end), e.text);
  assert.deepEqual(out[0].variant, { type: 'deletion', position: 508, wildtype: 'F' });
});

test('the variant pass runs after the passes that spread model labels, and adds nothing outside the tagged sentences', () => {
  const names = DOCUMENT_PASSES.map((p) => p.name);
  assert.ok(names.indexOf('variants') > names.indexOf('repeats') && names.indexOf('variants') > names.indexOf('abbreviations'));
  const text = 'Skip rs334 here.\n\nTag rs335 here.';
  const second = text.indexOf('Tag');
  const out = runDocumentPasses({ text, sentences: [{ start: second, end: text.length }] }, []);
  assert.deepEqual(out.map((e) => [e.text, e.label]), [['rs335', 'VARIANT']]);
});

test('outputs: JSONL carries the normalised form; BRAT and CoNLL carry VARIANT and read back', () => {
  const text = 'Homozygous for ΔF508 and c.1521_1523delCTT.';
  const sentences = tokenize(text);
  const entities = runDocumentPasses({ text, sentences }, []);
  const doc = { file: 'a.txt', text, sentences, entities };
  const jsonl = JSON.parse(renderJsonl(doc));
  assert.deepEqual(
    jsonl.entities.map((e: { text: string; label: string; variant?: unknown }) => [e.text, e.label, e.variant]),
    [
      ['ΔF508', 'VARIANT', { type: 'deletion', sequence: 'p', position: 508, wildtype: 'F' }],
      ['c.1521_1523delCTT', 'VARIANT', { type: 'deletion', sequence: 'c', position: '1521_1523', wildtype: 'CTT' }],
    ],
  );
  const ann = parseAnn(renderBrat(doc), text, 'a.ann').entities;
  assert.deepEqual(ann.map((e) => [text.slice(e.start, e.end), e.label]), [['ΔF508', 'VARIANT'], ['c.1521_1523delCTT', 'VARIANT']]);
  const conll = parseConll(renderConll(doc), 'a.conll').documents[0].sentences[0];
  assert.deepEqual(
    conll.tokens.map((t, i) => `${t}/${conll.tags[i]}`),
    ['Homozygous/O', 'for/O', 'ΔF508/B-VARIANT', 'and/O', 'c.1521_1523delCTT/B-VARIANT', './O'],
  );
});

test('editor: the VARIANT label has its own semantic token type, declared and coloured by the extension', () => {
  assert.ok((ENTITY_TOKEN_TYPES as readonly string[]).includes('variant'));
  const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8'));
  assert.ok(manifest.contributes.semanticTokenTypes.some((t: { id: string }) => t.id === 'variant'));
  assert.ok(manifest.contributes.configurationDefaults['editor.semanticTokenColorCustomizations'].rules.variant.foreground);
});

test('hover: a VARIANT shows its normalised form', () => {
  const text = 'homozygous for ΔF508';
  const [variant] = labelVariants(text, []);
  assert.match(hoverMarkdown(variant, 'm'), /Variant: deletion, protein, position 508, wild type F/);
});

test('tokenizer: a variant span is whole tokens in both styles, and within one sentence', () => {
  const text = 'We found c.1521_1523delCTT and p.(Gly12Cys), (c.35delG), c.1402-1C>G, KRAS-G12C and c. 529T>C here. Next one.';
  const variants = findVariants(text);
  assert.deepEqual(variants.map((v) => v.text), ['c.1521_1523delCTT', 'p.(Gly12Cys)', 'c.35delG', 'c.1402-1C>G', 'G12C', 'c. 529T>C']);
  for (const options of [{}, MODEL_TOKENIZATION]) {
    const sentences = tokenize(text, options);
    assert.equal(sentences.length, 2, JSON.stringify(options));
    const starts = new Set(sentences.flatMap((s) => s.tokens.map((t) => t.start)));
    const ends = new Set(sentences.flatMap((s) => s.tokens.map((t) => t.end)));
    for (const v of variants) assert.ok(starts.has(v.start) && ends.has(v.end), `${v.text} (${JSON.stringify(options)})`);
  }
  // The default style keeps an HGVS name one token; the model's style still splits it as the model was trained.
  const words = tokenize(text)[0].tokens.map((t) => t.text);
  for (const name of ['c.1521_1523delCTT', 'p.(Gly12Cys)', 'c.35delG', 'c.1402-1C>G', 'G12C']) assert.ok(words.includes(name), name);
  const modelWords = tokenize('c.1521_1523delCTT', MODEL_TOKENIZATION)[0].tokens.map((t) => t.text);
  assert.deepEqual(modelWords, ['c', '.', '1521', '_', '1523delCTT']);
});
