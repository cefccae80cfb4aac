// Unlabelled text for LM pre-training and vocabularies: plain text files (any layout; blank lines separate
// paragraphs) and PubTator files (`PMID|t|title`, `PMID|a|abstract`, annotation lines ignored), tokenised into
// sentences of words with the product's tokenizer.
import { readTextFile } from '../formats/inputText';
import { looksLikePubtator, parsePubtator } from '../formats/pubtator';
import { tokenize } from '../text/tokenizer';
import { MODEL_TOKENIZATION } from '../model/tokenization';

/** Splits a file's text into independent text blocks to tokenise: PubTator documents, or non-blank lines. */
export function textBlocks(content: string, file: string): string[] {
  if (looksLikePubtator(content)) return parsePubtator(content, file).map((d) => d.text);
  // Plain text: each line is tokenised on its own (the corpora here hold one sentence or paragraph per line).
  return content.split(/\r?\n/).filter((l) => l.trim() !== '');
}

/**
 * Reads files into tokenised sentences (word strings). Sentences longer than `maxLength` tokens are cut into
 * pieces, so one run-on line cannot blow up a batch.
 */
export function readSentences(files: string[], maxLength = 100): string[][] {
  const sentences: string[][] = [];
  for (const file of files) {
    const content = readTextFile(file);
    for (const block of textBlocks(content, file)) {
      for (const s of tokenize(block, MODEL_TOKENIZATION)) {
        const words = s.tokens.map((t) => t.text);
        for (let i = 0; i < words.length; i += maxLength) sentences.push(words.slice(i, i + maxLength));
      }
    }
  }
  return sentences;
}
