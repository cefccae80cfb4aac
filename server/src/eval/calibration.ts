// Calibration of entity confidence: does an entity given confidence 0.9 turn out right (strict span and type) 9 times
// in 10? Predictions are put in 10 equal-width confidence bins; the expected calibration error (ECE) is the
// prediction-weighted mean gap |accuracy - mean confidence| over the bins. Also: the share of false positives given at
// least HIGH_CONFIDENCE, the errors a user would trust most.
import type { AlignedSpans } from './alignCorpora';

export const CALIBRATION_BINS = 10;
export const HIGH_CONFIDENCE = 0.95;

export interface CalibrationBin {
  /** [low, high): the last bin includes 1. */
  low: number;
  high: number;
  count: number;
  correct: number;
  meanConfidence: number;
  /** correct / count (0 for an empty bin). */
  accuracy: number;
}

export interface CalibrationReport {
  /** Predictions with a confidence (the others are not counted). */
  predictions: number;
  ece: number;
  bins: CalibrationBin[];
  falsePositives: number;
  /** False positives with confidence >= HIGH_CONFIDENCE, and their share of all false positives. */
  confidentFalsePositives: number;
  confidentFalsePositiveShare: number;
  /** Mean log loss of the confidences as probabilities of being right (what temperature fitting minimises). */
  logLoss: number;
}

/** Confidence and strict correctness of every prediction that has a confidence. */
export function scoredConfidences(aligned: AlignedSpans): { confidence: number; correct: boolean }[] {
  const out: { confidence: number; correct: boolean }[] = [];
  aligned.pred.forEach((pred, i) => {
    // A multiset of gold keys, as in evaluateSpans: a duplicated prediction is right only once.
    const remaining = new Map<string, number>();
    for (const g of aligned.gold[i]) {
      const key = `${g.start}:${g.end}:${g.label}`;
      remaining.set(key, (remaining.get(key) ?? 0) + 1);
    }
    for (const p of pred) {
      const key = `${p.start}:${p.end}:${p.label}`;
      const left = remaining.get(key) ?? 0;
      if (left > 0) remaining.set(key, left - 1);
      if (p.confidence !== undefined) out.push({ confidence: p.confidence, correct: left > 0 });
    }
  });
  return out;
}

/** The calibration report, or undefined when no prediction has a confidence. */
export function calibrationOf(aligned: AlignedSpans): CalibrationReport | undefined {
  const scored = scoredConfidences(aligned);
  if (scored.length === 0) return undefined;
  const bins: CalibrationBin[] = Array.from({ length: CALIBRATION_BINS }, (_, k) => ({
    low: k / CALIBRATION_BINS,
    high: (k + 1) / CALIBRATION_BINS,
    count: 0,
    correct: 0,
    meanConfidence: 0,
    accuracy: 0,
  }));
  let falsePositives = 0;
  let confidentFalsePositives = 0;
  let logLoss = 0;
  const clamp = (p: number) => Math.min(1 - 1e-7, Math.max(1e-7, p));
  for (const { confidence, correct } of scored) {
    const bin = bins[Math.min(CALIBRATION_BINS - 1, Math.max(0, Math.floor(confidence * CALIBRATION_BINS)))];
    bin.count++;
    bin.meanConfidence += confidence;
    if (correct) bin.correct++;
    else {
      falsePositives++;
      if (confidence >= HIGH_CONFIDENCE) confidentFalsePositives++;
    }
    logLoss -= Math.log(correct ? clamp(confidence) : 1 - clamp(confidence));
  }
  let ece = 0;
  for (const bin of bins) {
    if (bin.count === 0) continue;
    bin.meanConfidence /= bin.count;
    bin.accuracy = bin.correct / bin.count;
    ece += (bin.count / scored.length) * Math.abs(bin.accuracy - bin.meanConfidence);
  }
  return {
    predictions: scored.length,
    ece,
    bins,
    falsePositives,
    confidentFalsePositives,
    confidentFalsePositiveShare: falsePositives ? confidentFalsePositives / falsePositives : 0,
    logLoss: logLoss / scored.length,
  };
}
