// The tag inventory of a tagger: entity types from the data, their IOB2 tags, the BIO transition constraints the CRF
// enforces, and the label map that renames (or drops) corpus types, e.g. `Chemical=DRUG,Disease=DISEASE`.
import type { TaggedSentence } from '../types';
import { UserError } from '../errors';
import { UNKNOWN_TAG } from '../formats/tagSchemes';

/** The IOB2 tags of a set of entity types: index 0 is `O`, then `B-X`, `I-X` for each type in order. */
export class TagSet {
  readonly tags: string[];
  private readonly index = new Map<string, number>();

  constructor(readonly types: string[]) {
    if (new Set(types).size !== types.length) throw new Error(`duplicate entity types: ${types.join(', ')}`);
    this.tags = ['O', ...types.flatMap((t) => [`B-${t}`, `I-${t}`])];
    this.tags.forEach((tag, i) => this.index.set(tag, i));
  }

  get size(): number {
    return this.tags.length;
  }

  /** The tag set of the entity types found in IOB2 sentences, sorted by name. */
  static fromSentences(sentences: Iterable<TaggedSentence>): TagSet {
    const types = new Set<string>();
    for (const s of sentences) for (const tag of s.tags) if (tag !== 'O' && tag !== UNKNOWN_TAG) types.add(entityType(tag));
    return new TagSet([...types].sort());
  }

  /** Index of `B-type`. */
  begin(type: string): number {
    return this.indexOf(`B-${type}`);
  }

  /** Index of `I-type`. */
  inside(type: string): number {
    return this.indexOf(`I-${type}`);
  }

  indexOf(tag: string): number {
    const i = this.index.get(tag);
    if (i === undefined) throw new UserError(`unknown tag "${tag}" (the model knows ${this.tags.join(', ')})`);
    return i;
  }

  /** The type of tag index i, or undefined for `O`. */
  typeOf(i: number): string | undefined {
    return i === 0 ? undefined : this.types[(i - 1) >> 1];
  }

  isBegin(i: number): boolean {
    return i > 0 && i % 2 === 1;
  }

  isInside(i: number): boolean {
    return i > 0 && i % 2 === 0;
  }

  /**
   * Tag indices of an IOB2 tag sequence. An `I-X` that cannot continue the previous tag (after `O`, at the start,
   * after another type) is read as `B-X`, as conlleval does, so every encoded sequence is a valid CRF path.
   * Types the tag set does not know become `O` (e.g. a type dropped by the label map). UNKNOWN_TAG becomes -1 (crf.ts marginalises over it).
   */
  encode(tags: string[]): Int32Array {
    const out = new Int32Array(tags.length);
    let previousType: string | undefined;
    tags.forEach((tag, t) => {
      if (tag === UNKNOWN_TAG) {
        out[t] = -1;
        previousType = undefined;
        return;
      }
      if (tag === 'O' || !this.index.has(tag)) {
        out[t] = 0;
        previousType = undefined;
        return;
      }
      const type = entityType(tag);
      const continues = tag.startsWith('I-') && previousType === type;
      out[t] = continues ? this.inside(type) : this.begin(type);
      previousType = type;
    });
    return out;
  }

  decode(indices: ArrayLike<number>): string[] {
    return Array.from(indices, (i) => this.tags[i]);
  }

  /**
   * allowed[i * L + j]: may tag j follow tag i? `I-X` may only follow `B-X` or `I-X`.
   * startAllowed[j]: may a sentence start with j? Not with `I-X`. Every tag may end a sentence.
   */
  constraints(): { allowed: Uint8Array; startAllowed: Uint8Array } {
    const L = this.size;
    const allowed = new Uint8Array(L * L);
    const startAllowed = new Uint8Array(L);
    for (let j = 0; j < L; j++) {
      startAllowed[j] = this.isInside(j) ? 0 : 1;
      for (let i = 0; i < L; i++) {
        allowed[i * L + j] = !this.isInside(j) || this.typeOf(i) === this.typeOf(j) ? 1 : 0;
      }
    }
    return { allowed, startAllowed };
  }
}

/** `B-Chemical` -> `Chemical`. */
export function entityType(tag: string): string {
  const m = /^[BIES]-(.+)$/.exec(tag);
  if (!m) throw new UserError(`"${tag}" is not an IOB2 tag (expected O, B-TYPE or I-TYPE)`);
  return m[1];
}

/**
 * Parses `--label-map Chemical=DRUG,Disease=DISEASE`. Mapping a type to `O` drops it; unmapped types keep their name.
 */
export function parseLabelMap(spec: string | undefined): Map<string, string> {
  const map = new Map<string, string>();
  if (!spec) return map;
  for (const pair of spec.split(',')) {
    if (!pair.trim()) continue;
    const m = /^\s*([^=\s]+)\s*=\s*([^=\s]+)\s*$/.exec(pair);
    if (!m) throw new UserError(`--label-map: "${pair}" is not FROM=TO (e.g. Chemical=DRUG,Disease=DISEASE)`);
    map.set(m[1], m[2]);
  }
  return map;
}

/** Renames entity types in IOB2 sentences; types mapped to `O` become `O`. Returns new sentences. */
export function applyLabelMap(sentences: TaggedSentence[], map: Map<string, string>): TaggedSentence[] {
  if (map.size === 0) return sentences;
  return sentences.map((s) => ({
    tokens: s.tokens,
    tags: s.tags.map((tag) => {
      if (tag === 'O' || tag === UNKNOWN_TAG) return tag;
      const to = map.get(entityType(tag));
      if (to === undefined) return tag;
      return to === 'O' ? 'O' : `${tag.slice(0, 2)}${to}`;
    }),
  }));
}
