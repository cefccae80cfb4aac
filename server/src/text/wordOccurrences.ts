// Whole-word occurrences of many strings in a long text, for the document pass (abbreviations, repeats), which the
// language server reruns over a whole document on every analysis. One left-to-right scan, with no allocation per word:
// a word's hash (computed while it is read) selects the few keys that start with that word (its cost: `npm run bench`,
// "document passes").

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/** A letter or digit (one UTF-16 code unit; ASCII without a regular expression, the rest through one). */
export function isWordChar(code: number): boolean {
  if (code < 128) return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
  return LETTER_OR_DIGIT.test(String.fromCharCode(code));
}

/** The lower-case form of one code unit (ASCII directly; a unit whose lower case is longer stays as it is). */
function lowerCode(code: number): number {
  if (code < 128) return code >= 65 && code <= 90 ? code + 32 : code;
  const lower = String.fromCharCode(code).toLowerCase();
  return lower.length === 1 ? lower.charCodeAt(0) : code;
}

const mix = (hash: number, code: number): number => Math.imul(hash ^ code, 16777619);
const HASH_SEED = 2166136261 | 0;

export interface WordOccurrence {
  start: number;
  end: number;
  /** The key found (as given, or lower-cased with ignoreCase). */
  key: string;
}

/**
 * The occurrences of `keys` in `text` that start and end at word boundaries (no letter or digit just before or just
 * after), left to right and not overlapping; where several keys fit, the longest. A key must start with a letter or
 * digit. With `ignoreCase`, keys and text are compared in lower case.
 */
export function wholeWordOccurrences(text: string, keys: Iterable<string>, options: { ignoreCase?: boolean } = {}): WordOccurrence[] {
  const ignoreCase = options.ignoreCase ?? false;
  const fold = ignoreCase ? lowerCode : (code: number) => code;
  // Keys by the hash of their first word, longest first.
  const byFirstWord = new Map<number, string[]>();
  for (const raw of keys) {
    const key = ignoreCase ? raw.toLowerCase() : raw;
    if (!key || !isWordChar(key.charCodeAt(0))) continue;
    let hash = HASH_SEED;
    for (let i = 0; i < key.length && isWordChar(key.charCodeAt(i)); i++) hash = mix(hash, fold(key.charCodeAt(i)));
    const list = byFirstWord.get(hash);
    if (list) list.push(key);
    else byFirstWord.set(hash, [key]);
  }
  for (const list of byFirstWord.values()) list.sort((a, b) => b.length - a.length);
  const found: WordOccurrence[] = [];
  if (byFirstWord.size === 0) return found;
  const matchesAt = (key: string, start: number): boolean => {
    if (start + key.length > text.length) return false;
    for (let i = 0; i < key.length; i++) if (fold(text.charCodeAt(start + i)) !== key.charCodeAt(i)) return false;
    return true;
  };
  let i = 0;
  while (i < text.length) {
    if (!isWordChar(text.charCodeAt(i))) {
      i++;
      continue;
    }
    const start = i;
    let hash = HASH_SEED;
    while (i < text.length && isWordChar(text.charCodeAt(i))) hash = mix(hash, fold(text.charCodeAt(i++)));
    const candidates = byFirstWord.get(hash);
    if (!candidates) continue;
    for (const key of candidates) {
      const end = start + key.length;
      if (!matchesAt(key, start) || (end < text.length && isWordChar(text.charCodeAt(end)))) continue;
      found.push({ start, end, key });
      i = Math.max(i, end);
      break;
    }
  }
  return found;
}
