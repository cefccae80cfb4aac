// How well does the tokenizer's word segmentation fit the entities of BC5CDR? For every gold mention of the
// PubTator train + development files (never the test split), checks that its start offset is a token start and its
// end offset a token end, and that it does not cross a sentence boundary. Prints one line per hyphen policy.
// Then, how close the tokens and sentences are to the CoNLL copy the model trains on (train.tsv + devel.tsv): each
// CoNLL sentence is located in the PubTator text by its non-whitespace characters, and the cut points between
// tokens (and sentence starts) are compared in those coordinates.
// Usage: npx tsx scripts/measure-boundaries.ts [DATA_DIR]   (default ../shared/data relative to the repository)
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseConll } from '../server/src/formats/conll';
import { parsePubtator } from '../server/src/formats/pubtator';
import { tokenize } from '../server/src/text/tokenizer';
import type { TokenizeOptions } from '../server/src/text/tokenizer';

const dataDir = resolve(process.argv[2] ?? process.env.BIONER_DATA ?? join(__dirname, '..', '..', 'shared', 'data'));
const files = ['CDR_TrainingSet.PubTator.txt', 'CDR_DevelopmentSet.PubTator.txt'].map((f) => join(dataDir, 'bc5cdr', 'pubtator', f));
const documents = files.flatMap((f) => parsePubtator(readFileSync(f, 'utf8'), f));

const variants: [string, TokenizeOptions][] = [
  ['biomedical, hyphens=codes (default)', {}],
  ['biomedical, hyphens=split', { hyphens: 'split' }],
  ['biomedical, hyphens=keep', { hyphens: 'keep' }],
  ['conll style', { style: 'conll' }],
];
for (const [name, options] of variants) {
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
    const tokenized = tokenize(doc.text, options);
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
    `${name}: entities=${entities} start-on-boundary=${pct(startsOk, entities)} ` +
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

// ---- Agreement with the CoNLL tokenization ----
// Non-whitespace coordinates over all documents, concatenated: cut points are indices in this string.
function agreement(name: string, options: TokenizeOptions): void {
const pieces: string[] = [];
const ourCuts = new Set<number>();
const ourSentenceStarts = new Set<number>();
let base = 0;
for (const doc of documents) {
  const nonSpaceBefore = new Int32Array(doc.text.length + 1);
  let count = 0;
  for (let i = 0; i < doc.text.length; i++) {
    nonSpaceBefore[i] = count;
    if (!/\s/.test(doc.text[i])) {
      pieces.push(doc.text[i]);
      count++;
    }
  }
  nonSpaceBefore[doc.text.length] = count;
  for (const sentence of tokenize(doc.text, options)) {
    ourSentenceStarts.add(base + nonSpaceBefore[sentence.start]);
    for (const t of sentence.tokens) {
      ourCuts.add(base + nonSpaceBefore[t.start]);
      ourCuts.add(base + nonSpaceBefore[t.end]);
    }
  }
  base += count;
}
const all = pieces.join('');
const KEY = 24;
const positions = new Map<string, number[]>();
for (let i = 0; i + KEY <= all.length; i++) {
  const key = all.slice(i, i + KEY);
  const list = positions.get(key);
  if (list) list.push(i);
  else positions.set(key, [i]);
}
let conllSentences = 0;
let located = 0;
let corpusCuts = 0;
let corpusCutsFound = 0;
let ourCutsInside = 0;
let tokensSame = 0;
let corpusTokens = 0;
let sentenceStartsFound = 0;
const tokenMisses = new Map<string, number>();
for (const split of ['train.tsv', 'devel.tsv']) {
  const file = join(dataDir, 'bc5cdr', split);
  for (const sentence of parseConll(readFileSync(file, 'utf8'), file, 'iob2').documents.flatMap((d) => d.sentences)) {
    conllSentences++;
    const joined = sentence.tokens.join('');
    const candidates = joined.length >= KEY ? positions.get(joined.slice(0, KEY)) ?? [] : [];
    const at = candidates.find((p) => all.startsWith(joined, p));
    if (at === undefined) continue;
    located++;
    sentenceStartsFound += Number(ourSentenceStarts.has(at));
    // Corpus cut points strictly inside the sentence, and ours.
    const cuts = new Set<number>();
    let position = at;
    for (const token of sentence.tokens) {
      const start = position;
      position += token.length;
      corpusTokens++;
      let same = ourCuts.has(start) && ourCuts.has(position);
      for (let k = start + 1; k < position && same; k++) if (ourCuts.has(k)) same = false;
      if (same) tokensSame++;
      else tokenMisses.set(token, (tokenMisses.get(token) ?? 0) + 1);
      if (position < at + joined.length) cuts.add(position);
    }
    corpusCuts += cuts.size;
    for (const c of cuts) corpusCutsFound += Number(ourCuts.has(c));
    for (let k = at + 1; k < at + joined.length; k++) if (ourCuts.has(k) && !cuts.has(k)) ourCutsInside++;
  }
}
const pct = (n: number, d: number): string => `${((100 * n) / d).toFixed(2)}%`;
console.log(
  `CoNLL agreement (train+devel), ${name}: sentences located ${located}/${conllSentences}; ` +
    `corpus tokens reproduced exactly ${pct(tokensSame, corpusTokens)} of ${corpusTokens}; ` +
    `corpus cut points found ${pct(corpusCutsFound, corpusCuts)}; extra cuts ${ourCutsInside}; ` +
    `CoNLL sentence starts that are our sentence starts ${pct(sentenceStartsFound, located)}`,
);
if (process.env.SHOW_MISSES) {
  const top = [...tokenMisses].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.SHOW_MISSES) || 30);
  console.log('   corpus tokens not reproduced: ' + top.map(([t, n]) => `${JSON.stringify(t)} x${n}`).join(', '));
}
}
agreement('biomedical (default)', {});
agreement('conll style', { style: 'conll' });
