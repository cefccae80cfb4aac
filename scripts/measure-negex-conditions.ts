// How many of the clinical conditions annotated in the NegEx dev sentences (../shared/data/negex/annotations-dev.tsv,
// discharge-summary sentences; see its README) does a DISEASE entity overlap? Each sentence is tagged as its own
// document by `bioner tag` (JSONL on stdin: the whole pipeline, document passes included), and the condition (found
// in its sentence by formats/negexTsv.ts) is checked against the DISEASE entities. Printed for all
// sentences, for the mostly upper-case ones (more upper- than lower-case letters) and the others; "exact" counts
// entities with exactly the condition's span.
// Usage: npx tsx scripts/measure-negex-conditions.ts [--model DIR] [--data DATA_DIR] [--cli dist/cli.js] [--misses N]
// (after npm run build)
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseNegexTsv } from '../server/src/formats/negexTsv';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const repo = join(__dirname, '..');
const dataDir = resolve(option('--data') ?? process.env.BIONER_DATA ?? join(repo, '..', 'shared', 'data'));
const model = resolve(option('--model') ?? join(repo, 'models', 'default'));
const showMisses = Number(option('--misses') ?? 0);
/** Another build's CLI (e.g. an older commit's, to compare); the rows are read by this one's code either way. */
const cli = resolve(option('--cli') ?? join(repo, 'dist', 'cli.js'));
const file = join(dataDir, 'negex', 'annotations-dev.tsv');

const rows = parseNegexTsv(readFileSync(file, 'utf8'), file);

const input = rows.map((r) => JSON.stringify({ id: r.id, text: r.text })).join('\n') + '\n';
const run = spawnSync(process.execPath, [cli, 'tag', '-', '--model', model], { input, encoding: 'utf8', maxBuffer: 256 << 20 });
if (run.status !== 0) {
  process.stderr.write(run.stderr);
  process.exit(1);
}
const entitiesById = new Map<string, Array<{ start: number; end: number; label: string }>>();
for (const line of run.stdout.split('\n')) if (line.trim()) {
  const record = JSON.parse(line);
  entitiesById.set(record.id, record.entities);
}

const mostlyUpper = (s: string) => (s.match(/\p{Lu}/gu)?.length ?? 0) > (s.match(/\p{Ll}/gu)?.length ?? 0);
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
console.log(`${file}: ${rows.length} conditions; ${cli} with model ${model}`);
console.log('sentences             conditions  overlapped by DISEASE  exact span');
for (const [name, g] of Object.entries({ 'all': groups.all, 'mostly upper case': groups.upper, 'other': groups.other })) {
  console.log(`${name.padEnd(22)}${String(g.n).padStart(10)}  ${pct(g.overlap, g.n).padStart(20)}%  ${pct(g.exact, g.n).padStart(9)}%`);
}
for (const miss of misses.slice(0, showMisses)) console.log(`miss\t${miss}`);
