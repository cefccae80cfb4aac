// The teach loop, measured (issue: "Teaching the model in the editor"): a user annotates a few mentions of names the
// model does not know, fine-tunes, and keeps working. From BC5CDR: the 10 Chemical names that occur in the dev and
// test gold mentions but never in train, at least 5 characters long, that the model finds in fewer than half of their
// dev mentions (the most frequent first; test is not looked at to choose them); K dev abstracts holding the most of their
// mentions, where ONLY those mentions are annotated (partial sidecars, as the editor writes them); the shipped model
// fine-tuned on them with `bioner train --init-model` as the editor runs it (TEACH_TRAIN_ARGS; new words' own
// embeddings, soft self-labels and the model's rehearsal.conll, the defaults; BIONER_TEACH_EPOCHS, default 15 as
// bioner.fineTune.epochs). Reported: recall of the taught names in the test abstracts before/after, overall test F1
// before/after (document level, strict, the whole pipeline), F1 on the dev abstracts not fine-tuned on, and the
// fine-tuning wall time. Run by `npm run bench`, or alone: `npx tsx bench/model-teach.ts [K...]`. Settings are chosen with
// BIONER_TEACH_TUNE=1 (dev only, below); runs are repeatable (bioner train's --seed, default 1, also seeds dropout), and
// BIONER_TEACH_ARGS="--seed 2" gives another.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { initEngine } from '../server/src/engine/backend';
import { evaluateSpans } from '../server/src/eval/spanMetrics';
import { PARTIAL_HEADER } from '../server/src/formats/review';
import { formatAnn } from '../server/src/formats/brat';
import { parsePubtator } from '../server/src/formats/pubtator';
import { loadPasses, loadTagger } from '../server/src/tagging/load';
import { tagDocument } from '../server/src/tagging/pipeline';
import { TEACH_TRAIN_ARGS } from '../server/src/train/teachArgs';
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
const candidates = new Set(devCounts.keys());
const mentionText = (d: AnnotatedDocument, e: Span) => d.text.slice(e.start, e.end).toLowerCase();
// As the editor runs it: bioner.fineTune.epochs (15) and the arguments Fine-tune on Workspace Annotations passes.
const epochs = process.env.BIONER_TEACH_EPOCHS ?? '15';
/** More `bioner train` arguments, after the editor's (a later flag wins), e.g. BIONER_TEACH_ARGS="--seed 2". */
const extraArgs = (process.env.BIONER_TEACH_ARGS ?? '').split(' ').filter(Boolean);
/** BIONER_TEACH_TUNE=1: dev only, never test (what settings are chosen on): the K abstracts hold all the names' dev
 *  mentions, so they are split in FOLDS; each fold's model is taught on the others and the taught names' recall is
 *  measured on the fold's mentions of names taught there; F1 on the dev abstracts none of the K is. */
const tuning = process.env.BIONER_TEACH_TUNE === '1';
const FOLDS = 3;
/** BIONER_TEACH_KEEP=1: keep the training documents and the fine-tuned models (their folder is printed). */
const keep = process.env.BIONER_TEACH_KEEP === '1';

/** Tags the documents with a model: each document's entities (the whole pipeline, as the editor shows them). */
async function tagAll(modelDir: string, docs: AnnotatedDocument[]): Promise<Span[][]> {
  const tagger = await loadTagger(modelDir);
  const passes = loadPasses(modelDir);
  try {
    const predicted: Span[][] = [];
    for (const d of docs) predicted.push((await tagDocument(tagger, d.text, { passes })).entities.map(({ start, end, label }) => ({ start, end, label })));
    return predicted;
  } finally {
    tagger.dispose();
  }
}

/** Document-level strict F1 of predictions against the documents' gold entities. */
const f1Of = (docs: AnnotatedDocument[], predicted: Span[][]) => evaluateSpans(docs.map((d) => d.entities), predicted).overall.f1;

type Recall = { found: number; gold: number };

/** Recall per lower-cased DRUG mention text of `names`. */
function recallByName(docs: AnnotatedDocument[], predicted: Span[][], names: Set<string>) {
  const recall = new Map<string, Recall>();
  docs.forEach((d, i) => {
    for (const e of d.entities.filter((x) => x.label === 'DRUG' && names.has(mentionText(d, x)))) {
      const r = recall.get(mentionText(d, e)) ?? { found: 0, gold: 0 };
      r.gold++;
      if (predicted[i].some((p) => p.start === e.start && p.end === e.end && p.label === e.label)) r.found++;
      recall.set(mentionText(d, e), r);
    }
  });
  return recall;
}

