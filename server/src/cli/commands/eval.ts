// `bioner eval GOLD PRED`: strict span-level P/R/F1 per type and overall (conlleval's definition), plus a
// partial-overlap figure, between two annotation files/directories in any format.
// To score a model, tag GOLD into a predicted Corpus and call `reportEvaluation(gold, pred, ...)`.
import { Command, Option } from 'commander';
import { UserError } from '../../errors';
import { ANNOTATION_FORMATS, readCorpus, requireText, type AnnotationFormat, type Corpus } from '../../formats/corpus';
import { TAG_SCHEMES, type TagScheme } from '../../formats/tagSchemes';
import { alignCorpora } from '../../eval/alignCorpora';
import { formatReportTable } from '../../eval/report';
import { evaluateSpans, type EvaluationReport } from '../../eval/spanMetrics';
import { printWarnings } from './convert';

export interface EvalOutputOptions {
  json?: boolean;
  /** Names used in messages (file paths). */
  goldName?: string;
  predName?: string;
  write?: (text: string) => void;
}

/** Scores `pred` against `gold`, prints the table (or JSON) and returns the report. */
export function reportEvaluation(gold: Corpus, pred: Corpus, options: EvalOutputOptions = {}): EvaluationReport {
  const aligned = alignCorpora(gold, pred, { gold: options.goldName ?? 'GOLD', pred: options.predName ?? 'PRED' });
  const report = evaluateSpans(aligned.gold, aligned.pred);
  printReport(report, options);
  return report;
}

/** Prints a report as a table or as JSON. */
export function printReport(report: EvaluationReport, options: EvalOutputOptions = {}): void {
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  write(options.json ? JSON.stringify(report, null, 2) + '\n' : formatReportTable(report));
}

interface EvalCommandOptions {
  json?: boolean;
  goldFormat?: AnnotationFormat;
  predFormat?: AnnotationFormat;
  goldScheme?: TagScheme;
  predScheme?: TagScheme;
  model?: string;
  labelMap?: string;
}

export function register(program: Command): void {
  program
    .command('eval')
    .description('Score predicted annotations against gold ones: strict span P/R/F1 per type and overall, and partial overlap')
    .argument('<gold>', 'gold annotations (CoNLL, BRAT directory or pair, JSONL, PubTator)')
    .argument('[pred]', 'predicted annotations, in any format')
    .option('--json', 'print the report as JSON')
    .addOption(new Option('--gold-format <format>', 'format of GOLD (default: detected)').choices([...ANNOTATION_FORMATS]))
    .addOption(new Option('--pred-format <format>', 'format of PRED (default: detected)').choices([...ANNOTATION_FORMATS]))
    .addOption(new Option('--gold-scheme <scheme>', 'tag scheme of a CoNLL GOLD (default: detected)').choices([...TAG_SCHEMES]))
    .addOption(new Option('--pred-scheme <scheme>', 'tag scheme of a CoNLL PRED (default: detected)').choices([...TAG_SCHEMES]))
    .option('--model <dir>', 'instead of PRED: tag GOLD with this model (CoNLL GOLD is tagged on its own tokens)')
    .option('--label-map <map>', 'with --model: rename GOLD types to the model\'s, e.g. Chemical=DRUG,Disease=DISEASE')
    .action(async (goldPath: string, predPath: string | undefined, options: EvalCommandOptions) => {
      if (options.model) {
        if (predPath !== undefined) throw new UserError('eval: give either PRED or --model, not both');
        // Loaded lazily: only model evaluation needs tfjs.
        const { tagCorpusWithModel } = await import('../../model/evaluateModel');
        const { parseLabelMap } = await import('../../model/labels');
        const gold = readCorpus(goldPath, { format: options.goldFormat, scheme: options.goldScheme });
        requireText(gold.corpus, goldPath, 'score');
        printWarnings(gold.warnings);
        const tagged = await tagCorpusWithModel(options.model, gold.corpus, parseLabelMap(options.labelMap));
        reportEvaluation(tagged.gold, tagged.pred, { json: options.json, goldName: goldPath, predName: options.model });
        return;
      }
      if (predPath === undefined) throw new UserError('eval: give the predictions to score (PRED) or --model DIR');
      const gold = readCorpus(goldPath, { format: options.goldFormat, scheme: options.goldScheme });
      requireText(gold.corpus, goldPath, 'score');
      const pred = readCorpus(predPath, { format: options.predFormat, scheme: options.predScheme });
      printWarnings([...gold.warnings, ...pred.warnings]);
      reportEvaluation(gold.corpus, pred.corpus, { json: options.json, goldName: goldPath, predName: predPath });
    });
}
