// Turns one input file into documents: a text file is one document; a JSONL file is one `{"id","text"}` object per
// line, streamed from disk in two passes (scanJsonl, streamJsonl) so that a JSONL file of any size is never held whole. Files that are not text (NUL bytes, invalid UTF-8), are larger than the limit or hold nothing to tag (empty,
// only whitespace) are reported, not tagged.
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { inputError, UserError } from '../errors';
import { assertRegularFile, FileTooLargeError, readError, readFileBoundedSync } from '../formats/boundedRead';
import { BOM, decodeText, strictUtf8 } from '../formats/inputText';
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
    const document = parseJsonlLine(lines[i], file, i + 1);
    if (document) documents.push(document);
  }
  return documents;
}

/** One JSONL line as a document (undefined when blank); a malformed line is a UserError at file:line. */
function parseJsonlLine(raw: string, file: string, lineNumber: number): BulkDocument | undefined {
  const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  if (!line.trim()) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (e) {
    throw inputError(file, lineNumber, `not valid JSON (${(e as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || typeof (value as { text?: unknown }).text !== 'string') {
    throw inputError(file, lineNumber, 'expected an object {"id": ..., "text": "..."} with a string "text"');
  }
  const { id, text } = value as { id?: unknown; text: string };
  if (id !== undefined && typeof id !== 'string' && typeof id !== 'number') {
    throw inputError(file, lineNumber, '"id" must be a string or a number');
  }
  return { id: id as string | number | undefined, line: lineNumber, text };
}

/** What the first pass over a JSONL file found: its documents' count and its bytes' hash, or why it is not tagged. */
export type JsonlScan = { documents: number; hash: string } | { skipped: string };

/**
 * The first of two streamed passes over a JSONL file (the file is never held whole, however large): checks every
 * line (a malformed one is a UserError at file:line, before anything is tagged), counts the documents and hashes the
 * bytes (outputs.ts: the completion key). streamJsonl is the second pass.
 */
export async function scanJsonl(path: string, maxBytes: number): Promise<JsonlScan> {
  assertRegularFile(path);
  const tooLarge = { skipped: `larger than --max-file-size (${maxBytes} bytes)` };
  if (statSync(path).size > maxBytes) return tooLarge;
  const hash = createHash('sha256');
  let bytes = 0;
  let documents = 0;
  try {
    for await (const document of jsonlDocuments(path, (chunk) => {
      hash.update(chunk);
      bytes += chunk.length;
    })) {
      if (bytes > maxBytes) return tooLarge; // it grew meanwhile
      if (document) documents++;
    }
  } catch (error) {
    if (error instanceof NotTextError) return { skipped: `binary or not UTF-8 (${error.message})` };
    throw readError(path, error);
  }
  if (bytes > maxBytes) return tooLarge;
  return documents ? { documents, hash: hash.digest('hex') } : { skipped: 'has no documents (every line is blank): nothing to tag' };
}

/**
 * The second pass: a JSONL file's documents one at a time, in order (the file was checked by scanJsonl). `hash` is
 * the first pass's: a file whose bytes differ now (rewritten since, or while it is read) ends the stream with a
 * UserError after its last document, so that no output is made of documents other than those its key names.
 */
export async function* streamJsonl(path: string, hash?: string): AsyncGenerator<BulkDocument> {
  const now = createHash('sha256');
  for await (const document of jsonlDocuments(path, hash ? (chunk) => now.update(chunk) : undefined)) if (document) yield document;
  if (hash && now.digest('hex') !== hash) {
    throw new UserError(`${path}: changed while it was being read (its documents are not what was checked and hashed): run again to tag what it holds now`);
  }
}

/** A line that is not text (a NUL byte, invalid UTF-8): the file is skipped as binary, as readDocuments does. */
class NotTextError extends UserError {}

/** Each line of a JSONL file as a document (undefined for a blank line), read a chunk at a time; `onChunk` sees every byte. */
async function* jsonlDocuments(path: string, onChunk?: (chunk: Buffer) => void): AsyncGenerator<BulkDocument | undefined> {
  let lineNumber = 0;
  let carry: Buffer[] = [];
  const line = (bytes: Buffer): BulkDocument | undefined => {
    lineNumber++;
    if (bytes.includes(0)) throw new NotTextError(inputError(path, lineNumber, 'contains a NUL byte: this looks like a binary file, not text').message);
    let text: string;
    try {
      text = strictUtf8.decode(bytes);
    } catch {
      throw new NotTextError(inputError(path, lineNumber, 'is not valid UTF-8 text (convert it to UTF-8 first)').message);
    }
    if (lineNumber === 1 && text.startsWith(BOM)) text = text.slice(BOM.length);
    return parseJsonlLine(text, path, lineNumber);
  };
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
    onChunk?.(chunk);
    let start = 0;
    for (let end = chunk.indexOf(0x0a); end >= 0; end = chunk.indexOf(0x0a, start)) {
      const part = chunk.subarray(start, end);
      yield line(carry.length ? Buffer.concat([...carry, part]) : part);
      carry = [];
      start = end + 1;
    }
    if (start < chunk.length) carry.push(Buffer.from(chunk.subarray(start))); // a copy: the chunk is not ours to keep
  }
  if (carry.length) yield line(Buffer.concat(carry));
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
