// The neural TextTagger: tokenizes each sentence string, tags batches of similar length with the BiLM-CRF model,
// and returns entities with character offsets relative to each sentence, the CRF span probability as confidence
// and the best other label for the same span as runner-up. (The model folder's terms.tsv is a pass after it:
// passes/terms.ts.)
import { initEngine } from '../engine/backend';
import { bucketBatches, pieceRanges } from '../model/batching';
import { loadModelDir } from '../model/modelDir';
import type { TaggerModel } from '../model/tagger';
import { tokenize } from '../text/tokenizer';
import { MODEL_TOKENIZATION } from '../model/tokenization';
import type { EntityPrediction, Token } from '../types';
import type { TextTagger } from './tagger';
import { caseReadings, mergeReadings } from './caseView';
import type { TokenEntity } from '../model/decode';

/** Padded tokens per model call: small enough that the activations stay in cache and the wasm heap (which never
 *  shrinks, so its peak is the RSS) stays small, which is faster and leaner than larger calls (bench/HISTORY.md). */
const BATCH_TOKENS = 1024;

export class NeuralTagger implements TextTagger {
  readonly labels: string[];

  constructor(
    readonly modelName: string,
    private readonly model: TaggerModel,
  ) {
    this.labels = [...model.tagSet.types];
  }

  async tagSentences(sentences: string[]): Promise<EntityPrediction[][]> {
    // Every sentence string may still hold several tokenizer sentences; the caller's split wins, so they are joined.
    const pieces: Array<{ sentence: number; tokens: Token[] }> = [];
    sentences.forEach((text, sentence) => {
      const tokens = tokenize(text, MODEL_TOKENIZATION).flatMap((s) => s.tokens);
      for (const [start, end] of pieceRanges(tokens.length)) if (end > start) pieces.push({ sentence, tokens: tokens.slice(start, end) });
    });
    // Each piece is read once or twice (caseView.ts); readings[i][r] are piece i's entities in its reading r.
    const words = pieces.map((p) => caseReadings(p.tokens.map((t) => t.text)));
    const reads = words.flatMap((readingsOfPiece, piece) => readingsOfPiece.map((w, reading) => ({ piece, reading, words: w })));
    const readings: TokenEntity[][][] = pieces.map(() => []);
    for (const batch of bucketBatches(reads.map((r) => r.words.length), { maxTokens: BATCH_TOKENS })) {
      const predicted = this.model.predict(batch.map((i) => reads[i].words));
      batch.forEach((i, k) => (readings[reads[i].piece][reads[i].reading] = predicted[k]));
    }
    const results: EntityPrediction[][] = sentences.map(() => []);
    pieces.forEach(({ sentence, tokens }, i) => {
      for (const e of mergeReadings(words[i], readings[i])) {
        const start = tokens[e.first].start;
        const end = tokens[e.last].end;
        const entity: EntityPrediction = { start, end, label: e.label, text: sentences[sentence].slice(start, end), confidence: e.confidence };
        if (e.runnerUp) entity.runnerUp = e.runnerUp;
        results[sentence].push(entity);
      }
    });
    for (const r of results) r.sort((a, b) => a.start - b.start);
    return results;
  }

  dispose(): void {
    this.model.dispose();
  }
}

/** Loads a neural model directory as a TextTagger (initialising the tfjs backend first). */
export async function loadNeuralTagger(dir: string): Promise<TextTagger> {
  await initEngine();
  const { model, config } = loadModelDir(dir);
  return new NeuralTagger(config.name, model);
}
