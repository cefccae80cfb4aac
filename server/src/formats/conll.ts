// CoNLL-style column files: one token per line, the token in the first column and the tag in the last (middle
// columns such as POS tags are read past and not kept), tab-separated if the line has a tab, else
// whitespace-separated. A blank line ends a sentence; a `-DOCSTART-` line starts a document (its id is taken from
// `-DOCSTART- (id)` when present). Tags are read as IOB1, IOB2 or BIOES (declared, or detected) and normalised to IOB2.
import { basename, extname } from 'node:path';
import { inputError } from '../errors';
import type { TaggedSentence } from '../types';
import { detectScheme, parseTag, spansToTags, tagsToSpans, type TagScheme } from './tagSchemes';
import type { FormatWarning } from './warnings';

export interface ConllSentence extends TaggedSentence {
  /** 1-based line number of the sentence's first token, for messages. */
  line: number;
}

export interface ConllDocument {
  id: string;
  sentences: ConllSentence[];
}

export interface ConllReadResult {
  documents: ConllDocument[];
  /** The scheme the file was read as (declared or detected); tags in `documents` are IOB2. */
  scheme: TagScheme;
  warnings: FormatWarning[];
}

const DOCSTART = '-DOCSTART-';

function documentId(line: string, file: string, ordinal: number): string {
  const rest = line.trim().slice(DOCSTART.length).trim();
  const inParens = /^\((.+)\)$/.exec(rest);
  if (inParens) return inParens[1];
  return `${basename(file, extname(file))}#${ordinal}`;
}

/** Parses CoNLL text; `scheme` declares the tag scheme (detected from the tags when omitted). */
export function parseConll(content: string, file: string, scheme?: TagScheme): ConllReadResult {
  const documents: ConllDocument[] = [];
  let document: ConllDocument | undefined;
  let sentence: ConllSentence | undefined;
  const endSentence = (): void => {
    if (sentence) {
      if (!document) {
        document = { id: basename(file, extname(file)), sentences: [] };
        documents.push(document);
      }
      document.sentences.push(sentence);
    }
    sentence = undefined;
  };

  const lines = content.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index];
    const lineNo = index + 1;
    if (line.trim() === '') {
      endSentence();
      continue;
    }
    if (line.trimStart().startsWith(DOCSTART)) {
      endSentence();
      document = { id: documentId(line, file, documents.length + 1), sentences: [] };
      documents.push(document);
      continue;
    }
    const columns = line.includes('\t') ? line.split('\t') : line.trim().split(/\s+/);
    if (columns.length < 2) throw inputError(file, lineNo, `missing tag column (expected "token<TAB>tag", got "${line}")`);
    const token = columns[0];
    const tag = columns[columns.length - 1].trim();
    if (token === '' || /\s/.test(token)) throw inputError(file, lineNo, `empty or blank token in "${line}"`);
    if (!parseTag(tag)) {
      throw inputError(file, lineNo, `unknown tag "${tag}" (expected O or B-/I-/E-/S- followed by a type, e.g. B-Disease)`);
    }
    sentence ??= { tokens: [], tags: [], line: lineNo };
    sentence.tokens.push(token);
    sentence.tags.push(tag);
  }
  endSentence();

  const allSentences = documents.flatMap((d) => d.sentences);
  const used = scheme ?? detectScheme(allSentences.map((s) => s.tags));
  const warnings: FormatWarning[] = [];
  for (const s of allSentences) {
    const { spans, repairs } = tagsToSpans(s.tags, used);
    for (const r of repairs) warnings.push({ file, line: s.line + r.index, message: r.message });
    s.tags = spansToTags(spans, s.tokens.length, 'iob2');
  }
  return { documents, scheme: used, warnings };
}

export interface ConllWriteOptions {
  scheme?: 'iob2' | 'bioes' | 'iob1';
  /** Write `-DOCSTART- (id)` lines; default: only when there is more than one document. */
  docstart?: boolean;
}

/** Serialises documents (IOB2 tags) as tab-separated `token<TAB>tag` lines in the requested scheme. */
export function formatConll(documents: readonly { id: string; sentences: readonly TaggedSentence[] }[], options: ConllWriteOptions = {}): string {
  const scheme = options.scheme ?? 'iob2';
  const docstart = options.docstart ?? documents.length > 1;
  const blocks: string[] = [];
  for (const document of documents) {
    if (docstart) blocks.push(`${DOCSTART} (${document.id})\n`);
    for (const sentence of document.sentences) {
      const tags = scheme === 'iob2' ? sentence.tags : spansToTags(tagsToSpans(sentence.tags, 'iob2').spans, sentence.tokens.length, scheme);
      blocks.push(sentence.tokens.map((token, i) => `${token}\t${tags[i]}\n`).join(''));
    }
  }
  return blocks.join('\n');
}
