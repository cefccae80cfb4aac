// Assertions in every output: JSONL, inline and BRAT attributes (written and read back), `bioner assert` and
// `bioner eval-assertion` through the built CLI (dist/cli.js; scripts/test.mjs builds it).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { renderBrat, renderInline, renderJsonl, type TaggedDocument } from '../../server/src/bulk/render';
import { formatAnn, parseAnn } from '../../server/src/formats/brat';
import { formatJsonl, parseJsonl } from '../../server/src/formats/jsonl';
import { parseNegexTsv } from '../../server/src/formats/negexTsv';
import type { Assertion, EntityPrediction } from '../../server/src/types';

const root = join(__dirname, '..', '..');
const cli = join(root, 'dist', 'cli.js');
const scratch = mkdtempSync(join(tmpdir(), 'bioner-assert-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
before(() => {
  if (!existsSync(cli)) spawnSync(process.execPath, ['esbuild.mjs'], { cwd: root, stdio: 'ignore' });
});

function bioner(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: scratch, input });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const assertion = (negation: Assertion['negation'], temporality: Assertion['temporality'], experiencer: Assertion['experiencer']): Assertion => ({
  negation,
  temporality,
  experiencer,
  triggers: {},
});

const text = 'Denies chest pain. Mother had breast cancer. Possible pneumonia, history of gout. Fever.';
function entity(mention: string, a?: Assertion): EntityPrediction {
  const start = text.indexOf(mention);
  return { start, end: start + mention.length, label: 'DISEASE', text: mention, confidence: 0.9, ...(a ? { assertion: a } : {}) };
}
const entities = [
  entity('chest pain', assertion('negated', 'recent', 'patient')),
  entity('breast cancer', assertion('affirmed', 'historical', 'other')),
  entity('pneumonia', assertion('possible', 'hypothetical', 'patient')),
  entity('gout', assertion('affirmed', 'recent', 'patient')),
  entity('Fever'),
];
const doc: TaggedDocument = { file: 'a.txt', text, sentences: [], entities };

test('BRAT: attribute lines follow each entity (A1<TAB>Negated T1, Experiencer T2 Other) and are read back', () => {
  const ann = renderBrat(doc);
  assert.equal(
    ann,
    [
      'T1\tDISEASE 7 17\tchest pain',
      'A1\tNegated T1',
      'T2\tDISEASE 30 43\tbreast cancer',
      'A2\tHistorical T2',
      'A3\tExperiencer T2 Other',
      'T3\tDISEASE 54 63\tpneumonia',
      'A4\tPossible T3',
      'A5\tHypothetical T3',
      'T4\tDISEASE 76 80\tgout',
      'T5\tDISEASE 82 87\tFever',
      '',
    ].join('\n'),
  );
  const read = parseAnn(ann, text, 'a.ann').entities;
  assert.deepEqual(
    read.map((e) => e.assertion),
    [assertion('negated', 'recent', 'patient'), assertion('affirmed', 'historical', 'other'), assertion('possible', 'hypothetical', 'patient'), undefined, undefined],
  );
  // Attributes of a project's own names and lines in any order are fine; a name's case does not matter.
  const foreign = 'A9\tnegated T2\nT1\tDISEASE 7 17\tchest pain\nA1\tSeverity T1 High\nT2\tDISEASE 82 87\tFever\n';
  assert.deepEqual(parseAnn(foreign, text, 'b.ann').entities.map((e) => e.assertion?.negation), [undefined, 'negated']);
  assert.equal(formatAnn(text, read), ann, 'BRAT -> BRAT is the identity');
});

test('JSONL: `bioner tag` output carries the assertion; the JSONL reader and writer keep it', () => {
  const line = JSON.parse(renderJsonl(doc));
  assert.deepEqual(line.entities[0].assertion, assertion('negated', 'recent', 'patient'));
  assert.equal(line.entities[4].assertion, undefined);
  const documents = [{ id: 'a', text, entities: entities.map(({ start, end, label, assertion: a }) => ({ start, end, label, ...(a ? { assertion: a } : {}) })) }];
  const written = formatJsonl(documents);
  assert.deepEqual(parseJsonl(written, 'x.jsonl'), documents);
  assert.throws(() => parseJsonl(written.replace('"negated"', '"nope"'), 'x.jsonl'), /x\.jsonl:1: entity 1: "assertion.negation" must be one of/);
});

test('inline: the values that are not the defaults follow the label', () => {
  assert.equal(
    renderInline(doc),
    'Denies [chest pain/DISEASE negated]. Mother had [breast cancer/DISEASE historical other]. ' +
      'Possible [pneumonia/DISEASE possible hypothetical], history of [gout/DISEASE]. [Fever/DISEASE].\n',
  );
});

test('JSONL -> BRAT -> JSONL through `bioner convert` keeps the assertions', () => {
  const documents = [{ id: 'a', text, entities: entities.map(({ start, end, label, assertion: a }) => ({ start, end, label, ...(a ? { assertion: a } : {}) })) }];
  // gout's default assertion has no attribute line: it comes back without one.
  const expected = documents.map((d) => ({ ...d, entities: d.entities.map((e) => (e.label && e.start === text.indexOf('gout') ? { start: e.start, end: e.end, label: e.label } : e)) }));
  writeFileSync(join(scratch, 'in.jsonl'), formatJsonl(documents));
  assert.equal(bioner(['convert', 'in.jsonl', 'brat-out']).status, 0);
  assert.match(readFileSync(join(scratch, 'brat-out', 'a.ann'), 'utf8'), /^A1\tNegated T1$/m);
  assert.equal(bioner(['convert', 'brat-out', 'back.jsonl']).status, 0);
  assert.deepEqual(parseJsonl(readFileSync(join(scratch, 'back.jsonl'), 'utf8'), 'back.jsonl'), expected);
});

test('`bioner assert` adds the assertion to given spans, keeps every other field, and names the line of bad input', () => {
  const input =
    JSON.stringify({ id: 'n1', text: 'Denies chest pain. Pneumonia was ruled out.', entities: [{ start: 19, end: 28, label: 'DISEASE', score: 3 }, { start: 7, end: 17 }], source: 'x' }) +
    '\n\n' +
    JSON.stringify({ id: 'n2', text: 'Her father had a stroke.', entities: [{ start: 17, end: 23 }] }) +
    '\n';
  writeFileSync(join(scratch, 'spans.jsonl'), input);
  const run = bioner(['assert', 'spans.jsonl']);
  assert.equal(run.status, 0, run.stderr);
  const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, 2);
  assert.equal(lines[0].source, 'x');
  assert.deepEqual(lines[0].entities.map((e: { score?: number }) => e.score), [3, undefined]);
  assert.deepEqual(lines[0].entities[0].assertion.triggers.negation, { text: 'was ruled out', start: 29, end: 42, source: 'trigger' });
  assert.equal(lines[0].entities[1].assertion.negation, 'negated', 'entities out of order are matched to their own assertion');
  assert.equal(lines[1].entities[0].assertion.experiencer, 'other');
  assert.deepEqual(JSON.parse(bioner(['assert', '-'], input).stdout.split('\n')[0]), lines[0], 'stdin gives the same');
  const bad = bioner(['assert', '-'], '{"text": "abc", "entities": [{"start": 1, "end": 9}]}\n');
  assert.equal(bad.status, 1);
  assert.equal(bad.stderr, 'bioner: <stdin>:1: entity 1: offset 9 is past the end of the text (3 characters)\n');
});

