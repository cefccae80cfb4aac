// Cost of the document pass (server/src/tagging/passes/: abbreviations, then repeats), which the language
// server reruns over a whole document on every analysis. Run by `npm run bench`, or alone:
// `npx tsx bench/model-documentPass.ts`. The input is BC5CDR dev's abstracts with their gold mentions as the
// sentences' entities (the real density of names and abbreviations; only the timing is reported): each abstract on
// its own, and all 500 as one document (about 650 KB, near bioner.maxFileSize's 1 MB).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parsePubtator } from '../server/src/formats/pubtator';
import { resolveDocument } from '../server/src/tagging/pipeline';
import { tokenize } from '../server/src/text/tokenizer';
import type { EntityPrediction } from '../server/src/types';

const file = join(resolve(process.env.BIONER_DATA ?? join(__dirname, '..', '..', 'shared', 'data')), 'bc5cdr', 'pubtator', 'CDR_DevelopmentSet.PubTator.txt');
const documents = parsePubtator(readFileSync(file, 'utf8'), file).map((d) => ({
  text: d.text,
  entities: d.entities.map((e): EntityPrediction => ({ ...e, text: d.text.slice(e.start, e.end), confidence: 0.9 })),
}));
let joined = '';
const joinedEntities: EntityPrediction[] = [];
for (const d of documents) {
  for (const e of d.entities) joinedEntities.push({ ...e, start: e.start + joined.length, end: e.end + joined.length });
  joined += d.text + '\n\n';
}

// The passes see the sentences the segmenter gives (a sentence bounds, e.g., the clinical-context scope).
const sentencesOf = (text: string) => tokenize(text).map(({ start, end }) => ({ start, end }));
const documentSentences = documents.map((d) => sentencesOf(d.text));
const joinedSentences = sentencesOf(joined);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function time(run: () => void, repeats: number): number {
  run(); // warm-up (regular expressions compile, the JIT settles)
  const ms: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    run();
    ms.push(performance.now() - t);
  }
  return median(ms);
}

const perAbstract = time(() => documents.forEach((d, i) => resolveDocument(d.text, d.entities, documentSentences[i])), 5) / documents.length;
const whole = time(() => resolveDocument(joined, joinedEntities, joinedSentences), 5);
const kb = Math.round(joined.length / 1024);
console.log(JSON.stringify({
  metrics: [
    { metric: 'document pass, one abstract', value: +perAbstract.toFixed(3), unit: 'ms', note: `mean of BC5CDR dev's ${documents.length} abstracts, gold mentions as input` },
    { metric: `document pass, ${kb} KB document`, value: +whole.toFixed(1), unit: 'ms', note: `${joinedEntities.length} entities (all dev abstracts as one document); median of 5` },
  ],
}));
