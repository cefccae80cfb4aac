// Scores of assertions (negation, temporality, experiencer) against gold ones: for each property its accuracy and,
// for each value other than the default (negated, possible, historical, hypothetical, other), precision, recall
// and F1 with that value as the positive class.
import type { Assertion } from '../types';
import { scoresFromCounts, type Scores } from './spanMetrics';

type Values = Pick<Assertion, 'negation' | 'temporality' | 'experiencer'>;

export const ASSERTION_CLASSES = {
  negation: ['negated', 'possible'],
  temporality: ['historical', 'hypothetical'],
  experiencer: ['other'],
} as const;

export interface ClassScores extends Scores {
  property: keyof Values;
  value: string;
}

export interface AssertionReport {
  rows: number;
  accuracy: Record<keyof Values, number>;
  classes: ClassScores[];
}

export function scoreAssertions(gold: readonly Values[], predicted: readonly Values[]): AssertionReport {
  const properties = Object.keys(ASSERTION_CLASSES) as (keyof Values)[];
  const accuracy = {} as Record<keyof Values, number>;
  const classes: ClassScores[] = [];
  for (const property of properties) {
    const same = gold.filter((g, i) => g[property] === predicted[i][property]).length;
    accuracy[property] = gold.length === 0 ? 0 : same / gold.length;
    for (const value of ASSERTION_CLASSES[property]) {
      const goldCount = gold.filter((g) => g[property] === value).length;
      const predictedCount = predicted.filter((p) => p[property] === value).length;
      const correct = gold.filter((g, i) => g[property] === value && predicted[i][property] === value).length;
      classes.push({ property, value, ...scoresFromCounts(correct, goldCount, predictedCount) });
    }
  }
  return { rows: gold.length, accuracy, classes };
}

const percent = (x: number): string => (100 * x).toFixed(2);

export function formatAssertionReport(report: AssertionReport): string {
  const lines = [
    `${report.rows} entities`,
    `${'property'.padEnd(12)}  ${'class'.padEnd(12)}  ${'P'.padStart(6)}  ${'R'.padStart(6)}  ${'F1'.padStart(6)}  ${'gold'.padStart(5)}  ${'pred'.padStart(5)}  ${'correct'.padStart(7)}`,
  ];
  for (const c of report.classes) {
    lines.push(
      `${c.property.padEnd(12)}  ${c.value.padEnd(12)}  ${percent(c.precision).padStart(6)}  ${percent(c.recall).padStart(6)}  ` +
        `${percent(c.f1).padStart(6)}  ${String(c.gold).padStart(5)}  ${String(c.predicted).padStart(5)}  ${String(c.correct).padStart(7)}`,
    );
  }
  lines.push('', 'accuracy: ' + Object.entries(report.accuracy).map(([p, a]) => `${p} ${percent(a)}`).join(', '));
  return lines.join('\n') + '\n';
}