const TSV = [
  'line number\tCondition\tsentence\tnegation_status\ttemporality\texperiencer',
  '1\tchest pain\tDenies CHEST PAIN.\tNegated\tRecent\tPatient',
  '2\tfever\tNo rash but FEVER.\tAffirmed\tRecent\tPatient',
  '3\tasthma\tHistory of   ASTHMA.\tAffirmed\tHistorical\tPatient',
  '4\tcough\tReturn if COUGH worsens.\tAffirmed\tNot particular\tPatient',
  '5\tstroke\tHis father had a STROKE.\tAffirmed\tRecent\tFamily member',
  '6\tgout\tGOUT.\tAffirmed\tHistorical\tPatient',
].join('\n');

test('the NegEx TSV: the condition is found whatever its case and spacing; bad rows name their line', () => {
  const rows = parseNegexTsv(TSV, 'd.tsv');
  assert.deepEqual(rows.map((r) => r.text.slice(r.entity.start, r.entity.end)), ['CHEST PAIN', 'FEVER', 'ASTHMA', 'COUGH', 'STROKE', 'GOUT']);
  assert.deepEqual(rows.map((r) => r.gold.temporality), ['recent', 'recent', 'historical', 'hypothetical', 'recent', 'historical']);
  assert.throws(() => parseNegexTsv(TSV.replace('Negated', 'Maybe'), 'd.tsv'), /d\.tsv:2: unknown negation status "Maybe"/);
  assert.throws(() => parseNegexTsv(TSV.replace('\tstroke\t', '\tmigraine\t'), 'd.tsv'), /d\.tsv:6: the condition "migraine" does not occur/);
});

test('`bioner eval-assertion` prints P/R/F1 per class and accuracy per property', () => {
  writeFileSync(join(scratch, 'd.tsv'), TSV);
  const run = bioner(['eval-assertion', 'd.tsv', '--json']);
  assert.equal(run.status, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  const cls = (property: string, value: string) => report.classes.find((c: { property: string; value: string }) => c.property === property && c.value === value);
  assert.deepEqual([cls('negation', 'negated').precision, cls('negation', 'negated').recall], [1, 1]);
  // "GOUT." alone says nothing of its history: one of two historical rows found.
  assert.deepEqual([cls('temporality', 'historical').precision, cls('temporality', 'historical').recall], [1, 0.5]);
  assert.equal(cls('temporality', 'hypothetical').f1, 1);
  assert.equal(cls('experiencer', 'other').f1, 1);
  assert.equal(report.accuracy.temporality, 5 / 6);
  const table = bioner(['eval-assertion', 'd.tsv', '--show-errors']).stdout;
  assert.match(table, /^negation +negated +100\.00 +100\.00 +100\.00 +1 +1 +1$/m);
  assert.match(table, /d\.tsv:7: temporality recent \(gold historical\): \[GOUT\] GOUT\./);
});
