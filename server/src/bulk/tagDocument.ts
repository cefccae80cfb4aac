// One document of an input file through the pipeline and into its output format: what a local run (localBackend.ts)
// and a queue worker (queue/worker.ts) both do with each document, so that their outputs are the same bytes.
import type { DocumentPass } from '../tagging/passes';
import { tagSegmented } from '../tagging/pipeline';
import { languageOfFile, segment } from '../tagging/segmenter';
import type { SentenceTagger } from '../tagging/tagger';
import type { Sentence } from '../types';
import type { BulkDocument } from './documents';
import type { InputFile } from './inputs';
import { renderDocument, type OutputFormat, type TaggedDocument } from './render';

/**
 * One document of an input file through the pipeline (tagging/pipeline.ts), its sentences tagged in the batcher's
 * shared batches. `sentences`: the document already segmented (segment(doc.text, languageOfInput(file))).
 */
export async function tagFileDocument(
  batcher: SentenceTagger,
  passes: readonly DocumentPass[],
  file: InputFile,
  doc: BulkDocument,
  sentences: Sentence[] = segment(doc.text, languageOfInput(file)),
): Promise<TaggedDocument> {
  const { entities } = await tagSegmented(batcher, doc.text, sentences, { languageId: languageOfInput(file), passes });
  return { file: file.rel, id: doc.id, line: doc.line, text: doc.text, sentences, entities };
}

/** A JSONL line's text is plain text whatever the file; a .md file's fenced code is not tagged, as in the editor. */
export function languageOfInput(file: InputFile): string {
  return file.kind === 'jsonl' || file.path === '-' ? 'plaintext' : languageOfFile(file.path);
}

/** A line naming the file before its documents, when several files share one output (stdout). */
export function fileHeader(format: OutputFormat, file: InputFile, many: boolean, ownFile: boolean): string | undefined {
  // An .ann of its own is stamped when it is written (sinks.ts: StampedAnnSink); JSONL objects name their file; CoNLL
  // documents get -DOCSTART- lines; JSONL input documents get a header each.
  if (!many || ownFile || format === 'jsonl' || format === 'conll' || file.kind === 'jsonl') return undefined;
  return format === 'inline' ? `==> ${file.rel} <==\n` : `# file = ${file.rel}\n`;
}

/** A document's output, introduced by its name where several documents share one output. */
export function renderFor(format: OutputFormat, doc: TaggedDocument, ownFile: boolean, many: boolean, fromJsonl: boolean): string {
  if (format === 'jsonl') return renderDocument(format, doc);
  if (!fromJsonl) return renderDocument(format, doc, many && !ownFile ? doc.file : undefined);
  const id = doc.id === undefined ? `line ${doc.line}` : String(doc.id);
  if (format === 'conll') return renderDocument(format, doc, id);
  const name = `${doc.id === undefined ? '' : `id = ${doc.id}, `}line = ${doc.line}`;
  if (format === 'inline') return `==> ${ownFile ? '' : `${doc.file} `}${name} <==\n${renderDocument(format, doc)}`;
  return `# ${name}\n${renderDocument(format, doc)}`;
}
