// `bioner eval GOLD PRED`: strict span-level P/R/F1 per type and overall (conlleval's definition), plus a
// partial-overlap figure, between two annotation files/directories in any format.
// With --unseen-from, also seen vs unseen mentions (eval/unseenMentions.ts); whenever the predictions carry
// confidences, the calibration of those (eval/calibration.ts), drawn as a PNG by --calibration-plot.
// To score a model, tag GOLD into a predicted Corpus and call `reportEvaluation(gold, pred, ...)`.
import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { UserError } from '../../errors';
import { ANNOTATION_FORMATS, corpusDocuments, readCorpus, requireText, type AnnotationFormat, type Corpus } from '../../formats/corpus';
import { TAG_SCHEMES, type TagScheme } from '../../formats/tagSchemes';
import { alignCorpora } from '../../eval/alignCorpora';
import { calibrationOf, type CalibrationReport } from '../../eval/calibration';
import { reliabilityDiagramPng } from '../../eval/reliabilityDiagram';
import { formatCalibration, formatReportTable, formatSeenUnseen } from '../../eval/report';
import { evaluateSpans, type EvaluationReport } from '../../eval/spanMetrics';
import { mentionKeys, scoreSeenUnseen, type SeenUnseenReport } from '../../eval/unseenMentions';
import { printWarnings } from './convert';

export interface EvalOutputOptions {
  json?: boolean;
  /** Names used in messages (file paths). */
  goldName?: string;
  predName?: string;
  write?: (text: string) => void;
  /** Mention keys of the training data (mentionKeys): adds the seen/unseen split. */
  trainingMentions?: ReadonlySet<string>;
  /** PRED is the output of a model with these labels: a type mismatch suggests a --label-map to them. */
  modelLabels?: string[];
  /** Writes the reliability diagram (PNG) here; the predictions must have confidences. */
  calibrationPlot?: string;
}

/** The strict and partial scores, plus the seen/unseen split and the calibration when they apply. */
export type FullEvaluationReport = EvaluationReport & { seenUnseen?: SeenUnseenReport; calibration?: CalibrationReport };

/** Scores `pred` against `gold`, prints the table (or JSON) and returns the report. */
export function reportEvaluation(gold: Corpus, pred: Corpus, options: EvalOutputOptions = {}): FullEvaluationReport {
  const aligned = alignCorpora(gold, pred, { gold: options.goldName ?? 'GOLD', pred: options.predName ?? 'PRED' });
  const report: FullEvaluationReport = evaluateSpans(aligned.gold, aligned.pred);
  if (options.trainingMentions) report.seenUnseen = scoreSeenUnseen(aligned, options.trainingMentions);
  const calibration = calibrationOf(aligned);
  if (calibration) report.calibration = calibration;
  if (options.calibrationPlot) {
    if (!calibration) throw new UserError(`--calibration-plot: ${options.predName ?? 'PRED'} has no entity confidences to plot`);
    writeFileSync(options.calibrationPlot, reliabilityDiagramPng(calibration));
  }
  printReport(report, options);
  const mismatch = typeMismatch(report, options.predName ?? 'PRED', options.modelLabels);
  if (mismatch) process.stderr.write(`bioner eval: warning: ${mismatch}\n`);
  return report;
}

/**
 * When GOLD and PRED share no entity type, every score is 0 for a reason the table does not show (BC5CDR's Chemical
 * and Disease against a model's DRUG and DISEASE): says so, with a --label-map to try when there is a model.
 */
