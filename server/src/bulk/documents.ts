// Turns one input file into documents: a text file is one document; a JSONL file is one `{"id","text"}` object per
// line. Files that are not text (NUL bytes, invalid UTF-8), are larger than the limit or hold nothing to tag (empty,
// only whitespace) are reported, not tagged.
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { inputError, UserError } from '../errors';
import { assertRegularFile, FileTooLargeError, readFileBoundedSync } from '../formats/boundedRead';
import { decodeText } from '../formats/inputText';
import type { InputFile, InputKind } from './inputs';

export interface BulkDocument {
  /** The JSONL object's "id" (JSONL input only). */
  id?: string | number;
  /** 1-based line of the JSONL object (JSONL input only). */
  line?: number;
  text: string;
}

export type ReadResult = { documents: BulkDocument[]; bytes: number } | { skipped: string };

/**
 * Reads a file (or stdin, path "-") and splits it into documents; `skipped` says why a file is not tagged. A leading
 * byte-order mark is not text (formats/inputText.ts: BOM): every format's offsets count from after it.
 */
export async function readDocuments(
  file: InputFile,
  maxBytes: number,
  options: { stdin?: Readable; /** stdin, already read by readStream (undefined: it was too large) */ stdinBytes?: Buffer | undefined } = {},
): Promise<ReadResult> {
  const label = file.path === '-' ? '<stdin>' : file.path;
  const bytes =
    file.path === '-'
      ? 'stdinBytes' in options
        ? options.stdinBytes
        : await readStream(options.stdin ?? process.stdin, maxBytes)
      : await readFileUpTo(file.path, maxBytes);
  if (bytes === undefined) return { skipped: `larger than --max-file-size (${maxBytes} bytes)` };
  let text: string;
  try {
    text = decodeText(bytes, label);
  } catch (error) {
    if (error instanceof UserError) return { skipped: `binary or not UTF-8 (${error.message})` };
    throw error;
  }
  // stdin has no extension: it is JSONL when its first non-blank character opens an object.
  const kind: InputKind = file.path === '-' && /^\s*\{/.test(text) ? 'jsonl' : file.kind;
  if (kind === 'jsonl') {
    const documents = parseJsonlDocuments(text, label);
    return documents.length ? { documents, bytes: bytes.length } : { skipped: 'has no documents (every line is blank): nothing to tag' };
  }
  if (!text.trim()) return { skipped: `${text.length ? 'has only whitespace' : 'is empty'}: nothing to tag` };
  return { documents: [{ text }], bytes: bytes.length };
}

/** One document per non-blank line `{"id": string|number, "text": string}`; anything else is a UserError at file:line. */
export function parseJsonlDocuments(text: string, file: string): BulkDocument[] {
  const documents: BulkDocument[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '');
    if (!line.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      throw inputError(file, i + 1, `not valid JSON (${(e as Error).message})`);
    }
    if (typeof value !== 'object' || value === null || typeof (value as { text?: unknown }).text !== 'string') {
      throw inputError(file, i + 1, 'expected an object {"id": ..., "text": "..."} with a string "text"');
    }
    const { id, text: docText } = value as { id?: unknown; text: string };
    if (id !== undefined && typeof id !== 'string' && typeof id !== 'number') {
      throw inputError(file, i + 1, '"id" must be a string or a number');
    }
    documents.push({ id: id as string | number | undefined, line: i + 1, text: docText });
  }
  return documents;
}

/**
 * The file's bytes, or undefined when it has more than maxBytes (however large its size says it is). Read in one go
 * on this thread: files are read one at a time, and the workers tag on meanwhile.
 */
async function readFileUpTo(path: string, maxBytes: number): Promise<Buffer | undefined> {
  try {
    return readFileBoundedSync(path, maxBytes);
  } catch (error) {
    if (error instanceof FileTooLargeError) return undefined;
    throw error;
  }
}

/** A stream's bytes, or undefined when it has more than maxBytes. */
export async function readStream(stream: Readable, maxBytes: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    total += buffer.length;
    if (total > maxBytes) return undefined;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** Non-blank lines of a file (a JSONL file's documents), counted without holding the file: for progress. */
export async function countLines(path: string): Promise<number> {
  let lines = 0;
  let content = false; // the current line has a non-space byte
  assertRegularFile(path); // a FIFO would never end
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      if (byte === 0x0a) {
        if (content) lines++;
        content = false;
      } else if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d) {
        content = true;
      }
    }
  }
  return content ? lines + 1 : lines;
}
