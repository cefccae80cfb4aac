// Reading user annotation files as text, with clear errors instead of garbage: binary files (NUL bytes) and invalid
// UTF-8 are rejected with the file and line of the first bad byte.
import { inputError } from '../errors';
import { MAX_TEXT_BYTES, readFileBounded, readFileBoundedSync } from './boundedRead';

/** Decodes UTF-8, throwing on an invalid byte sequence; a BOM is kept (callers drop it: BOM below). */
export const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function lineAt(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

/**
 * A leading U+FEFF is a byte-order mark, never text. That is the one rule for every reader and writer of BioNER: the
 * CLI, JSONL and BRAT offsets and the language server (VS Code drops it too) all count from the character after it,
 * and a text copy is written without it.
 */
export const BOM = '\uFEFF';

/**
 * Decodes `bytes` as UTF-8, dropping a leading byte-order mark (BOM above). `keepBom` only for a file that is edited
 * and written back (a .ann), so that the mark it had stays.
 */
export function decodeText(bytes: Uint8Array, file: string, options: { keepBom?: boolean } = {}): string {
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw inputError(file, lineAt(bytes, nul), 'contains a NUL byte: this looks like a binary file, not text');
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    // Find the first line that does not decode, line by line (linear overall).
    let lineStart = 0;
    let line = 1;
    for (let i = 0; i <= bytes.length; i++) {
      if (i === bytes.length || bytes[i] === 0x0a) {
        try {
          strictUtf8.decode(bytes.subarray(lineStart, i));
        } catch {
          throw inputError(file, line, 'is not valid UTF-8 text (convert it to UTF-8 first)');
        }
        lineStart = i + 1;
        line++;
      }
    }
    throw inputError(file, undefined, 'is not valid UTF-8 text');
  }
  if (!options.keepBom && text.startsWith(BOM)) text = text.slice(BOM.length);
  return text;
}

/** Reads a text file strictly (see decodeText); a missing, unreadable, odd (FIFO, device) or too large file is a UserError. */
export function readTextFile(file: string, options: { keepBom?: boolean; maxBytes?: number } = {}): string {
  return decodeText(readFileBoundedSync(file, options.maxBytes ?? MAX_TEXT_BYTES), file, options);
}

/** readTextFile off the calling thread (formats/boundedRead.ts: readFileBounded), for the language server. */
export async function readTextFileAsync(file: string, options: { keepBom?: boolean; maxBytes?: number } = {}): Promise<string> {
  return decodeText(await readFileBounded(file, options.maxBytes ?? MAX_TEXT_BYTES), file, options);
}