function recallOf(recall: Map<string, Recall>, names: string[]): { recall: number; gold: number } {
  const sum = names.reduce((acc, n) => ({ found: acc.found + (recall.get(n)?.found ?? 0), gold: acc.gold + (recall.get(n)?.gold ?? 0) }), { found: 0, gold: 0 });
  return { recall: sum.gold ? sum.found / sum.gold : 0, gold: sum.gold };
}

const recallPct = (r: Recall) => round((100 * r.found) / Math.max(1, r.gold));

async function main(): Promise<void> {
  await initEngine();
  const work = mkdtempSync(join(tmpdir(), 'bioner-teach-'));
  const metrics: object[] = [];
  try {
    // Forgetting is measured on every fifth dev abstract (to be quick); choosing the names needs those with a candidate.
    const holdsCandidate = (d: AnnotatedDocument) => d.entities.some((e) => e.label === 'DRUG' && candidates.has(mentionText(d, e)));
    const scoredDev = dev.map((d, i) => i % 5 === 0 || holdsCandidate(d));
    const devBefore: Span[][] = dev.map(() => []);
    const tagged = await tagAll(model, dev.filter((_, i) => scoredDev[i]));
    dev.forEach((_, i) => scoredDev[i] && (devBefore[i] = tagged.shift()!));
    const onDev = recallByName(dev, devBefore, candidates);
    const devRecall = (n: string) => onDev.get(n)!.found / onDev.get(n)!.gold;
    // Names (5 characters or more: not "p" or "cm") the model mostly misses in dev, the most frequent first.
    const names = [...candidates]
      .filter((n) => n.length >= 5 && devRecall(n) < 0.5)
      .sort((a, b) => devCounts.get(b)! - devCounts.get(a)! || devRecall(a) - devRecall(b) || a.localeCompare(b))
      .slice(0, 10);
    const taughtNames = new Set(names);
    const isTaught = (d: AnnotatedDocument, e: Span) => e.label === 'DRUG' && taughtNames.has(mentionText(d, e));
    process.stderr.write(`teach: names ${names.map((n) => `${n} (dev recall ${round(100 * devRecall(n))}%)`).join(', ')}\n`);
    const ranked = dev
      .map((d, i) => ({ d, i, taught: d.entities.filter((e) => isTaught(d, e)) }))
      .filter((x) => x.taught.length)
      .sort((a, b) => b.taught.length - a.taught.length || a.d.id.localeCompare(b.d.id));

    /** Fine-tunes the shipped model on the abstracts, only the taught mentions annotated; the model and the time. */
    const teach = (chosen: typeof ranked, name: string) => {
      const folder = join(work, name);
      mkdirSync(folder);
      for (const { d, taught } of chosen) {
        writeFileSync(join(folder, `${d.id}.txt`), d.text);
        writeFileSync(join(folder, `${d.id}.ann`), `${PARTIAL_HEADER}\n${formatAnn(d.text, taught)}`);
      }
      const out = join(work, `model-${name}`);
      const started = performance.now();
      const run = spawnSync(
        process.execPath,
        [join(repo, 'dist', 'cli.js'), 'train', '--init-model', model, '--train', folder, '--out', out, '--epochs', epochs, ...TEACH_TRAIN_ARGS, ...extraArgs],
        { encoding: 'utf8' },
      );
      const seconds = (performance.now() - started) / 1000;
      if (run.status !== 0) throw new Error(`bioner train failed (${name}): ${run.stderr.slice(-2000)}`);
      return { out, seconds };
    };
    /** F1 before/after on every fifth dev abstract that is none of `trainedOn`: what the model forgot. */
    const otherDevF1 = async (trainedOn: Set<number>, out: string) => {
      const other = (_: unknown, i: number) => !trainedOn.has(i) && i % 5 === 0;
      const otherDev = dev.filter(other);
      return { abstracts: otherDev.length, before: f1Of(otherDev, devBefore.filter(other)), after: f1Of(otherDev, await tagAll(out, otherDev)) };
    };

    if (tuning) {
      for (const K of Ks) {
        const chosen = ranked.slice(0, K);
        const all = new Set(chosen.map((x) => x.i));
        const before: Recall = { found: 0, gold: 0 };
        const after: Recall = { found: 0, gold: 0 };
        const f1: { abstracts: number; before: number; after: number }[] = [];
        const seconds: number[] = [];
        for (let f = 0; f < FOLDS; f++) {
          const held = chosen.filter((_, j) => j % FOLDS === f);
          const taughtOn = chosen.filter((_, j) => j % FOLDS !== f);
          // Only the names this fold's model was taught: the others' held-out mentions measure no lesson.
          const lesson = new Set(taughtOn.flatMap(({ d, taught }) => taught.map((e) => mentionText(d, e))));
          const run = teach(taughtOn, `k${K}-fold${f}`);
          seconds.push(run.seconds);
          const heldDocs = held.map((x) => x.d);
          const heldAfter = await tagAll(run.out, heldDocs);
          const was = recallByName(heldDocs, held.map((x) => devBefore[x.i]), lesson);
          const now = recallByName(heldDocs, heldAfter, lesson);
          for (const n of lesson) {
            before.found += was.get(n)?.found ?? 0;
            before.gold += was.get(n)?.gold ?? 0;
            after.found += now.get(n)?.found ?? 0;
            after.gold += now.get(n)?.gold ?? 0;
          }
          f1.push(await otherDevF1(all, run.out));
          process.stderr.write(`teach: K=${chosen.length} fold ${f + 1}/${FOLDS}: held-out recall ${now.size ? [...now].map(([n, r]) => `${n} ${r.found}/${r.gold}`).join(', ') : '-'}; dev F1 ${round(100 * f1[f].after)}; ${round(run.seconds)} s\n`);
        }
        const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
        const label = `teach K=${chosen.length} (${FOLDS} folds, dev only)`;
        metrics.push({ metric: `${label}: fine-tuning time, slowest fold`, value: round(Math.max(...seconds)), unit: 's' });
        metrics.push({
          metric: `${label}: taught names' recall in the held-out dev abstracts, after (before ${recallPct(before)}; ${after.gold} mentions)`,
          value: recallPct(after),
          unit: '%',
        });
        metrics.push({
          metric: `${label}: F1 on ${f1[0].abstracts} dev abstracts none of the ${chosen.length} is, after, mean of folds (before ${round(100 * f1[0].before)})`,
          value: round(100 * mean(f1.map((x) => x.after))),
          unit: '%',
        });
      }
    } else {
      const testBefore = await tagAll(model, test);
      const before = { f1: f1Of(test, testBefore), ...recallOf(recallByName(test, testBefore, taughtNames), names) };
      metrics.push({ metric: 'teach: test F1 before (document level)', value: round(100 * before.f1), unit: '%' });
      metrics.push({ metric: `teach: recall of the 10 taught names in test before (${before.gold} mentions)`, value: round(100 * before.recall), unit: '%' });
      for (const K of Ks) {
        const chosen = ranked.slice(0, K);
        const documents = chosen.length;
        const { out, seconds } = teach(chosen, `k${K}`);
        const devF1 = await otherDevF1(new Set(chosen.map((x) => x.i)), out);
        metrics.push({ metric: `teach K=${documents}: fine-tuning time`, value: round(seconds), unit: 's', target: '<= 60' });
        metrics.push({
          metric: `teach K=${documents}: F1 on ${devF1.abstracts} dev abstracts not fine-tuned on, after (before ${round(100 * devF1.before)})`,
          value: round(100 * devF1.after),
          unit: '%',
        });
        const testAfter = await tagAll(out, test);
        const after = { f1: f1Of(test, testAfter), ...recallOf(recallByName(test, testAfter, taughtNames), names) };
        metrics.push({
          metric: `teach K=${documents}: taught names' recall in test, after (before ${round(100 * before.recall)})`,
          value: round(100 * after.recall),
          unit: '%',
          ...(K >= 20 ? { target: `>= ${round(100 * before.recall + 30)}` } : {}),
        });
        metrics.push({
          metric: `teach K=${documents}: test F1 after (before ${round(100 * before.f1)})`,
          value: round(100 * after.f1),
          unit: '%',
          target: `>= ${round(100 * before.f1 - 0.5)}`,
        });
      }
    }
  } finally {
    if (keep) process.stderr.write(`teach: the documents and models are kept in ${work}\n`);
    else rmSync(work, { recursive: true, force: true });
  }
  console.log(JSON.stringify({ metrics }));
}

void main();

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
