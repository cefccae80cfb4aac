// The clinical shorthand pass (tagging/clinicalShorthand.ts): table entries used in context.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyShorthand, CLINICAL_SHORTHAND, parseShorthandTable } from '../../server/src/tagging/clinicalShorthand';
import { runDocumentPasses } from '../../server/src/tagging/passes';
import { hoverMarkdown } from '../../server/src/lsp/hover';
import { renderJsonl } from '../../server/src/bulk/render';
import { tokenize } from '../../server/src/text/tokenizer';
import type { EntityPrediction } from '../../server/src/types';

/** The document passes over `text` (split by the tokenizer) with the model's entities given as [mention, label]. */
function passes(text: string, model: Array<[string, string]> = []): EntityPrediction[] {
  let from = 0;
  const entities = model.map(([mention, label]) => {
    const start = text.indexOf(mention, from);
    assert.ok(start >= 0, mention);
    from = start + mention.length;
    return { start, end: from, text: mention, label, confidence: 0.95 };
  });
  return runDocumentPasses({ text, sentences: tokenize(text) }, entities);
}

const shown = (entities: EntityPrediction[]) => entities.map((e) => `${e.text}=${e.label}${e.expansion ? ` (${e.expansion})` : ''}`);

test('HTN is a DISEASE and "ASA 81 mg" a DRUG, each with its expansion', () => {
  assert.deepEqual(shown(passes('72M with HTN and DM2 on ASA 81 mg PO daily.')), [
    'HTN=DISEASE (hypertension)',
    'DM2=DISEASE (type 2 diabetes mellitus)',
    'ASA=DRUG (aspirin (acetylsalicylic acid))',
  ]);
  // Lower case for the entries marked anycase; a model entity on the span keeps its confidence and gets the expansion.
  const [htn, copd] = passes('hx of htn, COPD', [['COPD', 'DISEASE']]);
  assert.equal(htn.expansion, 'hypertension');
  assert.equal(copd.confidence, 0.95);
  assert.equal(copd.expansion, 'chronic obstructive pulmonary disease');
});

test('plurals of DISEASE short forms with a lower-case s: CVAs, MIs; not in capitals (DOES), nor of DRUG ones', () => {
  assert.deepEqual(shown(passes('History of multiple CVAs and two MIs.')), ['CVAs=DISEASE (cerebrovascular accident)', 'MIs=DISEASE (myocardial infarction)']);
  assert.deepEqual(shown(passes('HE DOES NOT RECALL THE PES.')), []);
  assert.equal(CLINICAL_SHORTHAND.get('ASAs'), undefined);
  // A plural row of its own keeps its expansion.
  assert.deepEqual(shown(passes('Recurrent UTIs.')), ['UTIs=DISEASE (urinary tract infections)']);
});

test('MS: the model\'s label on the span decides; untagged, a dose, the heart or a medication section decide; else multiple sclerosis', () => {
  assert.deepEqual(shown(passes('Pain controlled with MS.', [['MS', 'DRUG']])), ['MS=DRUG (morphine sulfate)']);
  assert.deepEqual(shown(passes('Pain controlled with MS.', [['MS', 'DISEASE']])), ['MS=DISEASE (multiple sclerosis)']);
  assert.deepEqual(shown(passes('Given MS 4 mg IV once.')), ['MS=DRUG (morphine sulfate)']);
  assert.deepEqual(shown(passes('Echo: moderate MS with a diastolic murmur.')), ['MS=DISEASE (mitral stenosis)']);
  assert.deepEqual(shown(passes('She has relapsing MS.')), ['MS=DISEASE (multiple sclerosis)']);
  assert.deepEqual(shown(passes('MEDICATIONS:\nMS Contin')), ['MS=DRUG (morphine sulfate)']);
});

test('a sense that names no entity: RA on room air is dropped even when the model tagged it; RA elsewhere is rheumatoid arthritis', () => {
  assert.deepEqual(shown(passes('SpO2 95% on RA.', [['RA', 'DRUG']])), []);
  assert.deepEqual(shown(passes('History of RA on methotrexate.')), ['RA=DISEASE (rheumatoid arthritis)']);
  // A short form with no entity sense removes the model's entity.
  assert.deepEqual(shown(passes('Follow up with PCP.', [['PCP', 'DISEASE']])), []);
});

test('left alone: short forms the document defines, section headings, titles, other cases, and parts of longer mentions', () => {
  // The abbreviation pass owns "MS" here (mitral stenosis, DISEASE), not the table's multiple sclerosis.
  const defined = passes('Severe mitral stenosis (MS) was found. MS was treated.', [['mitral stenosis', 'DISEASE']]);
  assert.ok(defined.every((e) => e.expansion === undefined), JSON.stringify(defined));
  assert.deepEqual(shown(passes('PE:\nLungs clear.\nCC: follow-up')), []);
  assert.deepEqual(shown(passes('MS. JONES WAS SEEN. Ms. Smith and ms. jones too.')), []);
  assert.deepEqual(shown(passes('In the non-MI group, beta-AR and XDR-TB.')), []);
  assert.deepEqual(shown(passes('Cushing syndrome and CHF exacerbation.', [['CHF exacerbation', 'DISEASE']])), ['CHF exacerbation=DISEASE']);
  // A single-sense entry relabels a model that got the label wrong.
  assert.deepEqual(shown(passes('Known CAD.', [['CAD', 'DRUG']])), ['CAD=DISEASE (coronary artery disease)']);
  assert.deepEqual(shown(passes('Known CAD.', [['CAD', 'GENE']])), ['CAD=GENE'], 'a label the table does not know');
});

test('the hover and the JSONL output show the expansion', () => {
  const htn = { start: 0, end: 3, text: 'HTN', label: 'DISEASE', confidence: 0.9, expansion: 'hypertension' };
  assert.match(hoverMarkdown(htn, 'm'), /`HTN` — hypertension/);
  const line = JSON.parse(renderJsonl({ file: 'a.note', text: 'HTN', sentences: [], entities: [htn] }));
  assert.equal(line.entities[0].expansion, 'hypertension');
});

test('the table: a few hundred entries, each a known label; a malformed row names its line', () => {
  const shorts = new Set([...CLINICAL_SHORTHAND.values()].flat().map((s) => s.short));
  assert.ok(shorts.size >= 250, `${shorts.size} short forms`);
  for (const sense of [...CLINICAL_SHORTHAND.values()].flat()) assert.ok(sense.label === undefined || ['DISEASE', 'DRUG'].includes(sense.label));
  assert.equal(CLINICAL_SHORTHAND.get('MS')!.length, 3);
  assert.throws(() => parseShorthandTable('# c\nHTN\thypertension\tILLNESS', 'x.tsv'), /^Error: x\.tsv:2: unknown label "ILLNESS"/);
  assert.throws(() => parseShorthandTable('HTN\thypertension', 'x.tsv'), /x\.tsv:1: expected/);
  assert.throws(() => parseShorthandTable('HTN\thypertension\tDISEASE\tsometimes', 'x.tsv'), /x\.tsv:1: unknown tag "sometimes"/);
  assert.deepEqual(applyShorthand({ text: 'nothing here', sentences: [{ start: 0, end: 12 }] }, []), []);
});
