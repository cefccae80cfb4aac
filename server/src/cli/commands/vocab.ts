// `bioner vocab --text FILE... --out DIR`: word and character vocabularies for LM pre-training.
import { mkdirSync } from 'node:fs';
import type { Command } from 'commander';
import { positiveInt } from '../flags';
import { readSentences } from '../../train/rawText';
import { CharVocab, saveVocabs, VocabCounter, WordVocab } from '../../model/vocab';

interface VocabFlags {
  text: string[];
  out: string;
  maxWords: number;
  minCount: number;
  minCharCount: number;
}

export function register(program: Command): void {
  program
    .command('vocab')
    .description('Build the word vocabulary (top-N words + <unk>, <s>, </s>) and the character vocabulary from raw text or PubTator files.')
    .requiredOption('--text <files...>', 'raw text (one sentence or paragraph per line) or PubTator files')
    .requiredOption('-o, --out <dir>', 'output folder (words.txt, chars.txt)')
    .option('--max-words <n>', 'at most this many words (by frequency)', positiveInt, 20000)
    .option('--min-count <k>', 'keep words seen at least k times', positiveInt, 2)
    .option('--min-char-count <k>', 'keep characters seen at least k times', positiveInt, 2)
    .action((flags: VocabFlags) => {
      const counter = new VocabCounter();
      for (const s of readSentences(flags.text)) counter.add(s);
      const words = WordVocab.build(counter.words, flags.maxWords, flags.minCount);
      const chars = CharVocab.build(counter.chars, flags.minCharCount);
      mkdirSync(flags.out, { recursive: true });
      saveVocabs(flags.out, words, chars);
      let covered = 0;
      for (const [w, c] of counter.words) if (words.id(w) !== 0 || w === '<unk>') covered += c;
      process.stderr.write(
        `bioner vocab: ${counter.tokens} tokens, ${counter.words.size} word types -> ${words.size} words ` +
          `(${((100 * covered) / Math.max(1, counter.tokens)).toFixed(1)}% of tokens covered), ${chars.size} chars -> ${flags.out}\n`,
      );
    });
}
