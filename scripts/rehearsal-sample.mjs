#!/usr/bin/env node
// Writes the rehearsal sample a model folder ships (rehearsal.conll): a seeded sample of sentences of the model's own
// training file (CoNLL, token<TAB>tag, blank line between sentences), types renamed by --label-map. `bioner train
// --init-model` adds them to a fine-tuning on the user's few documents, so the model keeps seeing what it learnt.
// BC5CDR (../shared/data/bc5cdr) may be redistributed: the PubTator release is a US Government work in the public
// domain, the IOB conversion CC BY 4.0 (see the model card).
// Usage: node scripts/rehearsal-sample.mjs --in train.tsv --sentences N [--seed S] [--label-map A=X,B=Y] --out FILE
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { seededRandom } from './seededRandom.mjs';

const { values } = parseArgs({
  options: {
    in: { type: 'string' },
    out: { type: 'string' },
    sentences: { type: 'string', default: '200' },
    seed: { type: 'string', default: '1' },
    'label-map': { type: 'string', default: '' },
  },
});
if (!values.in || !values.out) {
  console.error('usage: rehearsal-sample.mjs --in FILE --sentences N [--seed S] [--label-map A=X,B=Y] --out FILE');
  process.exit(1);
}
const rename = new Map(values['label-map'].split(',').filter(Boolean).map((pair) => pair.split('=')));
const sentences = readFileSync(values.in, 'utf8').split(/\n\s*\n/).map((block) => block.trim()).filter(Boolean);
// Seeded: the same sample for the same seed.
const random = seededRandom(Number(values.seed));
const order = sentences.map((_, i) => i);
for (let i = order.length - 1; i > 0; i--) {
  const j = Math.floor(random() * (i + 1));
  [order[i], order[j]] = [order[j], order[i]];
}
const chosen = order.slice(0, Number(values.sentences)).sort((a, b) => a - b);
const relabel = (line) => {
  const [token, tag] = line.split('\t');
  const m = /^([BI])-(.+)$/.exec(tag ?? '');
  return m && rename.has(m[2]) ? `${token}\t${m[1]}-${rename.get(m[2])}` : line;
};
writeFileSync(values.out, chosen.map((i) => sentences[i].split('\n').map(relabel).join('\n')).join('\n\n') + '\n');
console.error(`rehearsal-sample: ${chosen.length} of ${sentences.length} sentences -> ${values.out}`);
