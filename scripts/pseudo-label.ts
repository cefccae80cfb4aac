// Self-training data for the shipped model: unlabelled sentences tagged by an ensemble of fine-tuned taggers.
//
//   npx tsx scripts/pseudo-label.ts --teacher DIR --teacher DIR ... --text FILE ... --tokens N --out FILE.tsv
//
// The teachers are taggers that share a label set (in train-default.sh: four seeds fine-tuned on BC5CDR train, with
// dev for early stopping). Each sentence is decoded once with the teachers' averaged CRF potentials (the mean of their
// emissions, transitions, start and end scores: a product of experts) under the BIO constraints, and written as
// CoNLL (token TAB tag, a blank line between sentences) with the teachers' own labels, to be fine-tuned on together
// with the gold data. Sentences are taken in turn from each text file (one sentence or paragraph per line, split with
// the model's tokenizer), 4-100 tokens, no duplicates, until N tokens. The text must not contain any evaluation split.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../server/src/engine/backend';
import { writeFileAtomicSync } from '../server/src/files/atomicWrite';
import { spansToTags } from '../server/src/formats/tagSchemes';
import { bucketBatches } from '../server/src/model/batching';
import { constrainScores, viterbi } from '../server/src/model/crf';
import { spansOfPath } from '../server/src/model/decode';
import { TagSet } from '../server/src/model/labels';
import { loadModelDir } from '../server/src/model/modelDir';
import { MODEL_TOKENIZATION } from '../server/src/model/tokenization';
import { tokenize } from '../server/src/text/tokenizer';

/** Distinct sentences, alternating between the files line by line, until `maxTokens` tokens. */
function selectSentences(files: string[], maxTokens: number): string[][] {
  const lines = files.map((f) => readFileSync(f, 'utf8').split('\n'));
  const seen = new Set<string>();
  const picked: string[][] = [];
  let tokens = 0;
  const longest = Math.max(...lines.map((l) => l.length));
  for (let i = 0; i < longest; i++) {
    for (const fileLines of lines) {
      const line = fileLines[i]?.trim();
      if (!line || line.length > 600) continue;
      for (const sentence of tokenize(line, MODEL_TOKENIZATION)) {
        const words = sentence.tokens.map((t) => t.text);
        const key = words.join(' ');
        if (words.length < 4 || words.length > 100 || seen.has(key)) continue;
        seen.add(key);
        picked.push(words);
        tokens += words.length;
        if (tokens >= maxTokens) return picked;
      }
    }
  }
  return picked;
}

/** The teachers' averaged potentials, decoded: one tag sequence per sentence. */
function ensembleTags(teachers: string[], sentences: string[][]): string[][] {
  const emissions: Float64Array[] = sentences.map(() => new Float64Array(0)); // [T * L] per sentence
  let types: string[] | undefined;
  const sums = { transitions: [] as number[], start: [] as number[], end: [] as number[] };
  const share = 1 / teachers.length;
  for (const dir of teachers) {
    const { model } = loadModelDir(dir);
    if (types && types.join() !== model.tagSet.types.join()) throw new Error(`${dir}: labels ${model.tagSet.types} differ from ${types}`);
    types = model.tagSet.types;
    const L = model.tagSet.size;
    for (const batch of bucketBatches(sentences.map((s) => s.length), { maxTokens: 2048 })) {
      const words = batch.map((i) => sentences[i]);
      const scores = tf.tidy(() => model.emissions(words, model.represent(words, false), false)); // [B, T, L]
      const T = scores.shape[1];
      const values = scores.dataSync();
      scores.dispose();
      batch.forEach((i, b) => {
        if (emissions[i].length === 0) emissions[i] = new Float64Array(words[b].length * L);
        for (let k = 0; k < words[b].length * L; k++) emissions[i][k] += share * values[b * T * L + k];
      });
    }
    const add = (sum: number[], values: ArrayLike<number>) => Array.from(values).forEach((v, j) => (sum[j] = (sum[j] ?? 0) + share * v));
    add(sums.transitions, model.crf.transitions.dataSync());
    add(sums.start, model.crf.start.dataSync());
    add(sums.end, model.crf.end.dataSync());
    model.dispose();
    process.stderr.write(`pseudo-label: ${dir} done\n`);
  }
  const tagSet = new TagSet(types!);
  const scores = constrainScores(tagSet, sums.transitions, sums.start, sums.end);
  return sentences.map((words, i) => {
    const path = viterbi({ data: emissions[i], offset: 0, length: words.length }, scores);
    const spans = spansOfPath(path, tagSet).map((span) => ({ start: span.first, end: span.last + 1, label: span.type }));
    return spansToTags(spans, words.length);
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      teacher: { type: 'string', multiple: true },
      text: { type: 'string', multiple: true },
      tokens: { type: 'string', default: '200000' },
      out: { type: 'string' },
    },
  });
  if (!values.teacher?.length || !values.text?.length || !values.out) {
    throw new Error('usage: pseudo-label.ts --teacher DIR... --text FILE... [--tokens N] --out FILE.tsv');
  }
  await initEngine();
  const sentences = selectSentences(values.text, Number(values.tokens));
  const tags = ensembleTags(values.teacher, sentences);
  const lines = sentences.flatMap((words, i) => [...words.map((w, t) => `${w}\t${tags[i][t]}`), '']);
  writeFileAtomicSync(values.out, lines.join('\n'));
  const entities = tags.flat().filter((t) => t.startsWith('B-')).length;
  const tokens = sentences.reduce((n, s) => n + s.length, 0);
  process.stderr.write(`pseudo-label: ${sentences.length} sentences, ${tokens} tokens, ${entities} entities -> ${values.out}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`pseudo-label: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
