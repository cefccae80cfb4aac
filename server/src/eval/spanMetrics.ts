// Span-level precision / recall / F1, the CoNLL definition (conlleval, seqeval's default mode):
//  - an entity is a (start, end, type) triple; a prediction is correct only if all three equal a gold entity's
//    ("strict" / exact match); counts are summed over all sequences and types (micro average);
//  - P = correct / predicted, R = correct / gold, F1 = 2PR / (P + R); each is 0 when its denominator is 0, as
//    conlleval prints it (so "no gold and no predictions" scores 0, not 1).
// Also a lenient "partial" figure: a prediction counts if it overlaps a gold entity of the same type, and a gold
// entity is found if some prediction of its type overlaps it.
// Tag sequences are decoded with conlleval's chunk rules (see formats/tagSchemes.ts): I-X after O starts an entity
// whatever the scheme, so IOB1 and IOB2 encodings of the same entities score identically.
import type { Span } from '../types';
import { tagsToSpans, type TagScheme } from '../formats/tagSchemes';

export interface Scores {
  precision: number;
  recall: number;
  f1: number;
  /** Gold entities. */
  gold: number;
  /** Predicted entities. */
  predicted: number;
  /** Correct predictions (strict), or for partial scores: predictions overlapping a gold entity. */
  correct: number;
}

export interface LabelScores extends Scores {
  label: string;
}

export interface PartialScores {
  overall: Scores & { goldFound: number };
  perType: (LabelScores & { goldFound: number })[];
}

export interface EvaluationReport {
  /** Strict, micro-averaged over all types. */
  overall: Scores;
  /** Strict, per type, sorted by label. */
  perType: LabelScores[];
  /** Overlap-based figures. */
  partial: PartialScores;
}

function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

function f1Of(precision: number, recall: number): number {
  return precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
}

/** Scores from counts; exported for callers that accumulate counts themselves. */
export function scoresFromCounts(correct: number, gold: number, predicted: number): Scores {
  const precision = ratio(correct, predicted);
  const recall = ratio(correct, gold);
  return { precision, recall, f1: f1Of(precision, recall), gold, predicted, correct };
}

interface Counts {
  gold: number;
  predicted: number;
  correct: number;
  partialCorrect: number;
  partialGoldFound: number;
}

/**
 * A test "does some span of `spans` with this label overlap [start, end)?" in O(log n) per question: per label, spans
 * sorted by start with the running maximum of their ends; the spans starting before `end` are a prefix (binary
 * search) and one of them overlaps iff the largest end among them is past `start`. A sentence of a million tokens
 * with its entities is scored in O(n log n), not O(gold x predicted).
 */
function overlapIndex(spans: readonly Span[]): (span: Span) => boolean {
  const byLabel = new Map<string, { starts: number[]; maxEnds: number[] }>();
  for (const [label, group] of groupByLabel(spans)) {
    group.sort((x, y) => x.start - y.start);
    const maxEnds: number[] = [];
    let max = -Infinity;
    for (const span of group) maxEnds.push((max = Math.max(max, span.end)));
    byLabel.set(label, { starts: group.map((x) => x.start), maxEnds });
  }
  return (span) => {
    const index = byLabel.get(span.label);
    if (!index) return false;
    let lo = 0;
    let hi = index.starts.length; // first position whose start is >= span.end
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (index.starts[mid] < span.end) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 && index.maxEnds[lo - 1] > span.start;
  };
}

function groupByLabel(spans: readonly Span[]): Map<string, Span[]> {
  const groups = new Map<string, Span[]>();
  for (const span of spans) {
    const group = groups.get(span.label);
    if (group) group.push(span);
    else groups.set(span.label, [span]);
  }
  return groups;
}

/** Strict and partial span scores. `gold[i]` and `pred[i]` are the entities of the same sequence (sentence/document). */
export function evaluateSpans(gold: readonly (readonly Span[])[], pred: readonly (readonly Span[])[]): EvaluationReport {
  if (gold.length !== pred.length) throw new Error(`gold has ${gold.length} sequences but predictions have ${pred.length}`);
  const byLabel = new Map<string, Counts>();
  const counts = (label: string): Counts => {
    let c = byLabel.get(label);
    if (!c) byLabel.set(label, (c = { gold: 0, predicted: 0, correct: 0, partialCorrect: 0, partialGoldFound: 0 }));
    return c;
  };
  for (let i = 0; i < gold.length; i++) {
    const overlapsPred = overlapIndex(pred[i]);
    const overlapsGold = overlapIndex(gold[i]);
    // Multiset of gold keys, so a duplicated prediction counts once as correct and once as a false positive.
    const remaining = new Map<string, number>();
    for (const g of gold[i]) {
      counts(g.label).gold++;
      const key = `${g.start}:${g.end}:${g.label}`;
      remaining.set(key, (remaining.get(key) ?? 0) + 1);
      if (overlapsPred(g)) counts(g.label).partialGoldFound++;
    }
    for (const p of pred[i]) {
      const c = counts(p.label);
      c.predicted++;
      const key = `${p.start}:${p.end}:${p.label}`;
      const left = remaining.get(key) ?? 0;
      if (left > 0) {
        c.correct++;
        remaining.set(key, left - 1);
      }
      if (overlapsGold(p)) c.partialCorrect++;
    }
  }
  const labels = [...byLabel.keys()].sort();
  const total: Counts = { gold: 0, predicted: 0, correct: 0, partialCorrect: 0, partialGoldFound: 0 };
  for (const c of byLabel.values()) for (const k of Object.keys(total) as (keyof Counts)[]) total[k] += c[k];
  const partialOf = (c: Counts): Scores & { goldFound: number } => {
    const precision = ratio(c.partialCorrect, c.predicted);
    const recall = ratio(c.partialGoldFound, c.gold);
    return { precision, recall, f1: f1Of(precision, recall), gold: c.gold, predicted: c.predicted, correct: c.partialCorrect, goldFound: c.partialGoldFound };
  };
  return {
    overall: scoresFromCounts(total.correct, total.gold, total.predicted),
    perType: labels.map((label) => {
      const c = byLabel.get(label)!;
      return { label, ...scoresFromCounts(c.correct, c.gold, c.predicted) };
    }),
    partial: {
      overall: partialOf(total),
      perType: labels.map((label) => ({ label, ...partialOf(byLabel.get(label)!) })),
    },
  };
}

/**
 * Strict and partial span scores from tag sequences. Each pair of sequences must have the same length. Schemes
 * (default IOB2) only matter for validation; entities are decoded with conlleval's rules in every scheme.
 */
export function evaluateTags(
  gold: readonly (readonly string[])[],
  pred: readonly (readonly string[])[],
  schemes: { gold?: TagScheme; pred?: TagScheme } = {},
): EvaluationReport {
  if (gold.length !== pred.length) throw new Error(`gold has ${gold.length} sequences but predictions have ${pred.length}`);
  const goldSpans = gold.map((tags, i) => {
    if (tags.length !== pred[i].length) throw new Error(`sequence ${i + 1}: gold has ${tags.length} tags but the prediction has ${pred[i].length}`);
    return tagsToSpans(tags, schemes.gold ?? 'iob2').spans;
  });
  return evaluateSpans(goldSpans, pred.map((tags) => tagsToSpans(tags, schemes.pred ?? 'iob2').spans));
}
