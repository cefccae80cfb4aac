// How well does the tokenizer's word segmentation fit the entities of BC5CDR? For every gold mention of the
// PubTator train + development files (never the test split), checks that its start offset is a token start and its
// end offset a token end, and that it does not cross a sentence boundary. Prints one line per hyphen policy.
// Usage: npx tsx scripts/measure-boundaries.ts [DATA_DIR]   (default ../shared/data relative to the repository)
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parsePubtator } from '../server/src/formats/pubtator';
import { tokenize } from '../server/src/text/tokenizer';
import type { HyphenPolicy } from '../server/src/text/words';

const dataDir = resolve(process.argv[2] ?? process.env.BIONER_DATA ?? join(__dirname, '..', '..', 'shared', 'data'));
const files = ['CDR_TrainingSet.PubTator.txt', 'CDR_DevelopmentSet.PubTator.txt'].map((f) => join(dataDir, 'bc5cdr', 'pubtator', f));
const documents = files.flatMap((f) => parsePubtator(readFileSync(f, 'utf8'), f));

for (const hyphens of ['codes', 'split', 'keep'] as HyphenPolicy[]) {
  let entities = 0;
  let startsOk = 0;
  let endsOk = 0;
  let bothOk = 0;
  let crossSentence = 0;
  let tokens = 0;
  let sentences = 0;
  const misses = new Map<string, number>();
  const began = performance.now();
  for (const doc of documents) {
    const tokenized = tokenize(doc.text, { hyphens });
    const starts = new Set<number>();
    const ends = new Set<number>();
    const sentenceOf = new Map<number, number>();
    tokenized.forEach((s, i) => {
      for (const t of s.tokens) {
        starts.add(t.start);
        ends.add(t.end);
        sentenceOf.set(t.start, i);
        sentenceOf.set(t.end, i);
      }
      tokens += s.tokens.length;
    });
    sentences += tokenized.length;
    for (const e of doc.entities) {
      entities++;
      const s = starts.has(e.start);
      const t = ends.has(e.end);
      startsOk += Number(s);
      endsOk += Number(t);
      bothOk += Number(s && t);
      if (s && t && sentenceOf.get(e.start) !== sentenceOf.get(e.end)) crossSentence++;
      if (!(s && t)) {
        const context = doc.text.slice(Math.max(0, e.start - 6), e.end + 6).replace(/\s+/g, ' ');
        misses.set(context, (misses.get(context) ?? 0) + 1);
      }
    }
  }
  const pct = (n: number, d: number): string => `${((100 * n) / d).toFixed(2)}%`;
  const ms = performance.now() - began;
  console.log(
    `hyphens=${hyphens.padEnd(5)} entities=${entities} start-on-boundary=${pct(startsOk, entities)} ` +
      `end-on-boundary=${pct(endsOk, entities)} both=${pct(bothOk, entities)} ` +
      `offsets-on-boundary=${pct(startsOk + endsOk, 2 * entities)} crossing-sentences=${crossSentence} ` +
      `docs=${documents.length} sentences=${sentences} tokens=${tokens} (${ms.toFixed(0)} ms)`,
  );
  if (process.env.SHOW_MISSES) {
    for (const [context, n] of [...misses].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.SHOW_MISSES) || 30)) {
      console.log(`   ${n}x  ${JSON.stringify(context)}`);
    }
  }
}
