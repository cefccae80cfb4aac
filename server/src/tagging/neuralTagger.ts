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
import { caseView } from './caseView';

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
    const results: EntityPrediction[][] = sentences.map(() => []);
    for (const batch of bucketBatches(pieces.map((p) => p.tokens.length), { maxTokens: BATCH_TOKENS })) {
      const predicted = this.model.predict(batch.map((i) => caseView(pieces[i].tokens.map((t) => t.text))));
      batch.forEach((i, k) => {
        const { sentence, tokens } = pieces[i];
        for (const e of predicted[k]) {
          const start = tokens[e.first].start;
          const end = tokens[e.last].end;
          const entity: EntityPrediction = { start, end, label: e.label, text: sentences[sentence].slice(start, end), confidence: e.confidence };
          if (e.runnerUp) entity.runnerUp = e.runnerUp;
          results[sentence].push(entity);
        }
      });
    }
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
