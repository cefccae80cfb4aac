// Renders an EvaluationReport as a fixed-width table (per type, then overall; strict, then partial overlap), and the
// optional seen/unseen and calibration sections of `bioner eval`.
import type { CalibrationReport } from './calibration';
import type { EvaluationReport, Scores } from './spanMetrics';
import type { SeenUnseenReport } from './unseenMentions';

const percent = (x: number): string => (100 * x).toFixed(2);

function table(rows: { label: string; scores: Scores }[], total: Scores): string[] {
  const labelWidth = Math.max(8, ...rows.map((t) => t.label.length));
  const header = `${'type'.padEnd(labelWidth)}  ${'P'.padStart(6)}  ${'R'.padStart(6)}  ${'F1'.padStart(6)}  ${'gold'.padStart(7)}  ${'pred'.padStart(7)}  ${'correct'.padStart(7)}`;
  const row = (label: string, s: Scores): string =>
    `${label.padEnd(labelWidth)}  ${percent(s.precision).padStart(6)}  ${percent(s.recall).padStart(6)}  ${percent(s.f1).padStart(6)}  ` +
    `${String(s.gold).padStart(7)}  ${String(s.predicted).padStart(7)}  ${String(s.correct).padStart(7)}`;
  const rule = '-'.repeat(header.length);
  return [header, rule, ...rows.map((r) => row(r.label, r.scores)), rule, row('overall', total)];
}

const strictTable = (report: EvaluationReport) => table(report.perType.map((t) => ({ label: t.label, scores: t })), report.overall);

export function formatReportTable(report: EvaluationReport): string {
  const lines = [
    'Strict (exact span and type):',
    ...strictTable(report),
    '',
    'Partial (overlapping span, same type):',
    ...table(report.partial.perType.map((t) => ({ label: t.label, scores: t })), report.partial.overall),
  ];
  return lines.join('\n') + '\n';
}

export function formatSeenUnseen(report: SeenUnseenReport): string {
  return [
    `Seen mentions (strict; text among the ${report.trainingMentions} training mention texts, case and whitespace ignored):`,
    ...strictTable(report.seen),
    '',
    'Unseen mentions (strict; text never a training mention):',
    ...strictTable(report.unseen),
  ].join('\n') + '\n';
}

export function formatCalibration(report: CalibrationReport): string {
  const lines = [
    `Calibration of entity confidence (${report.predictions} predictions; right = strict match):`,
    `ECE (10 bins) ${report.ece.toFixed(4)}, log loss ${report.logLoss.toFixed(4)}, ` +
      `false positives at >= 0.95: ${percent(report.confidentFalsePositiveShare)}% (${report.confidentFalsePositives} of ${report.falsePositives})`,
    `${'bin'.padEnd(9)}  ${'pred'.padStart(7)}  ${'conf'.padStart(6)}  ${'acc'.padStart(6)}`,
    ...report.bins
      .filter((b) => b.count > 0)
      .map((b) => `${`${b.low.toFixed(1)}-${b.high.toFixed(1)}`.padEnd(9)}  ${String(b.count).padStart(7)}  ${percent(b.meanConfidence).padStart(6)}  ${percent(b.accuracy).padStart(6)}`),
  ];
  return lines.join('\n') + '\n';
}
