// Renders an EvaluationReport as a fixed-width table (per type, then overall; strict, then partial overlap).
import type { EvaluationReport, Scores } from './spanMetrics';

const percent = (x: number): string => (100 * x).toFixed(2);

export function formatReportTable(report: EvaluationReport): string {
  const labelWidth = Math.max(8, ...report.perType.map((t) => t.label.length));
  const header = `${'type'.padEnd(labelWidth)}  ${'P'.padStart(6)}  ${'R'.padStart(6)}  ${'F1'.padStart(6)}  ${'gold'.padStart(7)}  ${'pred'.padStart(7)}  ${'correct'.padStart(7)}`;
  const row = (label: string, s: Scores): string =>
    `${label.padEnd(labelWidth)}  ${percent(s.precision).padStart(6)}  ${percent(s.recall).padStart(6)}  ${percent(s.f1).padStart(6)}  ` +
    `${String(s.gold).padStart(7)}  ${String(s.predicted).padStart(7)}  ${String(s.correct).padStart(7)}`;
  const rule = '-'.repeat(header.length);
  const lines = [
    'Strict (exact span and type):',
    header,
    rule,
    ...report.perType.map((t) => row(t.label, t)),
    rule,
    row('overall', report.overall),
    '',
    'Partial (overlapping span, same type):',
    header,
    rule,
    ...report.partial.perType.map((t) => row(t.label, t)),
    rule,
    row('overall', report.partial.overall),
  ];
  return lines.join('\n') + '\n';
}
