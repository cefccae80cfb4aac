// The shipped model (models/default): the example sentence, and regression guards on BC5CDR test. The floors sit
// just under the figures measured when the model was trained (models/default/MODEL_CARD.md); a model that scores
// below them must not ship.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { repoRoot } from '../fixtures/bulk/cli';
import { spawnSync } from 'node:child_process';

const model = join(repoRoot, 'models', 'default');
const cli = join(repoRoot, 'dist', 'cli.js');
const bc5cdr = join(resolve(repoRoot, process.env.BIONER_DATA ?? join('..', 'shared', 'data')), 'bc5cdr');
const bc5cdrTest = join(bc5cdr, 'test.tsv');
const bc5cdrTestAbstracts = join(bc5cdr, 'pubtator', 'CDR_TestSet.PubTator.txt');
const bc5cdrTraining = ['CDR_TrainingSet', 'CDR_DevelopmentSet'].map((name) => join(bc5cdr, 'pubtator', `${name}.PubTator.txt`));

/** Strict span F1 floors on BC5CDR test (percent). */
const FLOOR = {
  // The abstracts tagged from their text, as the editor and `bioner tag` do: the tokenizer, the model with its
  // terms.tsv, then the document passes.
  abstracts: { overall: 85.2, DISEASE: 80.0, DRUG: 89.6 }, // measured 85.49 / 80.28 / 89.94
  // The IOB copy's sentences, each tagged on its own tokens: the model alone, with no document around it.
  sentences: { overall: 83.5, DISEASE: 78.3, DRUG: 87.7 }, // measured 83.79 / 78.58 / 88.02
  // Upper- and lower-case copies of the abstracts (scripts/recase-pubtator.mjs).
  upper: { overall: 85.1, DISEASE: 79.9, DRUG: 89.5 }, // measured 85.45 / 80.22 / 89.85
  lower: { overall: 82.9, DISEASE: 77.7, DRUG: 87.3 }, // measured 83.26 / 78.05 / 87.62
};
/** Recall of the test abstracts' mentions whose text is no BC5CDR train or dev mention (percent). */
const UNSEEN_RECALL_FLOOR = { overall: 66.0, DISEASE: 56.5, DRUG: 73.7 }; // measured 66.42 / 56.94 / 74.12
/** Calibration of the entity confidences on the test abstracts. */
const CALIBRATION_CEILING = { ece: 0.015, confidentFalsePositiveShare: 0.1 }; // measured ECE 0.0084, 8.4% of false positives at >= 0.95

const EXAMPLE = 'Patient diagnosed with cystic fibrosis and treated with Ivacaftor.';

