// One entry point for every annotation format: detect the format of a path, read it into a Corpus, turn any corpus
// into character-offset documents or token-level sentences, and write it out in any writable format.
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, extname } from 'node:path';
import { UserError } from '../errors';
import type { AnnotatedDocument, TaggedSentence } from '../types';
import { documentToSentences, sentencesToDocument, type Tokenization } from './alignment';
import { writeFileAtomicSync } from '../files/atomicWrite';
import { readBrat, writeBrat } from './brat';
import { formatConll, parseConll, type ConllDocument } from './conll';
import type { DocumentEntity } from './entities';
import { readTextFile } from './inputText';
import { formatJsonl, parseJsonl } from './jsonl';
import { looksLikePubtator, parsePubtator } from './pubtator';
import type { TagScheme } from './tagSchemes';
import type { FormatWarning } from './warnings';

export type AnnotationFormat = 'conll' | 'brat' | 'jsonl' | 'pubtator';
export const ANNOTATION_FORMATS: readonly AnnotationFormat[] = ['conll', 'brat', 'jsonl', 'pubtator'];
export const WRITABLE_FORMATS: readonly AnnotationFormat[] = ['conll', 'brat', 'jsonl'];

/** A document of character-offset entities; `confidence` survives when the source has it (JSONL). */
export interface CorpusDocument extends AnnotatedDocument {
  entities: DocumentEntity[];
}

export type Corpus =
  | { kind: 'tokens'; format: 'conll'; documents: ConllDocument[]; scheme: TagScheme }
  | { kind: 'documents'; format: 'brat' | 'jsonl' | 'pubtator'; documents: CorpusDocument[] };

export interface TokenDocument {
  id: string;
  sentences: TaggedSentence[];
}

const CONLL_EXTENSIONS = new Set(['.conll', '.conll03', '.conllx', '.tsv', '.iob', '.iob1', '.iob2', '.bio', '.bioes', '.iobes', '.bilou', '.tags']);
const JSONL_EXTENSIONS = new Set(['.jsonl', '.ndjson', '.json']);

function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

/** Guesses the format of an existing input path from its extension and, for .txt and unknown names, its content. */
export function detectInputFormat(path: string): AnnotationFormat {
  if (!existsSync(path)) throw new UserError(`${path}: no such file or directory`);
  if (isDirectory(path)) return 'brat';
  const ext = extname(path).toLowerCase();
  if (ext === '.ann') return 'brat';
  if (JSONL_EXTENSIONS.has(ext)) return 'jsonl';
  if (CONLL_EXTENSIONS.has(ext)) return 'conll';
  const content = readTextFile(path);
  if (looksLikePubtator(content)) return 'pubtator';
  if (ext === '.txt' && existsSync(path.slice(0, -4) + '.ann')) return 'brat';
  const first = content.split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
  if (first.trimStart().startsWith('{')) return 'jsonl';
  if (ext === '.txt' && !/^\S+(\t|\s+)\S+\s*$/.test(first)) return 'brat';
  return 'conll';
}

/** Guesses the output format from the output path: .jsonl, a CoNLL extension, else brat (a directory or .txt/.ann). */
export function detectOutputFormat(path: string): AnnotationFormat {
  const ext = extname(path).toLowerCase();
  if (JSONL_EXTENSIONS.has(ext)) return 'jsonl';
  if (CONLL_EXTENSIONS.has(ext)) return 'conll';
  return 'brat';
}

export interface ReadOptions {
  format?: AnnotationFormat;
  /** CoNLL only: the declared tag scheme (detected when omitted). */
  scheme?: TagScheme;
}

export interface CorpusReadResult {
  corpus: Corpus;
  warnings: FormatWarning[];
}

