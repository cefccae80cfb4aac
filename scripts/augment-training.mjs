#!/usr/bin/env node
// Writes an augmented copy of a CoNLL training file (token<TAB>tag, IOB2, blank line between sentences): the original
// sentences, then extra copies of a seeded share of them:
//   --lower P     lower-cased copies (quick notes are typed in lower case)
//   --upper P     upper-cased copies (radiology reports, headings, EHR exports)
//   --replace P   mention-replacement copies: every entity swapped for another training entity of the same type, so
//                 the tagger must rely on context and spelling, not on having seen the name
//   --capitalize  in replacement copies, a replaced entity at the start of a sentence gets a capital first letter
//   --title-mentions P  title-case copies: every entity mention after the sentence's first token gets a capital
//                 first letter (new drugs and brand names are often written `Ivacaftor` mid-sentence, where the
//                 training text's capitalised words are mostly abbreviations and proper nouns); only sentences with
//                 such a mention in lower case are drawn
//   --title-types T,T  the entity types the title-case copies change (default: every type)
// Usage: node scripts/augment-training.mjs --in train.tsv [--lower P] [--upper P] [--replace P] [--capitalize]
//          [--title-mentions P [--title-types T,T]] [--seed N] --out FILE
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { seededRandom } from './seededRandom.mjs';

const { values } = parseArgs({
  options: {
    in: { type: 'string', multiple: true },
    out: { type: 'string' },
    lower: { type: 'string', default: '0' },
    upper: { type: 'string', default: '0' },
    replace: { type: 'string', default: '0' },
    capitalize: { type: 'boolean', default: false },
    'title-mentions': { type: 'string', default: '0' },
    'title-types': { type: 'string' },
    seed: { type: 'string', default: '1' },
  },
});
if (!values.in?.length || !values.out) {
  console.error('usage: augment-training.mjs --in FILE [--in FILE] [--lower P] [--upper P] [--replace P] [--capitalize] [--title-mentions P [--title-types T,T]] [--seed N] --out FILE');
  process.exit(1);
}

// Seeded, so an augmented file is reproducible from its seed.
const random = seededRandom(Number(values.seed));
// The title-case draws have their own stream, so adding them leaves the other copies as they were.
const randomTitle = seededRandom(Number(values.seed) + 0x9e3779b9);

/** @returns {{token: string, tag: string}[][]} */
function readConll(file) {
  const sentences = [];
  let current = [];
  readFileSync(file, 'utf8').split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) {
      if (current.length) sentences.push(current);
      current = [];
      return;
    }
    const cols = line.split('\t');
    if (cols.length < 2) throw new Error(`${file}:${i + 1}: expected token<TAB>tag`);
    current.push({ token: cols[0], tag: cols[cols.length - 1] });
  });
  if (current.length) sentences.push(current);
  return sentences;
}

/** Splits a sentence into runs: entities ({type, tokens}) and outside tokens ({type: null, tokens: [one]}). */
function runs(sentence) {
  const out = [];
  for (const t of sentence) {
    if (t.tag.startsWith('I-') && out.length && out[out.length - 1].type === t.tag.slice(2)) {
      out[out.length - 1].tokens.push(t.token);
    } else if (t.tag.startsWith('B-') || t.tag.startsWith('I-')) {
      out.push({ type: t.tag.slice(2), tokens: [t.token] });
    } else {
      out.push({ type: null, tokens: [t.token] });
    }
  }
  return out;
}

const sentences = values.in.flatMap(readConll);
const mentions = new Map();
for (const s of sentences) {
  for (const r of runs(s)) {
    if (!r.type) continue;
    if (!mentions.has(r.type)) mentions.set(r.type, []);
    mentions.get(r.type).push(r.tokens);
  }
}

const recase = (s, f) => s.map((t) => ({ token: f(t.token), tag: t.tag }));
function replaced(sentence) {
  const out = [];
  for (const r of runs(sentence)) {
    if (!r.type) {
      out.push({ token: r.tokens[0], tag: 'O' });
      continue;
    }
    const pool = mentions.get(r.type);
    let tokens = [...pool[Math.floor(random() * pool.length)]];
    if (values.capitalize && out.length === 0) tokens[0] = capitalised(tokens[0]);
    tokens.forEach((token, i) => out.push({ token, tag: `${i ? 'I' : 'B'}-${r.type}` }));
  }
  return out;
}

const capitalised = (token) => token.charAt(0).toUpperCase() + token.slice(1);
const titleTypes = values['title-types'] ? new Set(values['title-types'].split(',')) : undefined;
const titled = (t, i) => i > 0 && t.tag.startsWith('B-') && (!titleTypes || titleTypes.has(t.tag.slice(2)));
/** The sentence with each mention's first token capitalised (the first token of the sentence is left as it is). */
const titleCased = (s) => s.map((t, i) => (titled(t, i) ? { token: capitalised(t.token), tag: t.tag } : t));
const hasLowerMention = (s) => s.some((t, i) => titled(t, i) && capitalised(t.token) !== t.token);

const share = (name) => {
  const p = Number(values[name]);
  if (!(p >= 0 && p <= 1)) throw new Error(`--${name} ${values[name]}: a share between 0 and 1`);
  return p;
};
const lower = share('lower');
const upper = share('upper');
const replace = share('replace');
const title = share('title-mentions');
const extra = [];
for (const s of sentences) {
  if (random() < lower) extra.push(recase(s, (t) => t.toLowerCase()));
  if (random() < upper) extra.push(recase(s, (t) => t.toUpperCase()));
  if (random() < replace && s.some((t) => t.tag !== 'O')) extra.push(replaced(s));
  if (randomTitle() < title && hasLowerMention(s)) extra.push(titleCased(s));
}
const text = [...sentences, ...extra].map((s) => s.map((t) => `${t.token}\t${t.tag}`).join('\n')).join('\n\n') + '\n';
mkdirSync(dirname(values.out), { recursive: true });
writeFileSync(values.out, text);
console.error(`augment-training: ${sentences.length} sentences + ${extra.length} copies -> ${values.out}`);
