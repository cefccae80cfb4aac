// `bioner convert IN OUT`: converts annotations between CoNLL, BRAT and JSONL (PubTator is read too).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { Command, Option } from 'commander';
import { UserError } from '../../errors';
import {
  ANNOTATION_FORMATS,
  WRITABLE_FORMATS,
  detectInputFormat,
  detectOutputFormat,
  readCorpus,
  requireText,
  writeCorpus,
  type AnnotationFormat,
} from '../../formats/corpus';
import { TAG_SCHEMES, type TagScheme } from '../../formats/tagSchemes';
import { formatWarning, type FormatWarning } from '../../formats/warnings';
import type { Tokenization } from '../../formats/alignment';

interface ConvertOptions {
  from?: AnnotationFormat;
  to?: AnnotationFormat;
  scheme: 'iob2' | 'bioes';
  inputScheme?: TagScheme;
  tokenization: Tokenization;
  force?: boolean;
}

/** Prints warnings to stderr, at most `limit` of them, then a count of the rest. */
export function printWarnings(warnings: readonly FormatWarning[], limit = 20): void {
  for (const w of warnings.slice(0, limit)) process.stderr.write(`warning: ${formatWarning(w)}\n`);
  if (warnings.length > limit) process.stderr.write(`warning: ... and ${warnings.length - limit} more warnings\n`);
}

function refuseToOverwrite(out: string): void {
  if (!existsSync(out)) return;
  if (statSync(out).isDirectory() && readdirSync(out).length === 0) return;
  throw new UserError(`${out}: already exists; choose another output or pass --force to overwrite`);
}

export function register(program: Command): void {
  program
    .command('convert')
    .description('Convert annotations between CoNLL (IOB1/IOB2/BIOES), BRAT standoff and JSONL (PubTator can be read)')
    .argument('<in>', 'input file or directory (a BRAT input is a directory of .txt/.ann pairs or one pair)')
    .argument('<out>', 'output file or directory (.jsonl, .conll/.tsv/.iob2, or a directory / .txt for BRAT)')
    .addOption(new Option('--from <format>', 'input format (default: detected)').choices([...ANNOTATION_FORMATS]))
    .addOption(new Option('--to <format>', 'output format (default: from the output name)').choices([...WRITABLE_FORMATS]))
    .addOption(new Option('--scheme <scheme>', 'tag scheme of CoNLL output').choices(['iob2', 'bioes']).default('iob2'))
    .addOption(new Option('--input-scheme <scheme>', 'tag scheme of CoNLL input (default: detected)').choices([...TAG_SCHEMES]))
    .addOption(
      new Option(
        '--tokenization <how>',
        'how documents become CoNLL tokens: the BioNER tokenizer, its BC5CDR-identical style (every punctuation mark split), ' +
          'or one sentence per line and whitespace-separated tokens',
      )
        .choices(['tokenizer', 'conll-style', 'whitespace'])
        .default('tokenizer'),
    )
    .option('--force', 'overwrite an existing output')
    .action((input: string, out: string, options: ConvertOptions) => {
      const from = options.from ?? detectInputFormat(input);
      const to = options.to ?? detectOutputFormat(out);
      if (!options.force) refuseToOverwrite(out);
      const { corpus, warnings } = readCorpus(input, { format: from, scheme: options.inputScheme });
      requireText(corpus, input, 'convert');
      const writeWarnings = writeCorpus(out, corpus, { format: to, scheme: options.scheme, tokenization: options.tokenization });
      printWarnings([...warnings, ...writeWarnings]);
      const documents = corpus.documents.length;
      process.stderr.write(`converted ${documents} document${documents === 1 ? '' : 's'} from ${from} to ${to}: ${out}\n`);
    });
}
