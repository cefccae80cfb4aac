// An honest before/after for fine-tuning a model the user already had: scored only on the labels both models can
// produce (a model cannot be blamed for missing a label it never had), on a held-out part large enough to mean
// something, plus how many of the held-out names the old model missed the new one finds (the user's own jargon).
import { scoredTags } from '../model/evaluateModel';
import { tagsToSpans, UNKNOWN_TAG } from '../formats/tagSchemes';
import type { TaggedSentence } from '../types';

/** Below this many held-out entities a percentage says more about chance than about the model. */
export const MIN_HELD_OUT_ENTITIES = 30;

export interface HeldOutReport {
  /** Gold entities in the held-out part (reviewed ones only, for partial annotations). */
  heldOutEntities: number;
  /** False below MIN_HELD_OUT_ENTITIES: then no F1 is reported. */
  measurable: boolean;
  /** The labels both models know, that the scores below cover. */
  sharedLabels: string[];
  /** Strict span F1 on the shared labels, before and after (when measurable). */
  f1Before?: number;
  f1After?: number;
  /** Held-out entities (any label) the initial model did not find, and how many of them the new model finds. */
  missedBefore: number;
  foundAfter: number;
}

/** Entity spans ("start:end:label") of each sentence, with the parts a partial annotation cannot judge left out. */
function spanKeys(gold: TaggedSentence[], predicted: string[][], side: 'gold' | 'predicted'): Set<string>[] {
  return gold.map((s, i) => {
    const scored = scoredTags(s.tags, predicted[i]);
    return new Set(tagsToSpans(scored[side], 'iob2').spans.map((x) => `${x.start}:${x.end}:${x.label}`));
  });
}

function microF1(gold: Set<string>[], predicted: Set<string>[], labels: Set<string>): number {
  let correct = 0;
  let goldCount = 0;
  let predictedCount = 0;
  const inLabels = (key: string) => labels.has(key.slice(key.indexOf(':', key.indexOf(':') + 1) + 1));
  gold.forEach((g, i) => {
    const keep = [...g].filter(inLabels);
    const pred = [...predicted[i]].filter(inLabels);
    goldCount += keep.length;
    predictedCount += pred.length;
    correct += pred.filter((p) => g.has(p)).length;
  });
  return correct === 0 ? 0 : (2 * correct) / (goldCount + predictedCount);
}

/** Gold entities of a held-out part (the unknown tokens of a partial annotation hold none). */
export function heldOutEntityCount(dev: TaggedSentence[]): number {
  return dev.reduce((n, s) => n + tagsToSpans(s.tags.map((t) => (t === UNKNOWN_TAG ? 'O' : t)), 'iob2').spans.length, 0);
}

export function heldOutReport(dev: TaggedSentence[], before: string[][], after: string[][], initialLabels: string[]): HeldOutReport {
  const gold = spanKeys(dev, before, 'gold');
  const predictedBefore = spanKeys(dev, before, 'predicted');
  const predictedAfter = spanKeys(dev, after, 'predicted');
  const heldOutEntities = gold.reduce((n, g) => n + g.size, 0);
  const goldLabels = new Set(gold.flatMap((g) => [...g].map((k) => k.split(':')[2])));
  const shared = new Set(initialLabels.filter((l) => goldLabels.has(l)));
  let missedBefore = 0;
  let foundAfter = 0;
  gold.forEach((g, i) => {
    for (const key of g) {
      if (predictedBefore[i].has(key)) continue;
      missedBefore++;
      if (predictedAfter[i].has(key)) foundAfter++;
    }
  });
  const measurable = heldOutEntities >= MIN_HELD_OUT_ENTITIES && shared.size > 0;
  return {
    heldOutEntities,
    measurable,
    sharedLabels: [...shared].sort(),
    ...(measurable ? { f1Before: microF1(gold, predictedBefore, shared), f1After: microF1(gold, predictedAfter, shared) } : {}),
    missedBefore,
    foundAfter,
  };
}