export function typeMismatch(report: EvaluationReport, predName: string, modelLabels?: string[]): string | undefined {
  const goldTypes = report.perType.filter((t) => t.gold > 0).map((t) => t.label);
  const predTypes = modelLabels ? [...modelLabels].sort() : report.perType.filter((t) => t.predicted > 0).map((t) => t.label);
  if (!goldTypes.length || !predTypes.length || goldTypes.some((t) => predTypes.includes(t))) return undefined;
  let message = `no entity type in common: the gold has ${goldTypes.join(', ')}, ${predName} has ${predTypes.join(', ')}, so every strict score is 0.`;
  if (!modelLabels) return `${message} Rename the types so they match.`;
  // Same name in another case first (Disease=DISEASE), then the rest in order.
  const unmatched = [...predTypes];
  const pairs: Array<[string, string | undefined]> = goldTypes.map((g) => {
    const i = unmatched.findIndex((p) => p.toLowerCase() === g.toLowerCase());
    return [g, i >= 0 ? unmatched.splice(i, 1)[0] : undefined];
  });
  for (const pair of pairs) if (!pair[1] && unmatched.length) pair[1] = unmatched.shift();
  message += ` Map the gold types to the model's with --label-map, e.g. --label-map ${pairs.map(([g, p]) => `${g}=${p ?? 'O'}`).join(',')}`;
  return message;
}

/** Prints a report as a table or as JSON. */
export function printReport(report: FullEvaluationReport, options: EvalOutputOptions = {}): void {
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  if (options.json) {
    write(JSON.stringify(report, null, 2) + '\n');
    return;
  }
  const sections = [formatReportTable(report)];
  if (report.seenUnseen) sections.push(formatSeenUnseen(report.seenUnseen));
  if (report.calibration) sections.push(formatCalibration(report.calibration));
  write(sections.join('\n'));
}

/** Mention keys of the gold entities of training files (any annotated format). */
export function readTrainingMentions(paths: string[]): Set<string> {
  const texts: string[] = [];
  for (const path of paths) {
    const { corpus, warnings } = readCorpus(path);
    printWarnings(warnings);
    for (const d of corpusDocuments(corpus)) for (const e of d.entities) texts.push(d.text.slice(e.start, e.end));
  }
  return mentionKeys(texts);
}

interface EvalCommandOptions {
  json?: boolean;
  goldFormat?: AnnotationFormat;
  predFormat?: AnnotationFormat;
  goldScheme?: TagScheme;
  predScheme?: TagScheme;
  model?: string;
  labelMap?: string;
  unseenFrom?: string[];
  calibrationPlot?: string;
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
    .option(
      '--unseen-from <files...>',
      'also score seen and unseen mentions apart: a mention is unseen when its text (case and whitespace ignored) is no gold mention of these training files',
    )
    .option('--calibration-plot <png>', 'write the reliability diagram of the entity confidences (10 bins) to this PNG file')
    .action(async (goldPath: string, predPath: string | undefined, options: EvalCommandOptions) => {
      const output: EvalOutputOptions = {
        json: options.json,
        goldName: goldPath,
        trainingMentions: options.unseenFrom ? readTrainingMentions(options.unseenFrom) : undefined,
        calibrationPlot: options.calibrationPlot,
      };
      if (options.model) {
        if (predPath !== undefined) throw new UserError('eval: give either PRED or --model, not both');
        // Loaded lazily: only model evaluation needs tfjs.
        const { tagCorpusWithModel } = await import('../../tagging/tagCorpus');
        const { parseLabelMap } = await import('../../model/labels');
        const gold = readCorpus(goldPath, { format: options.goldFormat, scheme: options.goldScheme });
        requireText(gold.corpus, goldPath, 'score');
        printWarnings(gold.warnings);
        const tagged = await tagCorpusWithModel(options.model, gold.corpus, parseLabelMap(options.labelMap));
        reportEvaluation(tagged.gold, tagged.pred, { ...output, predName: options.model, modelLabels: tagged.labels });
        return;
      }
      if (predPath === undefined) throw new UserError('eval: give the predictions to score (PRED) or --model DIR');
      const gold = readCorpus(goldPath, { format: options.goldFormat, scheme: options.goldScheme });
      requireText(gold.corpus, goldPath, 'score');
      const pred = readCorpus(predPath, { format: options.predFormat, scheme: options.predScheme });
      printWarnings([...gold.warnings, ...pred.warnings]);
      reportEvaluation(gold.corpus, pred.corpus, { ...output, predName: predPath });
    });
}
