// Conversions between character-offset documents and token-level tagged sentences.
//  - documentToSentences: tokenizes the text (with the project tokenizer, or by lines and whitespace for text that
//    came from a CoNLL file) and tags the tokens. An entity whose edges fall inside a token is widened to whole
//    tokens and reported; sentences that an entity crosses are merged so no entity is cut.
//  - sentencesToDocument: joins tokens with spaces and sentences with newlines, so CoNLL -> document -> CoNLL with
//    `tokenization: 'whitespace'` gives back the same tokens, sentences and tags.
import type { AnnotatedDocument, Span, TaggedSentence, Token } from '../types';
import { tokenize } from '../text/tokenizer';
import { sortSpans } from './entities';
import { spansToTags, tagsToSpans, UNKNOWN_TAG } from './tagSchemes';

/** How a document's text is cut into sentences and tokens. */
export type Tokenization =
  /** The project tokenizer (what the tagger sees). */
  | 'tokenizer'
  /** The tokenizer's 'conll' style: every punctuation character split, as in the BC5CDR CoNLL files. */
  | 'conll-style'
  /** One sentence per non-blank line, tokens separated by whitespace (text written by sentencesToDocument). */
  | 'whitespace';

export interface PositionedSentence extends TaggedSentence {
  /** Character offsets of each token in the document text. */
  offsets: { start: number; end: number }[];
}

export interface AlignmentIssue {
  entity: Span;
  message: string;
}

export interface DocumentSentences {
  sentences: PositionedSentence[];
  /** Entities whose boundaries are not token boundaries (widened), or that could not be placed (skipped). */
  issues: AlignmentIssue[];
}

function whitespaceSentences(text: string): Token[][] {
  const sentences: Token[][] = [];
  const lineRe = /[^\r\n]+/g;
  for (let line = lineRe.exec(text); line; line = lineRe.exec(text)) {
    const tokens: Token[] = [];
    const tokenRe = /\S+/g;
    for (let m = tokenRe.exec(line[0]); m; m = tokenRe.exec(line[0])) {
      tokens.push({ text: m[0], start: line.index + m.index, end: line.index + m.index + m[0].length });
    }
    if (tokens.length) sentences.push(tokens);
  }
  return sentences;
}

/** Splits a document into token-level sentences with IOB2 tags (BIOES with `scheme`). */
export function documentToSentences(
  document: AnnotatedDocument,
  options: { tokenization?: Tokenization; scheme?: 'iob2' | 'bioes' } = {},
): DocumentSentences {
  const tokenized =
    options.tokenization === 'whitespace'
      ? whitespaceSentences(document.text)
      : tokenize(document.text, { style: options.tokenization === 'conll-style' ? 'conll' : 'biomedical' }).map((s) => s.tokens);
  const issues: AlignmentIssue[] = [];
  const entities = sortSpans([...document.entities]);

  // Sentence index of each token, to merge sentences that an entity crosses.
  const tokens = tokenized.flat();
  const sentenceOf: number[] = tokenized.flatMap((s, i) => s.map(() => i));
  const tokenSpans: Span[] = [];
  let t = 0;
  for (const entity of entities) {
    while (t < tokens.length && tokens[t].end <= entity.start) t++;
    let last = t;
    while (last < tokens.length && tokens[last].start < entity.end) last++;
    if (last === t) {
      issues.push({ entity, message: 'covers no token (only whitespace): skipped' });
      continue;
    }
    const first = tokens[t];
    const end = tokens[last - 1];
    if (first.start !== entity.start || end.end !== entity.end) {
      issues.push({ entity, message: `does not fall on token boundaries: widened to "${document.text.slice(first.start, end.end)}"` });
    }
    const previous = tokenSpans[tokenSpans.length - 1];
    if (previous && t < previous.end) {
      issues.push({ entity, message: 'shares a token with the previous entity: skipped' });
      continue;
    }
    tokenSpans.push({ start: t, end: last, label: entity.label });
  }

  // Merge sentence ranges crossed by an entity: group id = sentence id of the group's first sentence.
  const group = tokenized.map((_, i) => i);
  for (const span of tokenSpans) {
    const from = sentenceOf[span.start];
    const to = sentenceOf[span.end - 1];
    for (let s = from + 1; s <= to; s++) group[s] = group[from];
  }
  for (let s = 1; s < group.length; s++) if (group[s] !== s) group[s] = group[group[s]];

  // A partial review knows only its entities and the spans marked "not an entity"; every other token is unknown.
  const known = document.partial ? knownTokens(tokens, tokenSpans, document.partial.notEntities) : undefined;
  const sentences: PositionedSentence[] = [];
  let spanIndex = 0;
  let offset = 0;
  for (let s = 0; s < tokenized.length; ) {
    let next = s + 1;
    while (next < tokenized.length && group[next] === group[s]) next++;
    const sentenceTokens = tokenized.slice(s, next).flat();
    const local: Span[] = [];
    while (spanIndex < tokenSpans.length && tokenSpans[spanIndex].start < offset + sentenceTokens.length) {
      const span = tokenSpans[spanIndex++];
      local.push({ start: span.start - offset, end: span.end - offset, label: span.label });
    }
    const tags = spansToTags(local, sentenceTokens.length, options.scheme ?? 'iob2');
    if (known) for (let k = 0; k < tags.length; k++) if (!known[offset + k]) tags[k] = UNKNOWN_TAG;
    sentences.push({
      tokens: sentenceTokens.map((tk) => tk.text),
      tags,
      offsets: sentenceTokens.map(({ start, end }) => ({ start, end })),
    });
    offset += sentenceTokens.length;
    s = next;
  }
  return { sentences, issues };
}

/** known[t]: token t lies in an entity (token span) or overlaps a span marked "not an entity". */
function knownTokens(tokens: Token[], entitySpans: Span[], notEntities: ReadonlyArray<{ start: number; end: number }>): Uint8Array {
  const known = new Uint8Array(tokens.length);
  for (const span of entitySpans) known.fill(1, span.start, span.end);
  for (const n of notEntities) {
    for (let t = 0; t < tokens.length && tokens[t].start < n.end; t++) if (tokens[t].end > n.start) known[t] = 1;
  }
  return known;
}

/** Builds a document from tagged sentences (IOB2): tokens joined by spaces, sentences by newlines. */
export function sentencesToDocument(id: string, sentences: readonly TaggedSentence[]): AnnotatedDocument {
  const lines: string[] = [];
  const entities: Span[] = [];
  let offset = 0;
  for (const sentence of sentences) {
    const starts: number[] = [];
    let position = offset;
    for (const token of sentence.tokens) {
      starts.push(position);
      position += token.length + 1;
    }
    for (const span of tagsToSpans(sentence.tags, 'iob2').spans) {
      entities.push({ start: starts[span.start], end: starts[span.end - 1] + sentence.tokens[span.end - 1].length, label: span.label });
    }
    const line = sentence.tokens.join(' ');
    lines.push(line);
    offset += line.length + 1;
  }
  return { id, text: lines.length ? lines.join('\n') + '\n' : '', entities };
}
