// The teach loop, measured (issue: "Teaching the model in the editor"): a user annotates a few mentions of names the
// model does not know, fine-tunes, and keeps working. From BC5CDR: the 10 Chemical names that occur in the dev and
// test gold mentions but never in train (most frequent in dev first); K dev abstracts holding the most of their
// mentions, where ONLY those mentions are annotated (partial sidecars, as the editor writes them); the shipped model
// fine-tuned on them with `bioner train --init-model` (self-labels on, the default). Reported: recall of the taught
// names in the test abstracts before/after, overall test F1 before/after (document level, strict, the whole
// pipeline), and the fine-tuning wall time. Run by `npm run bench`, or alone: `npx tsx bench/model-teach.ts [K...]`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { initEngine } from '../server/src/engine/backend';
import { evaluateSpans } from '../server/src/eval/spanMetrics';
import { PARTIAL_HEADER } from '../server/src/formats/review';
import { formatAnn } from '../server/src/formats/brat';
import { parsePubtator } from '../server/src/formats/pubtator';
import { loadTagger } from '../server/src/tagging/load';
import { tagText } from '../server/src/tagging/tagText';
import type { AnnotatedDocument, Span } from '../server/src/types';

const repo = resolve(__dirname, '..');
const data = resolve(process.env.BIONER_DATA ?? join(repo, '..', 'shared', 'data'), 'bc5cdr', 'pubtator');
const model = resolve(process.env.BIONER_BENCH_MODEL ?? join(repo, 'models', 'default'));
const sizes = process.argv.slice(2).map(Number).filter((k) => k > 0);
const Ks = sizes.length ? sizes : [5, 20];
const LABELS = new Map([['Chemical', 'DRUG'], ['Disease', 'DISEASE']]);

const read = (name: string): AnnotatedDocument[] =>
  parsePubtator(readFileSync(join(data, name), 'utf8'), name).map((d) => ({
    ...d,
    entities: d.entities.map((e) => ({ ...e, label: LABELS.get(e.label) ?? e.label })),
  }));
const train = read('CDR_TrainingSet.PubTator.txt');
const dev = read('CDR_DevelopmentSet.PubTator.txt');
const test = read('CDR_TestSet.PubTator.txt');

const mentions = (docs: AnnotatedDocument[], label: string) =>
  docs.flatMap((d) => d.entities.filter((e) => e.label === label).map((e) => d.text.slice(e.start, e.end).toLowerCase()));
const seen = new Set(mentions(train, 'DRUG'));
const testNames = new Set(mentions(test, 'DRUG'));
const devCounts = new Map<string, number>();
for (const m of mentions(dev, 'DRUG')) if (!seen.has(m) && testNames.has(m)) devCounts.set(m, (devCounts.get(m) ?? 0) + 1);
const names = [...devCounts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 10).map(([n]) => n);
const isTaught = (d: AnnotatedDocument, e: Span) => e.label === 'DRUG' && names.includes(d.text.slice(e.start, e.end).toLowerCase());

async function score(modelDir: string): Promise<{ f1: number; taughtRecall: number; taughtGold: number }> {
  const tagger = await loadTagger(modelDir);
  try {
    const predicted: Span[][] = [];
    for (const d of test) predicted.push((await tagText(tagger, d.text)).map(({ start, end, label }) => ({ start, end, label })));
    const overall = evaluateSpans(test.map((d) => d.entities), predicted).overall.f1;
    let found = 0;
    let gold = 0;
    test.forEach((d, i) => {
      for (const e of d.entities.filter((x) => isTaught(d, x))) {
        gold++;
        if (predicted[i].some((p) => p.start === e.start && p.end === e.end && p.label === e.label)) found++;
      }
    });
    return { f1: overall, taughtRecall: gold ? found / gold : 0, taughtGold: gold };
  } finally {
    tagger.dispose();
  }
}

async function main(): Promise<void> {
  await initEngine();
  const work = mkdtempSync(join(tmpdir(), 'bioner-teach-'));
  const metrics: object[] = [];
  try {
    process.stderr.write(`teach: names ${names.join(', ')}\n`);
    const before = await score(model);
    metrics.push({ metric: 'teach: test F1 before (document level)', value: round(100 * before.f1), unit: '%' });
    metrics.push({ metric: `teach: recall of the 10 taught names in test before (${before.taughtGold} mentions)`, value: round(100 * before.taughtRecall), unit: '%' });
    const ranked = dev
      .map((d) => ({ d, taught: d.entities.filter((e) => isTaught(d, e)) }))
      .filter((x) => x.taught.length)
      .sort((a, b) => b.taught.length - a.taught.length || a.d.id.localeCompare(b.d.id));
    for (const K of Ks) {
      const folder = join(work, `k${K}`);
      mkdirSync(folder);
      for (const { d, taught } of ranked.slice(0, K)) {
        writeFileSync(join(folder, `${d.id}.txt`), d.text);
        writeFileSync(join(folder, `${d.id}.ann`), `${PARTIAL_HEADER}\n${formatAnn(d.text, taught)}`);
      }
      const out = join(work, `model-k${K}`);
      const started = performance.now();
      const run = spawnSync(
        process.execPath,
        [join(repo, 'dist', 'cli.js'), 'train', '--init-model', model, '--train', folder, '--out', out, '--epochs', '8', '--lr', '0.002'],
        { encoding: 'utf8' },
      );
      const seconds = (performance.now() - started) / 1000;
      if (run.status !== 0) throw new Error(`bioner train failed (K=${K}): ${run.stderr.slice(-2000)}`);
      const after = await score(out);
      const documents = Math.min(K, ranked.length);
      metrics.push({ metric: `teach K=${documents}: fine-tuning time`, value: round(seconds), unit: 's', target: '<= 60' });
      metrics.push({
        metric: `teach K=${documents}: taught names' recall in test, after (before ${round(100 * before.taughtRecall)})`,
        value: round(100 * after.taughtRecall),
        unit: '%',
        ...(K >= 20 ? { target: `>= ${round(100 * before.taughtRecall + 30)}` } : {}),
      });
      metrics.push({
        metric: `teach K=${documents}: test F1 after (before ${round(100 * before.f1)})`,
        value: round(100 * after.f1),
        unit: '%',
        target: `>= ${round(100 * before.f1 - 0.5)}`,
      });
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  console.log(JSON.stringify({ metrics }));
}

void main();

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
