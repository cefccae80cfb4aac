// Cost of the assertion pass (server/src/tagging/assertion/: ConText over every entity), the last document pass, which
// runs wherever text is tagged. Run by `npm run bench`, or alone: `npx tsx bench/model-assertion.ts`. The input is
// BC5CDR dev's abstracts, split into sentences by the tokenizer, with their gold mentions as the entities (the real
// density of entities). First on sentences it has not seen (bulk tagging: warmed up on the training abstracts), then
// again (the language server's rerun after an edit: the sentences' triggers are cached by sentence text). The first
// cost per whitespace token, set against the 1-worker bulk tagging throughput of the same bench run
// (BIONER_BENCH_BULK_TOKENS_PER_S, which `npm run bench` passes), is the share of bulk tagging time it adds; the second
// gives what it adds to a language-server edit.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parsePubtator } from '../server/src/formats/pubtator';
import { assertionPass } from '../server/src/tagging/passes/assertion';
import { tokenize } from '../server/src/text/tokenizer';
import type { EntityPrediction } from '../server/src/types';

const folder = join(resolve(process.env.BIONER_DATA ?? join(__dirname, '..', '..', 'shared', 'data')), 'bc5cdr', 'pubtator');
const read = (name: string) => parsePubtator(readFileSync(join(folder, name), 'utf8'), name).map((d) => ({
  text: d.text,
  sentences: tokenize(d.text).map((s) => ({ start: s.start, end: s.end })),
  entities: d.entities.map((e): EntityPrediction => ({ ...e, text: d.text.slice(e.start, e.end), confidence: 0.9 })),
}));
const documents = read('CDR_DevelopmentSet.PubTator.txt');
const warmUp = read('CDR_TrainingSet.PubTator.txt');
const tokens = documents.reduce((n, d) => n + d.text.split(/\s+/).filter(Boolean).length, 0);
const entities = documents.reduce((n, d) => n + d.entities.length, 0);

type Doc = (typeof documents)[number];
const runAll = (docs: Doc[]) => docs.forEach((d) => assertionPass.run({ text: d.text, sentences: d.sentences }, d.entities));
const time = (run: () => void): number => {
  const t = performance.now();
  run();
  return performance.now() - t;
};

runAll(warmUp); // the JIT settles on other abstracts
const ms = time(() => runAll(documents));
const again = time(() => runAll(documents));
const tokensPerSecond = tokens / (ms / 1000);
const metrics: object[] = [
  {
    metric: 'assertion pass, new sentences',
    value: Math.round(tokensPerSecond),
    unit: 'tokens/s',
    note: `BC5CDR dev: ${documents.length} abstracts, ${tokens} whitespace tokens, ${entities} gold mentions as entities; ${ms.toFixed(1)} ms`,
  },
  {
    metric: 'assertion pass, the same sentences again',
    value: Math.round(tokens / (again / 1000)),
    unit: 'tokens/s',
    note: `${again.toFixed(1)} ms: a language-server rerun (triggers cached by sentence text)`,
  },
];
// The language server reruns every pass over the whole document after an edit: the rerun's cost for a note of the
// size the LSP bench edits, against its edit latency target (p95 <= 50 ms).
metrics.push({
  metric: 'assertion pass, rerun of a 2,000-token note',
  value: +((2000 / tokens) * again).toFixed(2),
  unit: 'ms',
  note: 'per edit in the language server, added to the edit latency (LSP target p95 <= 50 ms)',
});
const bulk = Number(process.env.BIONER_BENCH_BULK_TOKENS_PER_S);
if (bulk > 0) {
  const share = (100 * bulk) / tokensPerSecond;
  metrics.push({
    metric: 'assertion pass, share of bulk tagging time',
    value: +share.toFixed(2),
    unit: '%',
    target: '<= 5',
    note: `its time per token over bulk tagging's (1 worker: ${Math.round(bulk)} tokens/s in this run)`,
  });
}
console.log(JSON.stringify({ metrics }));