function run(args: string[], input = ''): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { input, encoding: 'utf8', timeout: 600_000, maxBuffer: 64 << 20 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('the shipped model is a neural model with its model card', () => {
  const config = JSON.parse(readFileSync(join(model, 'config.json'), 'utf8'));
  assert.equal(config.kind, 'neural');
  assert.deepEqual([...config.labels.types].sort(), ['DISEASE', 'DRUG']);
  assert.ok(existsSync(join(model, 'MODEL_CARD.md')));
});

function tagExample(text = EXAMPLE): Array<{ text: string; label: string; start: number; end: number; confidence?: number; variant?: unknown }> {
  const r = run(['tag', '-', '--model', model, '--format', 'jsonl'], text);
  assert.equal(r.code, 0, r.stderr);
  const entities = JSON.parse(r.stdout.trim()).entities as Array<{ text: string; label: string; start: number; end: number }>;
  for (const e of entities) assert.equal(text.slice(e.start, e.end), e.text);
  return entities;
}

// The editor marks an entity under 0.5 confidence as uncertain; the example's drug must not be.
test('the example sentence: Ivacaftor = DRUG, above the uncertainty threshold', () => {
  const found = tagExample().find((e) => e.text === 'Ivacaftor' && e.label === 'DRUG') as { confidence?: number } | undefined;
  assert.ok(found, 'Ivacaftor tagged DRUG');
  assert.ok((found.confidence ?? 0) >= 0.5, `confidence ${found.confidence}`);
});

// The model itself tags only "fibrosis" (BC5CDR annotates "renal fibrosis" as "fibrosis", and the phrase is in
// neither BC5CDR train nor dev); the shipped terms.tsv (WordNet) extends it to the disease's whole name.
test('the example sentence: cystic fibrosis = DISEASE', () => {
  assert.ok(tagExample().some((e) => e.text === 'cystic fibrosis' && e.label === 'DISEASE'));
});

// Issue 20: sequence variants are VARIANT (the grammar of text/variants.ts), next to the model's labels.
const VARIANT_EXAMPLE = 'Patient with cystic fibrosis homozygous for ΔF508 started on Ivacaftor.';
const variantExampleLabels = (): string[] => tagExample(VARIANT_EXAMPLE).map((e) => `${e.text}/${e.label}`);

test('the variant sentence: ΔF508 = VARIANT (with its normalised form), cystic fibrosis = DISEASE', () => {
  const entities = tagExample(VARIANT_EXAMPLE);
  const labels = entities.map((e) => `${e.text}/${e.label}`);
  for (const expected of ['ΔF508/VARIANT', 'cystic fibrosis/DISEASE']) assert.ok(labels.includes(expected), labels.join(', '));
  assert.deepEqual(entities.find((e) => e.label === 'VARIANT')?.variant, { type: 'deletion', sequence: 'p', position: 508, wildtype: 'F' });
});

// Issues 16 and 20: "Ivacaftor" after "started on" as well as after "treated with", above the uncertainty threshold
// (the model shipped before missed it here; the title-case training copies brought it to 0.53: model card).
test('the variant sentence: Ivacaftor = DRUG, above the uncertainty threshold', () => {
  const found = tagExample(VARIANT_EXAMPLE).find((e) => e.text === 'Ivacaftor' && e.label === 'DRUG') as { confidence?: number } | undefined;
  assert.ok(found, variantExampleLabels().join(', '));
  assert.ok((found.confidence ?? 0) >= 0.5, `confidence ${found.confidence}`);
});

// The model alone tags "F508del" here as DRUG; the variant wins the overlap.
test('"one F508del allele": F508del is a VARIANT and nothing else', () => {
  const entities = tagExample('Patients with one F508del allele were treated.');
  assert.deepEqual(entities.filter((e) => e.text.includes('F508del')).map((e) => `${e.text}/${e.label}`), ['F508del/VARIANT']);
});

// Issue 23: a finding written in capitals inside a mixed-case sentence (read as written, the model takes it for no
// entity; read in lower case too, it is a DISEASE: tagging/caseView.ts).
test('a finding in capitals mid-sentence: SHORTNESS OF BREATH = DISEASE beside chest pain', () => {
  const labels = tagExample('She presented with SHORTNESS OF BREATH and chest pain.').map((e) => `${e.text}/${e.label}`);
  for (const expected of ['SHORTNESS OF BREATH/DISEASE', 'chest pain/DISEASE']) assert.ok(labels.includes(expected), labels.join(', '));
});

const percent = (x: number) => Math.round(x * 1000) / 10;

function evaluate(gold: string, extra: string[] = []): Record<string, any> {
  const r = run(['eval', '--model', model, '--label-map', 'Chemical=DRUG,Disease=DISEASE', '--json', gold, ...extra]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

function assertAboveFloor(report: Record<string, any>, floor: { overall: number; DISEASE: number; DRUG: number }, what = 'F1', key = 'f1'): void {
  const byType = Object.fromEntries(report.perType.map((t: Record<string, any>) => [t.label, percent(t[key])]));
  assert.ok(percent(report.overall[key]) >= floor.overall, `overall ${what} ${percent(report.overall[key])} < ${floor.overall}`);
  assert.ok(byType.DISEASE >= floor.DISEASE, `DISEASE ${what} ${byType.DISEASE} < ${floor.DISEASE}`);
  assert.ok(byType.DRUG >= floor.DRUG, `DRUG ${what} ${byType.DRUG} < ${floor.DRUG}`);
}

const haveAbstracts = existsSync(bc5cdrTestAbstracts) && bc5cdrTraining.every(existsSync);
test(
  'BC5CDR test abstracts: strict F1, unseen-mention recall and calibration stay within the model card floors',
  { skip: !haveAbstracts && `no ${bc5cdrTestAbstracts}` },
  () => {
    const report = evaluate(bc5cdrTestAbstracts, ['--unseen-from', ...bc5cdrTraining]);
    assertAboveFloor(report, FLOOR.abstracts);
    assertAboveFloor(report.seenUnseen.unseen, UNSEEN_RECALL_FLOOR, 'unseen recall', 'recall');
    assert.ok(report.calibration.ece <= CALIBRATION_CEILING.ece, `ECE ${report.calibration.ece} > ${CALIBRATION_CEILING.ece}`);
    const share = report.calibration.confidentFalsePositiveShare;
    assert.ok(share <= CALIBRATION_CEILING.confidentFalsePositiveShare, `false positives at >= 0.95: ${share}`);
  },
);

test('BC5CDR test abstracts in upper and in lower case: strict F1 stays at or above the floors', { skip: !haveAbstracts && `no ${bc5cdrTestAbstracts}` }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'bioner-cased-'));
  try {
    for (const mode of ['upper', 'lower'] as const) {
      const copy = join(dir, `${mode}.txt`);
      const r = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'recase-pubtator.mjs'), mode, bc5cdrTestAbstracts, copy], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assertAboveFloor(evaluate(copy), FLOOR[mode], `${mode}-case F1`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('BC5CDR test sentences: strict span F1 of the model alone stays at or above its floor', { skip: !existsSync(bc5cdrTest) && `no ${bc5cdrTest}` }, () => {
  assertAboveFloor(evaluate(bc5cdrTest), FLOOR.sentences);
});
