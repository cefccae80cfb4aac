// `bioner calibrate --model DIR --dev DATA`: fits the temperature of a tagger's confidences on labelled dev data and
// stores it in the model's config.json ("calibration"). Entities stay the same (decode.ts: the Viterbi path does not
// depend on the temperature); only their confidences change. The temperature minimises the log loss of the entity
// confidences as the probability of being right (a strict match of span and type), over a grid.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { initEngine } from '../../engine/backend';
import { writeFileAtomicSync } from '../../files/atomicWrite';
import { readModelFolderConfig } from '../../model/folder';
import { calibrationOf, type CalibrationReport } from '../../eval/calibration';
import type { AlignedSpan } from '../../eval/alignCorpora';
import { tagsToSpans } from '../../formats/tagSchemes';
import { formatWarning } from '../../formats/warnings';
import { bucketBatches } from '../../model/batching';
import { decodeSentence } from '../../model/decode';
import { applyLabelMap, parseLabelMap } from '../../model/labels';
import { loadModelDir } from '../../model/modelDir';
import type { TaggerModel } from '../../model/tagger';
import { readLabelledData } from '../../train/trainingData';
import type { TaggedSentence } from '../../types';

/** Temperatures tried: 0.5 to 4 in steps of 0.05. */
export const TEMPERATURE_GRID = Array.from({ length: 71 }, (_, k) => Math.round((0.5 + k * 0.05) * 100) / 100);

export interface TemperatureFit {
  temperature: number;
  /** The calibration at the chosen temperature and at 1 (uncalibrated). */
  fitted: CalibrationReport;
  uncalibrated: CalibrationReport;
}

/** Fits the temperature of `model` on gold sentences (tagged on their own tokens). */
export function fitTemperature(model: TaggerModel, gold: TaggedSentence[], grid = TEMPERATURE_GRID): TemperatureFit {
  // Emissions are computed once; each temperature only recomputes the span probabilities.
  const inputs: { view: ReturnType<TaggerModel['crfInputs']>['views'][number]; sentence: number }[] = [];
  let scores: ReturnType<TaggerModel['crfInputs']>['scores'] | undefined;
  for (const batch of bucketBatches(gold.map((s) => s.tokens.length), { maxTokens: 2048 })) {
    const out = model.crfInputs(batch.map((i) => gold[i].tokens));
    scores = out.scores;
    out.views.forEach((view, k) => inputs.push({ view, sentence: batch[k] }));
  }
  const goldSpans: AlignedSpan[][] = gold.map((s) => tagsToSpans(s.tags).spans.map((e) => ({ ...e, text: '' })));
  const at = (temperature: number): CalibrationReport => {
    const pred: AlignedSpan[][] = gold.map(() => []);
    for (const { view, sentence } of inputs) {
      for (const e of decodeSentence(view, scores!, model.tagSet, true, temperature)) {
        pred[sentence].push({ start: e.first, end: e.last + 1, label: e.label, text: '', confidence: e.confidence });
      }
    }
    return calibrationOf({ gold: goldSpans, pred }) ?? { predictions: 0, ece: 0, bins: [], falsePositives: 0, confidentFalsePositives: 0, confidentFalsePositiveShare: 0, logLoss: 0 };
  };
  let best = { temperature: 1, report: at(1) };
  const uncalibrated = best.report;
  for (const temperature of grid) {
    const report = at(temperature);
    if (report.logLoss < best.report.logLoss) best = { temperature, report };
  }
  return { temperature: best.temperature, fitted: best.report, uncalibrated };
}

interface CalibrateFlags {
  model: string;
  dev: string;
  labelMap?: string;
}

export function register(program: Command): void {
  program
    .command('calibrate')
    .description(
      "Fit the temperature of a model's confidences on labelled dev data and store it in the model's config.json (the entities stay the same)",
    )
    .requiredOption('--model <dir>', 'the model folder (its config.json gets "calibration")')
    .requiredOption('--dev <path>', 'labelled dev data (CoNLL, BRAT .txt/.ann, JSONL), never the test data you report')
    .option('--label-map <map>', "rename the dev data's types to the model's, e.g. Chemical=DRUG,Disease=DISEASE")
    .action(async (flags: CalibrateFlags) => {
      await initEngine();
      const data = readLabelledData(flags.dev);
      for (const w of data.warnings.slice(0, 10)) process.stderr.write(`bioner calibrate: warning: ${formatWarning(w)}\n`);
      const gold = applyLabelMap(data.sentences, parseLabelMap(flags.labelMap));
      const { model, config } = loadModelDir(flags.model);
      let fit: TemperatureFit;
      try {
        model.temperature = 1;
        fit = fitTemperature(model, gold);
      } finally {
        model.dispose();
      }
      const { file, raw } = readModelFolderConfig(flags.model);
      const r4 = (x: number) => Math.round(x * 10000) / 10000;
      raw.calibration = {
        temperature: fit.temperature,
        fittedOn: resolve(flags.dev),
        devLogLoss: r4(fit.fitted.logLoss),
        devEce: r4(fit.fitted.ece),
        uncalibratedDevEce: r4(fit.uncalibrated.ece),
      };
      writeFileAtomicSync(file, JSON.stringify(raw, null, 2) + '\n');
      const was = config.calibration?.temperature ?? 1;
      process.stdout.write(
        `temperature ${fit.temperature} (was ${was}) on ${gold.length} dev sentences: ECE ${fit.uncalibrated.ece.toFixed(4)} -> ${fit.fitted.ece.toFixed(4)}, ` +
          `log loss ${fit.uncalibrated.logLoss.toFixed(4)} -> ${fit.fitted.logLoss.toFixed(4)}, false positives at >= 0.95 ` +
          `${(100 * fit.uncalibrated.confidentFalsePositiveShare).toFixed(1)}% -> ${(100 * fit.fitted.confidentFalsePositiveShare).toFixed(1)}%; written to ${file}\n`,
      );
    });
}
