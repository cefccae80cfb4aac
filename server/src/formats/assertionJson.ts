// An entity's `assertion` object in JSONL: `{"negation", "temporality", "experiencer", "triggers"?}`.
import type { Assertion, AssertionCue } from '../types';

const VALUES = {
  negation: ['affirmed', 'negated', 'possible'],
  temporality: ['recent', 'historical', 'hypothetical'],
  experiencer: ['patient', 'other'],
} as const;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function readCue(value: unknown): AssertionCue | undefined {
  if (!isRecord(value)) return undefined;
  const { text, start, end, source } = value;
  if (typeof text !== 'string' || !Number.isInteger(start) || !Number.isInteger(end) || (source !== 'trigger' && source !== 'section')) return undefined;
  return { text, start: start as number, end: end as number, source };
}

/** The assertion a JSON value describes, or a message saying what is wrong with it. */
export function readAssertionJson(value: unknown): Assertion | string {
  if (!isRecord(value)) return '"assertion" must be an object {"negation", "temporality", "experiencer"}';
  const assertion: Assertion = { negation: 'affirmed', temporality: 'recent', experiencer: 'patient', triggers: {} };
  for (const property of Object.keys(VALUES) as (keyof typeof VALUES)[]) {
    const v = value[property];
    if (v === undefined) continue;
    if (!(VALUES[property] as readonly unknown[]).includes(v)) return `"assertion.${property}" must be one of ${VALUES[property].join(', ')}`;
    (assertion as unknown as Record<string, unknown>)[property] = v;
  }
  if (isRecord(value.triggers)) {
    for (const property of Object.keys(VALUES) as (keyof typeof VALUES)[]) {
      const cue = readCue(value.triggers[property]);
      if (cue) assertion.triggers[property] = cue;
    }
  }
  return assertion;
}
