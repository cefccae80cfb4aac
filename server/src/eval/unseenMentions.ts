// Seen vs unseen mentions: how a model generalises to names it was not trained on. A gold mention is *unseen* when
// its text never occurs among the gold mentions of the training files (of any type); a prediction is unseen when its
// text does not. Texts are compared case-insensitively and ignoring whitespace, so "Parkinson ' s" (CoNLL tokens)
// matches "Parkinson's", and "ASPIRIN" in an upper-case copy counts as seen when "aspirin" was.
// A correct prediction has its gold mention's text, so the two groups split the strict counts exactly.
import type { AlignedSpan, AlignedSpans } from './alignCorpora';
import { evaluateSpans, type EvaluationReport } from './spanMetrics';

export interface SeenUnseenReport {
  /** Distinct mention texts (normalised) of the training files. */
  trainingMentions: number;
  seen: EvaluationReport;
  unseen: EvaluationReport;
}

/** The comparison key of a mention text: lower case, no whitespace. */
export function mentionKey(text: string): string {
  return text.replace(/\s+/g, '').toLowerCase();
}

/** The set of mention keys of training entities. */
export function mentionKeys(texts: Iterable<string>): Set<string> {
  const keys = new Set<string>();
  for (const t of texts) keys.add(mentionKey(t));
  return keys;
}

/** Strict and partial scores of the seen and of the unseen mentions. */
export function scoreSeenUnseen(aligned: AlignedSpans, training: ReadonlySet<string>): SeenUnseenReport {
  const part = (spans: AlignedSpan[][], seen: boolean) => spans.map((s) => s.filter((e) => training.has(mentionKey(e.text)) === seen));
  return {
    trainingMentions: training.size,
    seen: evaluateSpans(part(aligned.gold, true), part(aligned.pred, true)),
    unseen: evaluateSpans(part(aligned.gold, false), part(aligned.pred, false)),
  };
}
