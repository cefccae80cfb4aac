// Reads labelled training/dev data as token-level IOB2 sentences from a file or a directory in any supported
// format: CoNLL columns (read on their own tokens), BRAT .txt/.ann pairs and JSONL documents (tokenised with the
// tagger's tokenizer, entity character spans mapped to the tokens they cover). A directory may mix formats
// (the extension stages a workspace's .ann, .conll and .jsonl files into one folder).
import { existsSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { UserError } from '../errors';
import { listFolder } from '../formats/listFolder';
import { corpusTokenDocuments, detectInputFormat, readCorpus, type AnnotationFormat } from '../formats/corpus';
import type { FormatWarning } from '../formats/warnings';
import { MAX_TOKENS_PER_PIECE, pieceRanges } from '../model/batching';
import type { TaggedSentence } from '../types';

export type DataFormat = 'conll' | 'brat' | 'jsonl';
export const DATA_FORMATS: readonly DataFormat[] = ['conll', 'brat', 'jsonl'];

export interface LabelledData {
  sentences: TaggedSentence[];
  warnings: FormatWarning[];
  files: string[];
}

const CONLL_EXTENSIONS = new Set(['.conll', '.conllu', '.tsv', '.iob', '.iob1', '.iob2', '.bio', '.bioes', '.iobes', '.ner', '.tags']);

/**
 * Reads FILE|DIR. A file is read in `format` or its detected format. In a directory every annotated file is read:
 * BRAT .ann files (with the .txt beside them; a .txt without .ann is not data), .jsonl files, and CoNLL files by
 * extension; `format` restricts a directory to that one format.
 */
export function readLabelledData(path: string, format?: DataFormat): LabelledData {
  if (!existsSync(path)) throw new UserError(`${path}: no such file or directory`);
  const out: LabelledData = { sentences: [], warnings: [], files: [] };
  if (!statSync(path).isDirectory()) {
    readInto(path, format ?? detectInputFormat(path), out);
  } else {
    for (const { path: file } of listFolder(path)) {
      const ext = extname(file).toLowerCase();
      const fileFormat: DataFormat | undefined =
        ext === '.ann' ? 'brat' : ext === '.jsonl' ? 'jsonl' : CONLL_EXTENSIONS.has(ext) ? 'conll' : undefined;
      if (fileFormat && (!format || format === fileFormat)) readInto(file, fileFormat, out);
    }
  }
  if (out.sentences.length === 0) throw new UserError(`${path}: no labelled sentences found (formats: conll, brat, jsonl)`);
  return out;
}

/** One file (a BRAT pair given by its .ann or .txt) as token-level sentences, via the shared corpus readers. */
function readInto(file: string, format: AnnotationFormat, out: LabelledData): void {
  const { corpus, warnings } = readCorpus(file, { format });
  out.warnings.push(...warnings);
  out.files.push(file);
  // Document formats are tokenised with the tagger's own tokenizer (what the model sees when tagging text).
  const tokenDocs = corpusTokenDocuments(corpus, 'tokenizer');
  out.warnings.push(...tokenDocs.warnings.map((w) => ({ ...w, file: corpus.kind === 'documents' ? `${file} (${w.file})` : w.file })));
  for (const d of tokenDocs.documents) {
    for (const s of d.sentences) if (s.tokens.length) out.sentences.push({ tokens: s.tokens, tags: s.tags });
  }
}

/**
 * Sentences longer than the model's piece length cut into pieces, as tagging cuts them (model/batching.ts): one
 * run-on "sentence" of a million tokens otherwise exhausts the wasm heap. A piece that starts inside an entity
 * starts it (I-X becomes B-X), so every piece is valid IOB2.
 */
export function cutLongSentences(sentences: TaggedSentence[], max = MAX_TOKENS_PER_PIECE): TaggedSentence[] {
  if (!sentences.some((s) => s.tokens.length > max)) return sentences;
  return sentences.flatMap((s) =>
    pieceRanges(s.tokens.length, max).map(([start, end]) => {
      const tags = s.tags.slice(start, end);
      if (start > 0 && tags[0]?.startsWith('I-')) tags[0] = `B-${tags[0].slice(2)}`;
      return { ...s, tokens: s.tokens.slice(start, end), tags };
    }),
  );
}
