import { join } from 'node:path';
import { inputError } from '../errors';
import { MAX_MODEL_FILE_BYTES } from '../formats/boundedRead';
import { readTextFile } from '../formats/inputText';
import type { EntityPrediction } from '../types';
import type { TextTagger } from './tagger';

/**
 * A dictionary model: `lexicon.tsv` lines `term<TAB>LABEL[<TAB>confidence]`, matched case-insensitively on word
 * boundaries, longest match first. Useful as a gazetteer and as a fast, deterministic model for tests.
 */
export class LexiconTagger implements TextTagger {
  readonly labels: string[];
  private readonly pattern: RegExp | undefined;
  private readonly entries = new Map<string, { label: string; confidence: number }>();

  constructor(readonly modelName: string, lexicon: Array<{ term: string; label: string; confidence: number }>) {
    for (const e of lexicon) this.entries.set(e.term.toLowerCase(), { label: e.label, confidence: e.confidence });
    this.labels = [...new Set(lexicon.map((e) => e.label))].sort();
    const terms = [...this.entries.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp);
    this.pattern = terms.length ? new RegExp(`(?<![\\p{L}\\p{N}])(?:${terms.join('|')})(?![\\p{L}\\p{N}])`, 'giu') : undefined;
  }

  static load(dir: string, modelName: string): LexiconTagger {
    const file = join(dir, 'lexicon.tsv');
    // Strict read: a missing, binary or non-UTF-8 lexicon is a user error naming the file (and line), not a crash.
    const lines = readTextFile(file, { maxBytes: MAX_MODEL_FILE_BYTES }).split(/\r?\n/);
    const lexicon = lines.flatMap((line, i) => {
      if (!line.trim() || line.startsWith('#')) return [];
      const [term, label, conf] = line.split('\t');
      const confidence = conf === undefined ? 1 : Number(conf);
      if (!term || !label || !(confidence >= 0 && confidence <= 1)) {
        throw inputError(file, i + 1, `expected "term<TAB>LABEL[<TAB>confidence in 0..1]"`);
      }
      return [{ term, label, confidence }];
    });
    return new LexiconTagger(modelName, lexicon);
  }

  async tagSentences(sentences: string[]): Promise<EntityPrediction[][]> {
    return sentences.map((s) => {
      if (!this.pattern) return [];
      return [...s.matchAll(this.pattern)].map((m) => {
        const entry = this.entries.get(m[0].toLowerCase())!;
        return { start: m.index!, end: m.index! + m[0].length, label: entry.label, text: m[0], confidence: entry.confidence };
      });
    });
  }

  dispose(): void {}
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
