// How many of the clinical conditions annotated in the NegEx dev sentences (../shared/data/negex/annotations-dev.tsv,
// discharge-summary sentences; see its README) does a DISEASE entity overlap? Each sentence is tagged as its own
// document by `bioner tag` (JSONL on stdin: the whole pipeline, document passes included), and the condition (found
// in its sentence by formats/negexTsv.ts) is checked against the DISEASE entities. Printed for all
// sentences, for the mostly upper-case ones (more upper- than lower-case letters) and the others; "exact" counts
// entities with exactly the condition's span. --as-written tags each sentence with its condition in the case of the
// Condition column, the note's own (the annotators wrote every condition in capitals into its sentence); the groups
// stay those of the sentence as annotated.
// Usage: npx tsx scripts/measure-negex-conditions.ts [--model DIR] [--data DATA_DIR] [--cli dist/cli.js] [--misses N]
//   [--as-written]
// (after npm run build)
import { readFileSync } from 'node:fs';
import { parseNegexTsv } from '../server/src/formats/negexTsv';
import { asWritten, conditionColumn, mostlyUpper, negexRunOptions, tagDocuments } from './negexRun';

const options = negexRunOptions(process.argv.slice(2));
const { file, model, cli } = options;
const showMisses = Number(options.option('--misses') ?? 0);

const content = readFileSync(file, 'utf8');
const rows = parseNegexTsv(content, file);
const written = process.argv.includes('--as-written') ? conditionColumn(content) : undefined;
const entitiesById = tagDocuments(
  options,
  rows.map((r) => ({ id: r.id, text: written ? asWritten(r.text, r.entity, written.get(r.id) ?? '') : r.text })),
);

const groups = { all: { n: 0, overlap: 0, exact: 0 }, upper: { n: 0, overlap: 0, exact: 0 }, other: { n: 0, overlap: 0, exact: 0 } };
const misses: string[] = [];
for (const row of rows) {
  const span = row.entity;
  const diseases = (entitiesById.get(row.id) ?? []).filter((e) => e.label === 'DISEASE');
  const overlap = diseases.some((e) => e.start < span.end && span.start < e.end);
  const exact = diseases.some((e) => e.start === span.start && e.end === span.end);
  for (const group of [groups.all, mostlyUpper(row.text) ? groups.upper : groups.other]) {
    group.n++;
    if (overlap) group.overlap++;
    if (exact) group.exact++;
  }
  if (!overlap) misses.push(`${row.id}\t${row.text.slice(span.start, span.end)}\t${row.text}`);
}

const pct = (k: number, n: number) => (n ? ((100 * k) / n).toFixed(1) : '-');
console.log(`${file}: ${rows.length} conditions${written ? ', each as the Condition column writes it' : ''}; ${cli} with model ${model}`);
console.log('sentences             conditions  overlapped by DISEASE  exact span');
for (const [name, g] of Object.entries({ 'all': groups.all, 'mostly upper case': groups.upper, 'other': groups.other })) {
  console.log(`${name.padEnd(22)}${String(g.n).padStart(10)}  ${pct(g.overlap, g.n).padStart(20)}%  ${pct(g.exact, g.n).padStart(9)}%`);
}
for (const miss of misses.slice(0, showMisses)) console.log(`miss\t${miss}`);
