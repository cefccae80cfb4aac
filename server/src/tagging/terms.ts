import { inputError } from '../errors';
import { MAX_MODEL_FILE_BYTES } from '../formats/boundedRead';
import { readTextFile, readTextFileAsync } from '../formats/inputText';
import type { EntityPrediction } from '../types';

// Multi-word names whose head the tagger finds but whose modifier it cannot know to include: BC5CDR annotates
// "renal fibrosis" as just "fibrosis", so a model trained on it tags "fibrosis" of "cystic fibrosis" too. A model
// directory's optional terms.tsv (for the shipped model: WordNet's disease and drug names, scripts/build-terms.mjs)
// lists such names; an entity found at the end of one is extended to the whole name, with the same label.

export interface Term {
  /** Lower case, words separated by single spaces. */
  words: string[];
  label: string;
}

export class TermLexicon {
  /** Terms by their last word (lower case). */
  private readonly byLastWord = new Map<string, Term[]>();

  constructor(terms: Iterable<Term>) {
    for (const term of terms) {
      const last = term.words[term.words.length - 1];
      const list = this.byLastWord.get(last) ?? [];
      list.push(term);
      this.byLastWord.set(last, list);
    }
    // Longest first, so an entity is extended to the longest term that fits.
    for (const list of this.byLastWord.values()) list.sort((a, b) => b.words.length - a.words.length);
  }

  get size(): number {
    let n = 0;
    for (const list of this.byLastWord.values()) n += list.length;
    return n;
  }

  /** Reads `term<TAB>LABEL` lines ('#' starts a comment line). A malformed line is an error naming file and line. */
  static load(file: string): TermLexicon {
    return TermLexicon.parse(readTextFile(file, { maxBytes: MAX_MODEL_FILE_BYTES }), file);
  }

  /** TermLexicon.load off the calling thread (the language server: a model on a slow disk delays no request). */
  static async loadAsync(file: string): Promise<TermLexicon> {
    return TermLexicon.parse(await readTextFileAsync(file, { maxBytes: MAX_MODEL_FILE_BYTES }), file);
  }

  /** The terms of `content`, the text of `file` (named in errors). */
  static parse(content: string, file: string): TermLexicon {
    const terms: Term[] = [];
    content
      .split(/\r?\n/)
      .forEach((line, i) => {
        if (!line.trim() || line.startsWith('#')) return;
        const [term, label, ...rest] = line.split('\t');
        const words = (term ?? '').toLowerCase().trim().split(/\s+/);
        if (!label || rest.length > 0 || words.length < 2 || !/^[A-Za-z][\w-]*$/.test(label)) {
          throw inputError(file, i + 1, 'expected "term of two or more words<TAB>LABEL"');
        }
        terms.push({ words, label });
      });
    return new TermLexicon(terms);
  }

  /**
   * Extends each entity that ends a term of the same label, in the text, to the whole term, when the term's other
   * words are untagged (or tagged with that label: they are merged). Returns the entities sorted by start.
   */
  extend(text: string, entities: readonly EntityPrediction[]): EntityPrediction[] {
    const sorted = [...entities].sort((a, b) => a.start - b.start || b.end - a.end);
    const out: EntityPrediction[] = [];
    for (const entity of sorted) {
      const start = this.termStart(text, entity);
      if (start === undefined) {
        out.push(entity);
        continue;
      }
      // Entities already out that the term covers must have the entity's label; they are merged into it.
      let k = out.length;
      while (k > 0 && out[k - 1].end > start) k--;
      const covered = out.slice(k);
      if (covered.some((e) => e.start < start || e.label !== entity.label)) {
        out.push(entity);
        continue;
      }
      out.length = k;
      out.push({ ...entity, start, text: text.slice(start, entity.end), runnerUp: undefined });
    }
    return out;
  }

  /** Where the longest term of the entity's label that ends where the entity ends (and starts before it) starts. */
  private termStart(text: string, entity: EntityPrediction): number | undefined {
    const lastWord = /[\p{L}\p{N}'-]+$/u.exec(entity.text)?.[0].toLowerCase();
    const candidates = lastWord ? this.byLastWord.get(lastWord) : undefined;
    if (!candidates) return undefined;
    for (const term of candidates) {
      if (term.label !== entity.label) continue;
      // Walk back over the term's words, single spaces or hyphens apart, from the entity's end.
      let end = entity.end;
      let ok = true;
      for (let w = term.words.length - 1; w >= 0 && ok; w--) {
        const word = term.words[w];
        const start = end - word.length;
        ok = start >= 0 && text.slice(start, end).toLowerCase() === word;
        if (!ok) break;
        if (w > 0) {
          ok = start > 0 && (text[start - 1] === ' ' || text[start - 1] === '-');
          end = start - 1;
        } else {
          ok = start === 0 || !/[\p{L}\p{N}]/u.test(text[start - 1]);
          end = start;
        }
      }
      if (ok && end < entity.start) return end;
    }
    return undefined;
  }
}