/** Throws a UserError naming `path` when the corpus has no text at all (an empty or whitespace-only input). */
export function requireText(corpus: Corpus, path: string, purpose: string): void {
  const hasText =
    corpus.kind === 'tokens'
      ? corpus.documents.some((d) => d.sentences.some((s) => s.tokens.length > 0))
      : corpus.documents.some((d) => d.text.trim() !== '');
  if (!hasText) throw new UserError(`${path}: has no text (empty or only whitespace): nothing to ${purpose}`);
}

/** Reads annotations in any supported format. */
export function readCorpus(path: string, options: ReadOptions = {}): CorpusReadResult {
  const format = options.format ?? detectInputFormat(path);
  switch (format) {
    case 'conll': {
      const result = parseConll(readTextFile(path), path, options.scheme);
      return { corpus: { kind: 'tokens', format, documents: result.documents, scheme: result.scheme }, warnings: result.warnings };
    }
    case 'jsonl':
      return { corpus: { kind: 'documents', format, documents: parseJsonl(readTextFile(path), path) }, warnings: [] };
    case 'pubtator':
      return { corpus: { kind: 'documents', format, documents: parsePubtator(readTextFile(path), path) }, warnings: [] };
    case 'brat': {
      const { documents, warnings } = readBrat(path);
      return { corpus: { kind: 'documents', format, documents }, warnings };
    }
    default:
      throw new UserError(`unknown format "${format as string}" (expected one of ${ANNOTATION_FORMATS.join(', ')})`);
  }
}

/** The corpus as character-offset documents (CoNLL sentences are joined with spaces and newlines). */
export function corpusDocuments(corpus: Corpus): CorpusDocument[] {
  if (corpus.kind === 'documents') return corpus.documents;
  return corpus.documents.map((d) => sentencesToDocument(d.id, d.sentences));
}

/** The corpus as token-level documents with IOB2 tags; alignment problems come back as warnings. */
export function corpusTokenDocuments(
  corpus: Corpus,
  tokenization: Tokenization = 'tokenizer',
): { documents: TokenDocument[]; warnings: FormatWarning[] } {
  if (corpus.kind === 'tokens') return { documents: corpus.documents, warnings: [] };
  const warnings: FormatWarning[] = [];
  const documents = corpus.documents.map((d) => {
    const { sentences, issues } = documentToSentences(d, { tokenization });
    for (const issue of issues) {
      const e = issue.entity;
      warnings.push({ file: d.id, message: `${e.label} ${e.start}-${e.end} "${d.text.slice(e.start, e.end)}" ${issue.message}` });
    }
    return { id: d.id, sentences: sentences.map(({ tokens, tags }) => ({ tokens, tags })) };
  });
  return { documents, warnings };
}

export interface WriteOptions {
  format?: AnnotationFormat;
  /** CoNLL output scheme. */
  scheme?: 'iob2' | 'bioes';
  /** How documents are cut into tokens for CoNLL output. */
  tokenization?: Tokenization;
}

/** Writes a corpus (atomically, file by file). Returns the alignment warnings of a document -> CoNLL conversion. */
export function writeCorpus(path: string, corpus: Corpus, options: WriteOptions = {}): FormatWarning[] {
  const format = options.format ?? detectOutputFormat(path);
  const parent = dirname(path);
  if (format !== 'brat') mkdirSync(parent, { recursive: true });
  switch (format) {
    case 'conll': {
      const { documents, warnings } = corpusTokenDocuments(corpus, options.tokenization);
      writeFileAtomicSync(path, formatConll(documents, { scheme: options.scheme ?? 'iob2' }));
      return warnings;
    }
    case 'jsonl':
      writeFileAtomicSync(path, formatJsonl(corpusDocuments(corpus)));
      return [];
    case 'brat':
      writeBrat(path, corpusDocuments(corpus));
      return [];
    case 'pubtator':
      throw new UserError('pubtator is an input-only format (write conll, brat or jsonl)');
    default:
      throw new UserError(`unknown format "${format as string}" (expected one of ${WRITABLE_FORMATS.join(', ')})`);
  }
}
