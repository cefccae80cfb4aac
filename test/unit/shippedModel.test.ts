// The shipped model (models/default): the example sentence, and regression guards on BC5CDR test. The floors sit
// just under the figures measured when the model was trained (models/default/MODEL_CARD.md); a model that scores
// below them must not ship.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { repoRoot } from '../fixtures/bulk/cli';
import { spawnSync } from 'node:child_process';

const model = join(repoRoot, 'models', 'default');
const cli = join(repoRoot, 'dist', 'cli.js');
const bc5cdr = join(resolve(repoRoot, process.env.BIONER_DATA ?? join('..', 'shared', 'data')), 'bc5cdr');
const bc5cdrTest = join(bc5cdr, 'test.tsv');
const bc5cdrTestAbstracts = join(bc5cdr, 'pubtator', 'CDR_TestSet.PubTator.txt');

/** Strict span F1 floors on BC5CDR test (percent). */
const FLOOR = {
  // The abstracts tagged from their text, as the editor and `bioner tag` do: the tokenizer, the model with its
  // terms.tsv, then the document pass (abbreviations, repeats).
  abstracts: { overall: 85.1, DISEASE: 79.8, DRUG: 89.3 }, // measured 85.49 / 80.32 / 89.82
  // The IOB copy's sentences, each tagged on its own tokens: the model alone, with no document around it.
  sentences: { overall: 83.1, DISEASE: 77.9, DRUG: 87.4 }, // measured 83.57 / 78.40 / 87.92
};

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

function tagExample(text = EXAMPLE): Array<{ text: string; label: string; start: number; end: number; variant?: unknown }> {
  const r = run(['tag', '-', '--model', model, '--format', 'jsonl'], text);
  assert.equal(r.code, 0, r.stderr);
  const entities = JSON.parse(r.stdout.trim()).entities as Array<{ text: string; label: string; start: number; end: number }>;
  for (const e of entities) assert.equal(text.slice(e.start, e.end), e.text);
  return entities;
}

test('the example sentence: Ivacaftor = DRUG', () => {
  assert.ok(tagExample().some((e) => e.text === 'Ivacaftor' && e.label === 'DRUG'));
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

// The shipped model tags "Ivacaftor" after "treated with" (above) but not after "started on", with or without the
// variant in the sentence ("Patient with cystic fibrosis started on Ivacaftor." too): a miss of the model itself,
// left for its retraining (issue 20 asks for it; the VARIANT pass does not touch non-overlapping entities).
test('the variant sentence: Ivacaftor = DRUG', { todo: 'the shipped model misses "Ivacaftor" after "started on"' }, () => {
  assert.ok(variantExampleLabels().includes('Ivacaftor/DRUG'), variantExampleLabels().join(', '));
});

// The model alone tags "F508del" here as DRUG; the variant wins the overlap.
test('"one F508del allele": F508del is a VARIANT and nothing else', () => {
  const entities = tagExample('Patients with one F508del allele were treated.');
  assert.deepEqual(entities.filter((e) => e.text.includes('F508del')).map((e) => `${e.text}/${e.label}`), ['F508del/VARIANT']);
});

function assertAboveFloor(gold: string, floor: { overall: number; DISEASE: number; DRUG: number }): void {
  const r = run(['eval', '--model', model, '--label-map', 'Chemical=DRUG,Disease=DISEASE', '--json', gold]);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  const f1 = (s: { f1: number }) => Math.round(s.f1 * 1000) / 10;
  const byType = Object.fromEntries(report.perType.map((t: { label: string; f1: number }) => [t.label, f1(t)]));
  assert.ok(f1(report.overall) >= floor.overall, `overall F1 ${f1(report.overall)} < ${floor.overall}`);
  assert.ok(byType.DISEASE >= floor.DISEASE, `DISEASE F1 ${byType.DISEASE} < ${floor.DISEASE}`);
  assert.ok(byType.DRUG >= floor.DRUG, `DRUG F1 ${byType.DRUG} < ${floor.DRUG}`);
}

test('BC5CDR test abstracts: strict span F1 stays at or above the model card floor', { skip: !existsSync(bc5cdrTestAbstracts) && `no ${bc5cdrTestAbstracts}` }, () => {
  assertAboveFloor(bc5cdrTestAbstracts, FLOOR.abstracts);
});

test('BC5CDR test sentences: strict span F1 of the model alone stays at or above its floor', { skip: !existsSync(bc5cdrTest) && `no ${bc5cdrTest}` }, () => {
  assertAboveFloor(bc5cdrTest, FLOOR.sentences);
});
